import Foundation

/// Threads kept for the life of the process, so that thousands of short runs (an optimizer's)
/// do not each create and tear down their workers. Each thread has a stack large enough for
/// long unblocking cascades.
///
/// `run(workers:_:)` runs `body` on the calling thread and on up to `workers - 1` pool threads
/// at once; `body` takes its work from a shared counter, so any subset of the helpers can do
/// it all. The caller withdraws helpers that have not started when its own `body` returns,
/// which is why a run started from inside another (all threads busy) cannot deadlock.
final class WorkerPool: @unchecked Sendable {
    static let shared = WorkerPool()
    static let stackSize = 256 << 20
    /// Threads the pool keeps at most; a request past it is served by fewer helpers.
    static let maxThreads = 256

    private final class Helper {
        enum State { case pending, running, done }
        let body: @Sendable () -> Void
        var state = State.pending
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    private let condition = NSCondition()
    private var pending: [Helper] = []
    private var idle = 0
    private var threads = 0

    func run(workers: Int, _ body: @escaping @Sendable () -> Void) {
        var helpers: [Helper] = []
        if workers > 1 {
            condition.lock()
            for _ in 1..<workers {
                let h = Helper(body)
                helpers.append(h)
                pending.append(h)
            }
            var spawn = min(pending.count - idle, WorkerPool.maxThreads - threads)
            while spawn > 0, startThread() {
                threads += 1
                spawn -= 1
            }
            condition.broadcast()
            condition.unlock()
        }
        body()
        guard !helpers.isEmpty else { return }
        condition.lock()
        pending.removeAll { h in h.state == .pending && helpers.contains { $0 === h } }
        while helpers.contains(where: { $0.state == .running }) { condition.wait() }
        condition.unlock()
    }

    /// False when the system refuses a thread (a tight address-space limit): the caller then
    /// does the work with the threads there are.
    private func startThread() -> Bool {
        var attr = pthread_attr_t()
        pthread_attr_init(&attr)
        defer { pthread_attr_destroy(&attr) }
        pthread_attr_setstacksize(&attr, WorkerPool.stackSize)
        var thread = pthread_t()
        let context = Unmanaged.passUnretained(self).toOpaque()
        guard pthread_create(&thread, &attr, { raw in
            #if os(Linux)
            let pool = Unmanaged<WorkerPool>.fromOpaque(raw!).takeUnretainedValue()
            #else
            let pool = Unmanaged<WorkerPool>.fromOpaque(raw).takeUnretainedValue()
            #endif
            pool.serve()
            return nil
        }, context) == 0 else { return false }
        pthread_detach(thread)
        return true
    }

    private func serve() -> Never {
        while true {
            condition.lock()
            while pending.isEmpty {
                idle += 1
                condition.wait()
                idle -= 1
            }
            let h = pending.removeFirst()
            h.state = .running
            condition.unlock()
            h.body()
            condition.lock()
            h.state = .done
            condition.broadcast()
            condition.unlock()
        }
    }
}
