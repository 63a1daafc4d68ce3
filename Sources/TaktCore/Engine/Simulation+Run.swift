import Foundation

/// Runs replications on the persistent worker pool. Replication k always uses the same random
/// streams, and results are gathered by index, so output is identical whatever the number of
/// workers.
public enum Simulation {
    public struct Outcome: Sendable {
        public var replications: [ReplicationResult]
        public var events: Int { replications.reduce(0) { $0 + $1.events } }
    }

    /// One run of a batch: which of the batch's models, with what settings, and which
    /// replication (the random streams: the same number gives the same streams in every model,
    /// which is what common random numbers are).
    public struct BatchRun: Sendable {
        public var model: Int
        public var settings: RunSettingsCore
        public var replication: Int

        public init(model: Int, settings: RunSettingsCore, replication: Int) {
            self.model = model
            self.settings = settings
            self.replication = replication
        }
    }

    /// Replications `firstReplication ..< firstReplication + replications` of one model. The
    /// error of the lowest replication that fails is thrown (every lower one has run, so the
    /// error does not depend on the number of workers).
    public static func run(_ spec: ModelSpec, settings: RunSettingsCore, replications: Int, jobs: Int? = nil,
                           firstReplication: Int = 0, deciders: [DeciderFactory] = [], progress: RunProgress? = nil,
                           monitor: ReplicationMonitor? = nil,
                           shouldStop: @escaping @Sendable () -> Bool = { false }) throws -> Outcome {
        let runs = (0..<replications).map { BatchRun(model: 0, settings: settings, replication: firstReplication + $0) }
        let results = try execute(models: [spec], runs: runs, jobs: jobs, deciders: deciders, stopAtFailure: true, progress: progress,
                                  monitor: MonitorBox(monitor: monitor), shouldStop: shouldStop)
        var out: [ReplicationResult] = []
        out.reserveCapacity(replications)
        for r in results {
            switch r {
            case .success(let x): out.append(x)
            case .failure(let e): throw e
            }
        }
        return Outcome(replications: out)
    }

    /// Many (model, replication) runs on one pool, for searches that try many configurations:
    /// every run is made and its own result or error returned, in the order of `runs`. Throws
    /// only when a model fails the core's checks, memory does not suffice, or `shouldStop`.
    public static func runBatch(models: [ModelSpec], runs: [BatchRun], jobs: Int? = nil, deciders: [DeciderFactory] = [],
                                shouldStop: @escaping @Sendable () -> Bool = { false }) throws -> [Result<ReplicationResult, SimulationError>] {
        try execute(models: models, runs: runs, jobs: jobs, deciders: deciders, stopAtFailure: false, shouldStop: shouldStop)
    }

    private static func execute(models: [ModelSpec], runs: [BatchRun], jobs: Int?, deciders: [DeciderFactory], stopAtFailure: Bool,
                                progress: RunProgress? = nil, monitor: MonitorBox = MonitorBox(monitor: nil),
                                shouldStop: @escaping @Sendable () -> Bool) throws -> [Result<ReplicationResult, SimulationError>] {
        for m in models {
            if let problem = m.structuralProblem(deciders: deciders.count) { throw SimulationError.invalidModel(problem) }
        }
        guard runs.allSatisfy({ models.indices.contains($0.model) }) else {
            throw SimulationError.invalidModel("a run names a model the batch does not have")
        }
        if runs.isEmpty { return [] }
        var workers = max(1, min(jobs ?? ProcessInfo.processInfo.activeProcessorCount, runs.count))
        // Fewer workers when the replications would not fit side by side; none fitting is an error.
        let perReplication = models.map(MemoryBudget.bytesPerReplication).max() ?? 0
        if perReplication > 64 << 20 {
            let room = MemoryBudget.available(reservingStacks: workers * WorkerPool.stackSize)
            let fitting = room / perReplication
            if fitting < 1 { throw SimulationError.insufficientMemory(needed: perReplication, available: room) }
            workers = min(workers, fitting)
        }
        let slots = ResultSlots(count: runs.count)
        WorkerPool.shared.run(workers: workers) {
            while let k = slots.take(stopAtFailure: stopAtFailure) {
                let run = runs[k]
                // The monitor watches the first run (replication 1 of a single model's runs).
                let rep = Replication(spec: models[run.model], settings: run.settings, replication: run.replication, deciders: deciders,
                                      monitor: k == 0 ? monitor.monitor : nil)
                defer { progress?.finish(run: k) }
                do {
                    let check: () -> Bool
                    if let progress {
                        check = { progress.update(run: k, fraction: rep.now / rep.end); return shouldStop() }
                    } else {
                        check = shouldStop
                    }
                    slots.set(k, .success(try rep.run(shouldStop: check)))
                } catch let e as SimulationError {
                    slots.set(k, .failure(e))
                } catch {
                    slots.set(k, .failure(.cancelled))
                }
            }
        }
        var out: [Result<ReplicationResult, SimulationError>] = []
        out.reserveCapacity(runs.count)
        for k in runs.indices {
            switch slots.get(k) {
            case .failure(.cancelled)?: throw SimulationError.cancelled
            case .success(let r)?: out.append(.success(r))
            case .failure(let e)?:
                out.append(.failure(e))
                if stopAtFailure { return out }
            case nil:
                // Only runs after a failure are skipped; reaching one means the failure came first.
                throw SimulationError.cancelled
            }
        }
        return out
    }
}

/// The runs' results by index, and the next index to run. After a failure (when asked to stop
/// at one) only indices below it are still handed out, so the lowest failure is always found.
final class ResultSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Result<ReplicationResult, SimulationError>?]
    private var next = 0
    private var lowestFailure = Int.max
    /// A cancelled run ends the whole call: nothing more is handed out.
    private var cancelled = false

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func take(stopAtFailure: Bool) -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard next < slots.count, !cancelled, !stopAtFailure || next < lowestFailure else { return nil }
        next += 1
        return next - 1
    }

    func set(_ k: Int, _ r: Result<ReplicationResult, SimulationError>) {
        lock.lock(); defer { lock.unlock() }
        slots[k] = r
        if case .failure(let e) = r {
            lowestFailure = min(lowestFailure, k)
            if e == .cancelled { cancelled = true }
        }
    }

    func get(_ k: Int) -> Result<ReplicationResult, SimulationError>? {
        lock.lock(); defer { lock.unlock() }
        return slots[k]
    }
}
