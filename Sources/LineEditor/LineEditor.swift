import CLineEditShim
import Foundation

/// Line editing with history and completion, over libedit. One per process.
public final class LineEditor {
    /// Called with the word being completed and the whole line; returns the candidates.
    public typealias Completer = (_ word: String, _ line: String) -> [String]

    nonisolated(unsafe) private static var completer: Completer = { _, _ in [] }
    nonisolated(unsafe) private static var matches: [String] = []
    nonisolated(unsafe) private static var next = 0

    private let historyPath: String?

    public init(programName: String, historyPath: String?, completer: @escaping Completer) {
        self.historyPath = historyPath
        // The C locale drops non-ASCII input.
        setlocale(LC_ALL, "")
        LineEditor.completer = completer
        takt_line_edit_init(programName) { text, state in
            guard let text = text else { return nil }
            if state == 0 {
                LineEditor.matches = LineEditor.completer(String(cString: text), String(cString: takt_line_edit_buffer()))
                LineEditor.next = 0
            }
            guard LineEditor.next < LineEditor.matches.count else { return nil }
            let m = LineEditor.matches[LineEditor.next]
            LineEditor.next += 1
            return strdup(m)
        }
        if let path = historyPath { _ = takt_line_edit_load_history(path) }
    }

    /// The next line, or nil at end of input.
    public func readLine(prompt: String) -> String? {
        guard let raw = takt_line_edit_read(prompt) else { return nil }
        defer { free(raw) }
        return String(cString: raw)
    }

    /// When the history file was last written, and whether entries have come since.
    private var lastSave = 0.0
    private var unsaved = false

    /// Adds an entry; the file is rewritten at most once a second (a paste of thousands of
    /// lines would otherwise rewrite it per line), and by `flush` when the session ends.
    public func addHistory(_ line: String) {
        takt_line_edit_add_history(line)
        unsaved = true
        let now = Date().timeIntervalSinceReferenceDate
        if now - lastSave >= 1 { flush() }
    }

    /// Writes the history file if entries are unsaved.
    public func flush() {
        guard unsaved else { return }
        if let path = historyPath { _ = takt_line_edit_save_history(path, 1000) }
        unsaved = false
        lastSave = Date().timeIntervalSinceReferenceDate
    }
}
