import XCTest
@testable import TaktCore

/// A run that cannot end well ends early with a reason naming the element, never by the
/// allocator aborting or by spinning forever.
final class RunGuardTests: XCTestCase {
    private func line(every: Distribution, process: Distribution = .constant(60), buffered: Bool = false) -> ModelSpec {
        var m = ModelSpec()
        m.sources = [SourceSpec(name: "jobs", interarrival: every, routing: .next(buffered ? .buffer(0) : .station(0)))]
        if buffered { m.buffers = [BufferSpec(name: "b", capacity: nil, routing: .next(.station(0)))] }
        m.stations = [StationSpec(name: "m1", process: process, routing: .next(.sink(0)))]
        m.sinks = [SinkSpec(name: "done")]
        return m
    }

    private func error(_ m: ModelSpec, _ settings: RunSettingsCore) -> SimulationError? {
        do {
            _ = try Simulation.run(m, settings: settings, replications: 2, jobs: 2)
            return nil
        } catch let e as SimulationError {
            return e
        } catch {
            return .cancelled
        }
    }

    func testPartsPilingUpInAQueueStopAtTheLimit() {
        let settings = RunSettingsCore(warmup: 0, horizon: 600, seed: 1, maxParts: 5_000)
        guard case .tooManyParts(let t, let element, let held, let entered)? = error(line(every: .constant(0.01)), settings) else {
            return XCTFail("expected tooManyParts")
        }
        // Halted at the part past the limit: 5,000 waiting and one in service.
        XCTAssertEqual(element, .station(0))
        XCTAssertEqual(held, 5_000)
        XCTAssertEqual(entered, 5_001)
        XCTAssertEqual(t, 50.01, accuracy: 1e-9)       // the 5,001st arrival, one every 0.01 s
    }

    func testPartsPilingUpInABufferNameTheBuffer() {
        let settings = RunSettingsCore(warmup: 0, horizon: 600, seed: 1, maxParts: 2_000)
        guard case .tooManyParts(_, let element, let held, _)? = error(line(every: .exponential(mean: 0.01), buffered: true), settings) else {
            return XCTFail("expected tooManyParts")
        }
        XCTAssertEqual(element, .buffer(0))
        XCTAssertEqual(held, 2_000)
    }

    func testAStablePlantNeverMeetsTheLimit() {
        let settings = RunSettingsCore(warmup: 0, horizon: 100_000, seed: 1, maxParts: 50)
        XCTAssertNil(error(line(every: .exponential(mean: 100), process: .exponential(mean: 50)), settings))
    }

    func testTimeThatStopsAdvancingIsARunaway() {
        // Interarrival times of the smallest double: every event at its own instant, yet time stands still.
        let settings = RunSettingsCore(warmup: 0, horizon: 60, seed: 1, stallTolerance: 1e-9 * 60)
        guard case .runaway(_, let element)? = error(line(every: .constant(.leastNonzeroMagnitude)), settings) else {
            return XCTFail("expected runaway")
        }
        XCTAssertEqual(element, .source(0))
    }

    func testFailuresWithoutDurationAreARunawayAtTheirStation() {
        var m = line(every: .constant(60))
        m.stations[0].failures = [FailureSpec(name: "f", up: .constant(.leastNonzeroMagnitude), down: .constant(.leastNonzeroMagnitude), clock: .clock)]
        let settings = RunSettingsCore(warmup: 0, horizon: 60, seed: 1, stallTolerance: 1e-9 * 60)
        guard case .runaway(_, let element)? = error(m, settings) else { return XCTFail("expected runaway") }
        XCTAssertEqual(element, .station(0))
    }

    func testTheMemoryEstimateGrowsWithServersAndFailureModes() {
        var m = line(every: .constant(1))
        let small = MemoryBudget.bytesPerReplication(m)
        m.stations[0].servers = 1_000_000
        let large = MemoryBudget.bytesPerReplication(m)
        m.stations[0].failures = [FailureSpec(name: "f", up: .exponential(mean: 9), down: .constant(1), clock: .busy)]
        let withFailures = MemoryBudget.bytesPerReplication(m)
        XCTAssertGreaterThan(large, small + 64 * 1_000_000)
        XCTAssertGreaterThan(withFailures, large + 100 * 1_000_000)
        XCTAssertGreaterThan(MemoryBudget.available(reservingStacks: 0), 0)
    }
}

