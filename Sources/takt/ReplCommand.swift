import ArgumentParser
import Foundation
import LineEditor
import TaktLanguage

struct ReplCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repl",
        abstract: "Start an interactive session, optionally with a script loaded.",
        discussion: "History is kept in ~/.takt_history (or the file named by TAKT_HISTORY). Type :help inside."
    )

    @Argument(help: "A script to load first.")
    var file: String?

    @Flag(name: .customLong("quiet-warnings"), help: "Do not print the checker's warnings.")
    var quietWarnings = false

    @Option(help: ArgumentHelp("Write every event of replication 1 of each simulation of the session to this CSV file.", valueName: "file.csv"))
    var trace: String?

    @Option(help: ArgumentHelp("Write an HTML page of the session's results when it ends.", valueName: "file.html"))
    var report: String?

    func validate() throws {
        if let t = trace { try Terminal.checkOutputPath(t, flag: "--trace") }
        if let r = report { try Terminal.checkOutputPath(r, flag: "--report") }
    }

    func run() throws {
        let repl = Repl(interactive: isatty(0) != 0, quietWarnings: quietWarnings)
        repl.trace = try Terminal.openTrace(trace)
        if report != nil { repl.report = Report(scriptName: "REPL session") }
        repl.attach()
        if repl.interactive { Repl.write("Takt — type :help for help, :quit to leave.\n") }
        if let file = file { repl.load(file) }
        repl.loop()
        // What the session simulated, written as it ends.
        try Terminal.writeOutputs(trace: repl.trace, report: repl.report, reportPath: report)
    }
}

/// The read-eval-print loop: libedit on a terminal, plain lines from a pipe.
final class Repl {
    static let commands = [":help", ":load", ":reload", ":model", ":quit"]
    static let help = """
    Type statements and expressions; a value is printed as print would.
      what if m2.servers = 2     compare a change against the current model
      :load FILE                 replace the session with a script's model and bindings
      :reload                    load the last file again
      :model                     list the elements and flows
      :help                      this text
      :quit                      leave (Ctrl-D too)
    Ctrl-C stops a running simulation and returns here; Tab completes names and properties.
    """

    var session: Session
    let interactive: Bool
    /// `--trace` and `--report`: handed to each session, the first and every loaded one.
    var trace: TraceFile?
    var report: Report?

    func attach() {
        session.trace = trace
        session.report = report
    }
    var editor: LineEditor?

    let quietWarnings: Bool

    init(interactive: Bool, quietWarnings: Bool = false) {
        self.interactive = interactive
        self.quietWarnings = quietWarnings
        session = Session(output: Repl.write)
        session.warnings = warningSink
        session.progress = Terminal.progressLine
        if interactive {
            let history = ProcessInfo.processInfo.environment["TAKT_HISTORY"]
                ?? (FileManager.default.homeDirectoryForCurrentUser.path + "/.takt_history")
            editor = LineEditor(programName: "takt", historyPath: history) { [unowned self] word, line in
                self.complete(word: word, line: line)
            }
        }
    }

    var warningSink: ([Diagnostic]) -> Void {
        quietWarnings ? { _ in } : { Terminal.report($0) }
    }

    static func write(_ s: String) {
        fputs(s, stdout)
    }

    func readLine(continuation: Bool) -> String? {
        fflush(stdout)
        if let editor = editor {
            return editor.readLine(prompt: continuation ? "...> " : "takt> ")
        }
        return Swift.readLine(strippingNewline: true)
    }

    func loop() {
        while true {
            guard var input = readLine(continuation: false) else {
                // libedit gives up the line on Ctrl-C as at the end of input; only the flag tells them apart.
                if interruptRequested.exchange(false, ordering: .relaxed) {
                    Repl.write("\n")
                    continue
                }
                break
            }
            var ended = false
            while Session.needsMoreInput(input) {
                guard let more = readLine(continuation: true) else {
                    ended = true
                    break
                }
                input += "\n" + more
            }
            if ended {
                if interruptRequested.exchange(false, ordering: .relaxed) {
                    Repl.write("\n")
                    continue
                }
                // The input ended inside a bracket: say where it opened, then leave.
                editor?.addHistory(input)
                report(session.evaluate(input))
                break
            }
            let trimmed = input.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            editor?.addHistory(input)
            if trimmed.hasPrefix(":") {
                if !command(trimmed) { break }
                continue
            }
            report(session.evaluate(input))
        }
        editor?.flush()
        if interactive { Repl.write("\n") }
        fflush(stdout)
    }

    func report(_ outcome: RunOutcome) {
        fflush(stdout)
        switch outcome {
        case .success: break
        case .failure(let d): Terminal.report(d)
        case .interrupted: Terminal.standardError("interrupted\n")
        case .usage(let message): Terminal.standardError("error: \(message)\n")
        }
    }

    /// Runs a `:` command; false means quit.
    func command(_ line: String) -> Bool {
        let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
        let argument = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
        switch parts[0] {
        case ":quit", ":q":
            return false
        case ":help":
            Repl.write(Repl.help + "\n")
        case ":model":
            Repl.write(session.modelDescription() + "\n")
        case ":load":
            if argument.isEmpty { Terminal.standardError("error: :load needs a file name\n") } else { load(argument) }
        case ":reload":
            if let path = session.loadedPath { load(path) } else { Terminal.standardError("error: no file has been loaded\n") }
        default:
            let suggestion = Suggest.closest(to: parts[0], among: Repl.commands)
            Terminal.standardError("error: unknown command '\(parts[0])'\(suggestion.map { "; did you mean '\($0)'?" } ?? ""), see :help\n")
        }
        return true
    }

    /// Replaces the session with the file's; a failed load leaves the session as it was.
    func load(_ path: String) {
        switch Session.load(path: path, output: Repl.write, warnings: warningSink) {
        case .success(let s):
            session = s
            attach()
            session.progress = Terminal.progressLine
            Repl.write("loaded \(path)\n")
        case .failure(let d):
            Terminal.report(d.items)
        }
        fflush(stdout)
    }

    func complete(word: String, line: String) -> [String] {
        if word.hasPrefix(":") { return Repl.commands.filter { $0.hasPrefix(word) } }
        if let dot = word.lastIndex(of: ".") {
            let base = String(word[..<dot]), partial = String(word[word.index(after: dot)...])
            return session.properties(of: base).filter { $0.hasPrefix(partial) }.map { base + "." + $0 }
        }
        return session.names.filter { $0.hasPrefix(word) }
    }
}
