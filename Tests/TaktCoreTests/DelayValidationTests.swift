import XCTest
@testable import TaktCore

/// Buffers with a delay: a Poisson stream through a delay of any distribution, with unlimited
/// room, is an M/G/∞ queue whose output is again Poisson, so the station after it is M/M/1.
final class DelayValidationTests: XCTestCase {
    func testADelayBeforeAnMM1Queue() throws {
        let lambda = 0.6, delay = 3.0
        var m = ModelSpec()
        m.sources = [SourceSpec(name: "s", interarrival: .exponential(mean: 1 / lambda), routing: .next(.buffer(0)))]
        var belt = BufferSpec(name: "belt", capacity: nil, routing: .next(.station(0)))
        belt.delay = .uniform(low: 1, high: 5)
        m.buffers = [belt]
        m.stations = [StationSpec(name: "m", process: .exponential(mean: 1), routing: .next(.sink(0)))]
        m.sinks = [SinkSpec(name: "done")]
        XCTAssertNil(m.structuralProblem())
        let r = try Simulation.run(m, settings: RunSettingsCore(warmup: 1_000, horizon: 200_000, seed: 4), replications: 8).replications
        let rho = lambda, lq = rho * rho / (1 - rho)
        assertNear(r.map { $0.buffers[0].level }, lambda * delay + lq, "belt level")
        // The station's wait runs from entering the buffer feeding it: the delay, then the queue.
        assertNear(r.compactMap { $0.stations[0].wait }, delay + lq / lambda, "wait")
        assertNear(r.compactMap(\.cycleTime), delay + 1 / (1 - rho), "cycle time")
    }

    /// Parts overtake: one delayed 5 and one delayed 1 after it leave in the order they are ready.
    func testPartsLeaveInTheOrderTheyBecomeReady() throws {
        var m = ModelSpec()
        m.partTypes = [PartTypeSpec(name: "slow"), PartTypeSpec(name: "fast")]
        m.sources = [SourceSpec(name: "s", interarrival: .constant(1), limit: 2, routing: .next(.buffer(0)),
                                mix: [TypeShare(type: 0, weight: 0.5), TypeShare(type: 1, weight: 0.5)])]
        var belt = BufferSpec(name: "belt", capacity: 10, routing: .next(.station(0)))
        belt.delay = .empirical([1, 10])
        m.buffers = [belt]
        m.stations = [StationSpec(name: "m", process: .constant(0), routing: .next(.sink(0)))]
        m.sinks = [SinkSpec(name: "done")]
        for seed in 1...20 {
            let r = try Simulation.run(m, settings: RunSettingsCore(warmup: 0, horizon: 100, seed: UInt64(seed)), replications: 1).replications[0]
            XCTAssertEqual(r.sinks[0].count, 2)
            // Whatever the draws, each part spends exactly its own delay: the mean cycle is the
            // mean of the two delays, which are each 1 or 10.
            XCTAssertTrue([1.0, 5.5, 10.0].contains { abs($0 - r.cycleTime!) < 1e-9 }, "\(r.cycleTime!)")
        }
    }
}