/// The batch API and the persistent pool behind every run.
final class BatchTests: XCTestCase {
    private func mm1(_ mean: Double) -> ModelSpec {
        var m = ModelSpec()
        m.sources = [SourceSpec(name: "in", interarrival: .exponential(mean: 1), routing: .next(.station(0)))]
        m.stations = [StationSpec(name: "m", process: .exponential(mean: mean), routing: .next(.sink(0)))]
        m.sinks = [SinkSpec(name: "out")]
        return m
    }

    /// A batch of several models gives, run by run, what separate runs give, whatever the workers.
    func testABatchEqualsSeparateRuns() throws {
        let settings = RunSettingsCore(warmup: 10, horizon: 2_000, seed: 5)
        let models = [mm1(0.5), mm1(0.8), mm1(0.9)]
        var runs: [Simulation.BatchRun] = []
        for k in 0..<4 { for m in models.indices { runs.append(.init(model: m, settings: settings, replication: k)) } }
        let one = try Simulation.runBatch(models: models, runs: runs, jobs: 1)
        let three = try Simulation.runBatch(models: models, runs: runs, jobs: 3)
        for (i, run) in runs.enumerated() {
            let alone = try Simulation.run(models[run.model], settings: settings, replications: 1, jobs: 1, firstReplication: run.replication)
            XCTAssertEqual(try one[i].get().wip, alone.replications[0].wip)
            XCTAssertEqual(try three[i].get().wip, alone.replications[0].wip)
            XCTAssertEqual(try three[i].get().events, alone.replications[0].events)
        }
    }

    /// In a batch each run keeps its own error; the others still run.
    func testABatchReturnsEachRunsOwnError() throws {
        var stuck = mm1(0.5)
        stuck.sources[0].interarrival = .constant(.leastNonzeroMagnitude)
        let settings = RunSettingsCore(warmup: 0, horizon: 60, seed: 1, stallTolerance: 1e-9)
        let runs = [Simulation.BatchRun(model: 0, settings: settings, replication: 0),
                    Simulation.BatchRun(model: 1, settings: settings, replication: 0),
                    Simulation.BatchRun(model: 0, settings: settings, replication: 1)]
        let results = try Simulation.runBatch(models: [mm1(0.5), stuck], runs: runs, jobs: 2)
        XCTAssertNoThrow(try results[0].get())
        XCTAssertThrowsError(try results[1].get())
        XCTAssertNoThrow(try results[2].get())
    }

    /// Many short runs, nested runs from inside a worker, and more workers than cores all
    /// finish (the pool grows on demand; a nested caller does its own work).
    func testManyShortAndNestedRunsFinish() throws {
        let settings = RunSettingsCore(warmup: 0, horizon: 50, seed: 2)
        for _ in 0..<300 { _ = try Simulation.run(mm1(0.5), settings: settings, replications: 3, jobs: 3) }
        let outer = ResultSlots(count: 8)
        WorkerPool.shared.run(workers: 8) {
            while let k = outer.take(stopAtFailure: false) {
                let r = try? Simulation.run(self.mm1(0.5), settings: settings, replications: 4, jobs: 4)
                outer.set(k, r.map { .success($0.replications[0]) } ?? .failure(.cancelled))
            }
        }
        for k in 0..<8 { XCTAssertNotNil(try outer.get(k)?.get()) }
    }

    func testTheLowestFailingReplicationIsReportedWhateverTheWorkers() {
        // Replication 2 of 6 deadlocks-free but every replication stalls: the error is replication 0's.
        var m = mm1(0.5)
        m.sources[0].interarrival = .constant(.leastNonzeroMagnitude)
        let settings = RunSettingsCore(warmup: 0, horizon: 60, seed: 1, stallTolerance: 1e-9)
        for jobs in [1, 2, 4] {
            XCTAssertThrowsError(try Simulation.run(m, settings: settings, replications: 6, jobs: jobs)) { e in
                guard case SimulationError.runaway(_, let element) = e else { return XCTFail("\(e)") }
                XCTAssertEqual(element, .source(0))
            }
        }
    }
}

/// Run-time deciders: one per replication from a factory, and the core's own check refuses a
/// choice whose decider the run does not have (it used to route nothing, silently).
final class DeciderTests: XCTestCase {
    /// Alternates between the destinations by its own count: state that a decider shared
    /// between workers would interleave.
    struct Alternating: RoutingDecider {
        var made = 0
        mutating func choose(options: Int, plant: PlantState) -> Int {
            made += 1
            return made % options
        }
    }

    private func plant() -> ModelSpec {
        var m = ModelSpec()
        m.sources = [SourceSpec(name: "in", interarrival: .exponential(mean: 1), routing: .rule(.decider(0), [.station(0), .station(1)]))]
        m.stations = [StationSpec(name: "a", process: .exponential(mean: 1.5), routing: .next(.sink(0))),
                      StationSpec(name: "b", process: .exponential(mean: 1.5), routing: .next(.sink(0)))]
        m.sinks = [SinkSpec(name: "out")]
        return m
    }

