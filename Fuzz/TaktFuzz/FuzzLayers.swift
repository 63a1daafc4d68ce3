import Foundation
import TaktLanguage

/// One fuzz input through one front-end layer. Every layer must end in a value or in located
/// diagnostics; a trap, a crash, a hang or an unlocated diagnostic is a finding.
enum FuzzLayer: String, CaseIterable {
    case lexer, parser, checker, interpreter

    /// From TAKT_FUZZ_LAYER; the interpreter (which runs every layer before it) by default.
    static var selected: FuzzLayer {
        ProcessInfo.processInfo.environment["TAKT_FUZZ_LAYER"].flatMap(FuzzLayer.init(rawValue:)) ?? .interpreter
    }

    func run(_ bytes: [UInt8]) {
        let file: SourceFile
        switch SourceFile.decode(name: "fuzz.takt", bytes: bytes) {
        case .failure(let d):
            expectLocated([d])
            return
        case .success(let f):
            file = f
        }
        switch self {
        case .lexer:
            var lexer = Lexer(file: file)
            _ = lexer.tokenize()
            expectLocated(lexer.diagnostics)
        case .parser:
            if case .failure(let d) = LargeStack.run({ Parser.parse(file) }) { expectLocated(d.items) }
        case .checker:
            if case .failure(let d) = LargeStack.run({ ScriptRunner.check(file) }) { expectLocated(d.items) }
        case .interpreter:
            // Short runs: one replication of a short horizon on one worker, and a watchdog that
            // presses Ctrl-C after a moment, so an endless loop is a stop, not a hang.
            let watchdog = Watchdog(seconds: 0.2)
            defer { watchdog.cancel() }
            let outcome = ScriptRunner.run(file, output: { _ in }) { s in
                s.replications = 1
                s.jobs = 1
                s.horizon = min(s.horizon, 1000 * s.timeUnit.seconds)
                s.warmup = min(s.warmup, 100 * s.timeUnit.seconds)
                s.maxParts = 100_000
            }
            if case .failure(let d) = outcome { expectLocated(d) }
            interruptRequested.store(false, ordering: .relaxed)
        }
    }

    /// Every diagnostic of a script must point into it, and render.
    private func expectLocated(_ diagnostics: [Diagnostic]) {
        for d in diagnostics {
            guard d.span != nil else { fatalError("unlocated diagnostic: \(d.message)") }
            _ = d.render(color: false)
        }
    }
}

/// Sets the interrupt flag after a delay unless cancelled first.
final class Watchdog: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false

    init(seconds: Double) {
        Thread.detachNewThread { [self] in
            Thread.sleep(forTimeInterval: seconds)
            lock.lock(); defer { lock.unlock() }
            if !cancelled { interruptRequested.store(true, ordering: .relaxed) }
        }
    }

    func cancel() {
        lock.lock(); defer { lock.unlock() }
        cancelled = true
    }
}
