import ArgumentParser
import Foundation
import TaktLanguage

/// Where the executable writes: the library never prints.
enum Terminal {
    static func standardOutput(_ s: String) {
        fputs(s, stdout)
    }

    static func standardError(_ s: String) {
        fflush(stdout)
        fputs(s, stderr)
    }

    /// Colour only when standard error is a terminal and NO_COLOR is unset.
    static var colorDiagnostics: Bool {
        isatty(2) != 0 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
    }

    /// Progress of a long optimization on standard error, only when it is a terminal; nil erases it.
    static var progressLine: ((String?) -> Void)? {
        guard isatty(2) != 0 else { return nil }
        return { text in
            fputs("\r\u{1B}[K" + (text ?? ""), stderr)
            fflush(stderr)
        }
    }

    static func report(_ diagnostics: [Diagnostic]) {
        let color = colorDiagnostics
        standardError(diagnostics.map { $0.render(color: color) }.joined(separator: "\n"))
    }

    /// Ctrl-C sets a flag that every phase polls (reading, checking, running, printing), so
    /// work stops cleanly. Storing to an atomic is all the handler does: async-signal-safe.
    /// No SA_RESTART, so a read from a slow pipe returns and sees the flag.
    static func installInterruptHandler() {
        var action = sigaction()
        #if os(Linux)
        action.__sigaction_handler.sa_handler = { _ in interruptRequested.store(true, ordering: .relaxed) }
        #else
        action.__sigaction_u.__sa_handler = { _ in interruptRequested.store(true, ordering: .relaxed) }
        #endif
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGINT, &action, nil)
    }

    /// Reads a script for a command, or reports why not and ends with status 1 (130 on Ctrl-C).
    /// A file a flag writes (`--trace`, `--report`): its folder must exist, and the path must
    /// not be a folder; else a usage error.
    static func checkOutputPath(_ path: String, flag: String) throws {
        guard !path.isEmpty else { throw ValidationError("\(flag) needs a file name") }
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            throw ValidationError("\(flag) '\(path)' is a folder; give a file name")
        }
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty, !(FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) && isFolder.boolValue) {
            throw ValidationError("\(flag) '\(path)': the folder '\(folder)' does not exist")
        }
    }

    /// Opens `--trace`'s temporary file; a usage error (status 2) if it cannot be.
    static func openTrace(_ path: String?) throws -> TraceFile? {
        guard let path else { return nil }
        switch TraceFile.create(path: path) {
        case .success(let f): return f
        case .failure(let e):
            standardError("Error: \(e.message)\n")
            throw Exit(status: 2)
        }
    }

    /// Gives the trace its name and writes the report, after a run that succeeded; status 1
    /// if either cannot be written.
    static func writeOutputs(trace: TraceFile?, report: Report?, reportPath: String?) throws {
        if let e = trace?.commit() {
            standardError("error: \(e.message)\n")
            throw Exit(status: 1)
        }
        if let path = reportPath, let report, let problem = ReportWriter.write(report, to: path) {
            standardError("error: \(problem)\n")
            throw Exit(status: 1)
        }
    }

    static func loadScript(_ path: String) throws -> SourceFile {
        switch ScriptRunner.load(path: path) {
        case .success(let f):
            return f
        case .failure(let d):
            if interruptRequested.load(ordering: .relaxed) {
                standardError("interrupted\n")
                throw Exit(status: 130)
            }
            report([d])
            throw Exit(status: 1)
        }
    }
}