    func testAChoiceWithoutItsDeciderIsRefused() {
        XCTAssertNotNil(plant().structuralProblem())
        XCTAssertThrowsError(try Simulation.run(plant(), settings: RunSettingsCore(warmup: 0, horizon: 100, seed: 1), replications: 2)) { e in
            guard case SimulationError.invalidModel(let why) = e else { return XCTFail("\(e)") }
            XCTAssertTrue(why.contains("decider #0 does not exist"), why)
        }
    }

    func testEachReplicationHasItsOwnDecider() throws {
        let settings = RunSettingsCore(warmup: 0, horizon: 5_000, seed: 3)
        let factory: DeciderFactory = { _ in Alternating() }
        let one = try Simulation.run(plant(), settings: settings, replications: 6, jobs: 1, deciders: [factory])
        let two = try Simulation.run(plant(), settings: settings, replications: 6, jobs: 2, deciders: [factory])
        for (x, y) in zip(one.replications, two.replications) {
            XCTAssertEqual(x.wip, y.wip)
            XCTAssertEqual(x.stations.map(\.processed), y.stations.map(\.processed))
            // Alternating sends the parts to the two stations in turn: their completions differ
            // by at most the parts still in the plant at the end, and one.
            XCTAssertEqual(x.stations[0].processed, x.stations[1].processed, accuracy: Double(x.partsAtEnd) + 1)
        }
        XCTAssertGreaterThan(one.replications[0].throughput, 0)
    }
}

/// Sources that lose arrivals when full, against Erlang's loss formula, and the source
/// results every source reports.
final class SourceResultTests: XCTestCase {
    /// M/M/c/c: offered load a = 1 erlang on c lines loses B(c, a) of the calls
    /// (B(1) = 1/2, B(2) = 1/5, B(3) = 1/16).
    func testLostCallsFollowErlangB() throws {
        for (c, blocking) in [(1, 0.5), (2, 0.2), (3, 1.0 / 16)] {
            var m = ModelSpec()
            m.sources = [SourceSpec(name: "calls", interarrival: .exponential(mean: 60), routing: .next(.station(0)), losesWhenFull: true)]
            m.stations = [StationSpec(name: "desk", servers: c, process: .exponential(mean: 60), queueCapacity: 0, routing: .next(.sink(0)))]
            m.sinks = [SinkSpec(name: "done")]
            let reps = try Simulation.run(m, settings: RunSettingsCore(warmup: 6_000, horizon: 600_000, seed: 11), replications: 8).replications
            var shares: [Double] = []
            for r in reps {
                let s = r.sources[0]
                shares.append(s.lost / (s.created + s.lost))
                XCTAssertEqual(s.blocked, 0)   // a losing source never holds a part
                XCTAssertEqual(r.partsAtStart + Int(s.created), Int(r.sinks[0].count) + r.partsAtEnd)
            }
            let e = try XCTUnwrap(Estimate.of(shares))
            XCTAssertEqual(e.mean, blocking, accuracy: 3 * (e.ci ?? 0) + 1e-3, "c = \(c)")
        }
    }

    /// A waiting source with no room holds its part: blocked is the fraction of time it holds
    /// one. One server, no queue, arrivals drawn when the held part leaves: a renewal cycle of
    /// an interarrival (mean 1) and the rest of a service (memoryless, mean 1, when busy):
    /// the source is blocked 1/3 of the time (P(busy at arrival) = 1/2, times 1, over a cycle of 1.5).
    func testABlockedSourceReportsItsBlockedTime() throws {
        var m = ModelSpec()
        m.sources = [SourceSpec(name: "in", interarrival: .exponential(mean: 60), routing: .next(.station(0)))]
        m.stations = [StationSpec(name: "m", process: .exponential(mean: 60), queueCapacity: 0, routing: .next(.sink(0)))]
        m.sinks = [SinkSpec(name: "out")]
        let reps = try Simulation.run(m, settings: RunSettingsCore(warmup: 600, horizon: 600_000, seed: 4), replications: 6).replications
        let e = try XCTUnwrap(Estimate.of(reps.map { $0.sources[0].blocked }))
        XCTAssertEqual(e.mean, 1.0 / 3, accuracy: 3 * (e.ci ?? 0) + 2e-3)
        XCTAssertTrue(reps.allSatisfy { $0.sources[0].lost == 0 })
    }
}
