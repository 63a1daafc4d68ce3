import ArgumentParser
import TaktLanguage

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check", abstract: "Parse and check a script and its model without running it.")

    @Argument(help: "The script to check.")
    var file: String

    func run() throws {
        let f = try Terminal.loadScript(file)
        let result = LargeStackCheck.check(f)
        if interruptRequested.load(ordering: .relaxed) {
            Terminal.standardError("interrupted\n")
            throw Exit(status: 130)
        }
        if let diagnostics = result {
            Terminal.report(diagnostics)
            throw Exit(status: 1)
        }
    }
}

/// Checks on a large stack, as running does: the parser recurses.
enum LargeStackCheck {
    static func check(_ file: SourceFile) -> [Diagnostic]? {
        LargeStack.run {
            switch ScriptRunner.check(file) {
            case .failure(let d): return d.items
            case .success: return nil
            }
        }
    }
}
