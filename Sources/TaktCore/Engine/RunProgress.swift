import Foundation

/// How far a run of replications has come, for a progress line: replications write their
/// simulated fraction now and then (with the stop check, every 65,536 events), and a host
/// reads the whole from another thread.
public final class RunProgress: @unchecked Sendable {
    private let lock = NSLock()
    private let total: Int
    private var finished = 0
    private var running: [Int: Double] = [:]

    public init(runs: Int) { total = max(runs, 1) }

    func update(run k: Int, fraction: Double) {
        lock.lock()
        running[k] = min(max(fraction, 0), 1)
        lock.unlock()
    }

    func finish(run k: Int) {
        lock.lock()
        running[k] = nil
        finished += 1
        lock.unlock()
    }

    /// Replications finished, and the share of all the simulated time done so far.
    public var status: (finished: Int, total: Int, fraction: Double) {
        lock.lock()
        defer { lock.unlock() }
        let partial = running.values.reduce(0, +)
        return (finished, total, min(1, (Double(finished) + partial) / Double(total)))
    }
}
