import Foundation
import TaktCore

/// The progress line of a long simulation on a terminal (standard error): once the run has
/// taken a second, replications done, the share of the simulated time, and the time left at
/// the pace so far; erased when the run ends. Hosts give `Interpreter.progress` only on a
/// terminal, and `--json` runs show none.
final class ProgressReporter: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false
    private let finished = DispatchSemaphore(value: 0)
    private let wake = DispatchSemaphore(value: 0)
    init?(replications: Int, show: ((String?) -> Void)?, json: Bool) {
        guard let show, !json else { return nil }
        let meter = RunProgress(runs: replications)
        self.meter = meter
        let started = Date()
        let thread = Thread { [self] in
            var shown = false
            // Woken at once by `stop`, so a short run is not held up by the line's pace.
            while self.wake.wait(timeout: .now() + 0.1) == .timedOut {
                let elapsed = Date().timeIntervalSince(started)
                guard elapsed >= 1, !self.isDone else { continue }
                let s = meter.status
                let left = s.fraction > 0 ? elapsed * (1 - s.fraction) / s.fraction : 0
                show("simulating: \(s.finished) of \(s.total) replications · \(Int(s.fraction * 100))% of the simulated time · about \(ProgressReporter.duration(left)) left")
                shown = true
            }
            if shown { show(nil) }
            self.finished.signal()
        }
        thread.start()
    }

    let meter: RunProgress

    private var isDone: Bool {
        lock.lock()
        defer { lock.unlock() }
        return done
    }

    /// Ends the line (erasing it if it was shown) before anything else is printed.
    func stop() {
        lock.lock()
        done = true
        lock.unlock()
        wake.signal()
        finished.wait()
    }

    static func duration(_ seconds: Double) -> String {
        if seconds < 60 { return "\(Int(seconds.rounded())) s" }
        if seconds < 3600 { return "\(Int((seconds / 60).rounded())) min" }
        return String(format: "%.1f h", seconds / 3600)
    }
}
