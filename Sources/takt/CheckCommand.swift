import ArgumentParser
import TaktLanguage

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check", abstract: "Parse and check a script and its model without running it.")

    @Argument(help: "The script to check.")
    var file: String

    @Flag(name: .customLong("quiet-warnings"), help: "Do not print the checker's warnings.")
    var quietWarnings = false

    func run() throws {
        let f = try Terminal.loadScript(file)
        let (result, warnings) = LargeStackCheck.check(f)
        if !quietWarnings && !warnings.isEmpty { Terminal.report(warnings) }
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
    static func check(_ file: SourceFile) -> (errors: [Diagnostic]?, warnings: [Diagnostic]) {
        LargeStack.run {
            switch ScriptRunner.check(file) {
            case .failure(let d): return (d.items, [])
            case .success(let p): return (nil, p.warnings)
            }
        }
    }
}
