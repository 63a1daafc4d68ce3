import ArgumentParser
import Foundation
import TaktLanguage

struct Takt: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "takt",
        abstract: "Factory what-if simulation: run, check and test Takt scripts, or explore them in a REPL.",
        subcommands: [RunCommand.self, CheckCommand.self, TestCommand.self, ReplCommand.self, GymCommand.self]
    )

    /// Parses the command line; usage errors exit with status 2 (ArgumentParser's default is 64).
    static func main(arguments: [String]) -> Never {
        Terminal.installInterruptHandler()
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            Foundation.exit(0)
        } catch let exit as Exit {
            Foundation.exit(exit.status)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            Terminal.standardError(fullMessage(for: error) + "\n")
            Foundation.exit(2)
        }
    }
}

/// Ends the process with a status once output is flushed.
struct Exit: Error {
    let status: Int32
}
