import Foundation

/// Runs replications of a model in parallel. Replication k always uses the same random
/// streams, and results are gathered by index, so output is identical whatever the number
/// of workers.
public enum Simulation {
    public struct Outcome: Sendable {
        public var replications: [ReplicationResult]
        public var events: Int { replications.reduce(0) { $0 + $1.events } }
    }

    public static func run(_ spec: ModelSpec, settings: RunSettingsCore, replications: Int, jobs: Int? = nil,
                           firstReplication: Int = 0, deciders: [RoutingDecider] = [],
                           shouldStop: @escaping @Sendable () -> Bool = { false }) throws -> Outcome {
        if let problem = spec.structuralProblem() { throw SimulationError.invalidModel(problem) }
        var workers = max(1, min(jobs ?? ProcessInfo.processInfo.activeProcessorCount, replications))
        // Fewer workers when the replications would not fit side by side; none fitting is an error.
        let perReplication = MemoryBudget.bytesPerReplication(spec)
        if perReplication > 64 << 20 {
            let room = MemoryBudget.available(reservingStacks: workers * WorkerThread.stackSize)
            let fitting = room / perReplication
            if fitting < 1 { throw SimulationError.insufficientMemory(needed: perReplication, available: room) }
            workers = min(workers, fitting)
        }
        let results = ResultSlots(count: replications)
        let next = Counter()
        let work: @Sendable () -> Void = {
            while true {
                let k = next.take()
                if k >= replications || results.failed { return }
                let rep = Replication(spec: spec, settings: settings, replication: firstReplication + k, deciders: deciders)
                do {
                    results.set(k, .success(try rep.run(shouldStop: shouldStop)))
                } catch let e as SimulationError {
                    results.set(k, .failure(e))
                } catch {
                    results.set(k, .failure(.cancelled))
                }
            }
        }
        if workers == 1 {
            WorkerThread.run([work])
        } else {
            WorkerThread.run(Array(repeating: work, count: workers))
        }
        var out: [ReplicationResult] = []
        for k in 0..<replications {
            switch results.get(k) {
            case .success(let r)?: out.append(r)
            case .failure(let e)?: throw e
            case nil: throw SimulationError.cancelled
            }
        }
        return Outcome(replications: out)
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func take() -> Int {
        lock.lock(); defer { lock.unlock() }
        value += 1
        return value - 1
    }
}

final class ResultSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Result<ReplicationResult, SimulationError>?]
    private(set) var failed = false
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ k: Int, _ r: Result<ReplicationResult, SimulationError>) {
        lock.lock(); defer { lock.unlock() }
        slots[k] = r
        if case .failure = r { failed = true }
    }
    func get(_ k: Int) -> Result<ReplicationResult, SimulationError>? {
        lock.lock(); defer { lock.unlock() }
        return slots[k]
    }
}

/// Threads with stacks large enough for long unblocking cascades.
enum WorkerThread {
    static let stackSize = 256 << 20

    static func run(_ bodies: [@Sendable () -> Void]) {
        var threads: [pthread_t] = []
        for body in bodies {
            var attr = pthread_attr_t()
            pthread_attr_init(&attr)
            pthread_attr_setstacksize(&attr, stackSize)
            var t = pthread_t()
            let box = Unmanaged.passRetained(WorkBox(body)).toOpaque()
            if pthread_create(&t, &attr, { raw in
                let w = Unmanaged<WorkBox>.fromOpaque(raw!).takeRetainedValue()
                w.body()
                return nil
            }, box) == 0 {
                threads.append(t)
            } else {
                Unmanaged<WorkBox>.fromOpaque(box).release()
                body()
            }
            pthread_attr_destroy(&attr)
        }
        for t in threads { pthread_join(t, nil) }
    }
}

private final class WorkBox {
    let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
}
