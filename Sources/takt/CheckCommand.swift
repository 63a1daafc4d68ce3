import ArgumentParser
import TaktLanguage

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check", abstract: "Parse and check a script and its model without running it.")

    @Argument(help: "The script to check.")
    var file: String

    func run() throws {
        switch ScriptRunner.load(path: file) {
        case .failure(let d):
            Terminal.report([d])
            throw Exit(status: 1)
        case .success(let f):
            let result = LargeStackCheck.check(f)
            if let diagnostics = result {
                Terminal.report(diagnostics)
                throw Exit(status: 1)
            }
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
