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

    static func report(_ diagnostics: [Diagnostic]) {
        let color = colorDiagnostics
        standardError(diagnostics.map { $0.render(color: color) }.joined(separator: "\n"))
    }

    /// Ctrl-C sets a flag that loops and calls poll, so a run stops cleanly.
    static func installInterruptHandler() {
        signal(SIGINT) { _ in
            interruptRequested.store(true, ordering: .relaxed)
        }
    }
}
