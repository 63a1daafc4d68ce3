import XCTest
@testable import TaktCore

/// Trace sources: parts made at listed times, held in order while blocked.
final class TraceSourceTests: XCTestCase {
    /// Four orders (a at 0, b at 0, a at 1, b at 10) into a press with no queue: a runs 0–2,
    /// b waits at the source and runs 2–5, the second a 5–7, the second b 10–13.
    func testOrdersHeldInOrderWhileBlocked() throws {
        var m = ModelSpec()
        m.partTypes = [PartTypeSpec(name: "a"), PartTypeSpec(name: "b")]
        var source = SourceSpec(name: "orders", interarrival: nil, routing: .next(.station(0)))
        source.arrivals = [0, 0, 60, 600]
        source.arrivalTypes = [0, 1, 0, 1]
        m.sources = [source]
        m.stations = [StationSpec(name: "press", process: .constant(0), queueCapacity: 0, routing: .next(.sink(0)),
                                  typed: TypedWork(process: [.constant(120), .constant(180), .constant(0)]))]
        m.sinks = [SinkSpec(name: "done")]
        XCTAssertNil(m.structuralProblem())
        let r = try Simulation.run(m, settings: RunSettingsCore(warmup: 0, horizon: 1_200, seed: 1), replications: 1).replications[0]
        XCTAssertEqual(r.sinks[0].count, 4)
        XCTAssertEqual(r.parts[0].cycleTime!, (120 + 360) / 2, accuracy: 1e-9)
        XCTAssertEqual(r.parts[1].cycleTime!, (300 + 180) / 2, accuracy: 1e-9)
        XCTAssertEqual(r.stations[0].utilization, 600.0 / 1_200, accuracy: 1e-12)
        XCTAssertEqual(r.sources[0].blocked, 300.0 / 1_200, accuracy: 1e-12)
        XCTAssertEqual(r.sources[0].created, 4)
        // WIP: the time each part spent in the plant, over the horizon.
        XCTAssertEqual(r.wip, (120.0 + 300 + 360 + 180) / 1_200, accuracy: 1e-12)
    }

    /// With `when_full: lose`, an order that finds the press busy is lost, not held.
    func testLostOrdersAreNotHeld() throws {
        var m = ModelSpec()
        var source = SourceSpec(name: "orders", interarrival: nil, routing: .next(.station(0)), losesWhenFull: true)
        source.arrivals = [0, 30, 60, 150, 150]
        m.sources = [source]
        m.stations = [StationSpec(name: "press", process: .constant(100), queueCapacity: 0, routing: .next(.sink(0)))]
        m.sinks = [SinkSpec(name: "done")]
        let r = try Simulation.run(m, settings: RunSettingsCore(warmup: 0, horizon: 1_000, seed: 1), replications: 1).replications[0]
        XCTAssertEqual(r.sinks[0].count, 2)
        XCTAssertEqual(r.sources[0].lost, 3)
        XCTAssertEqual(r.sources[0].created, 2)
        XCTAssertEqual(r.sources[0].blocked, 0)
    }

    /// A Poisson trace (rate 1/2 a minute, 200,000 arrivals) into an exponential server of
    /// mean 1 minute is an M/M/1 queue at ρ = 0.5: its wait is 1 minute.
    func testPoissonTraceIntoOneServer() throws {
        var rng = RandomStream(seed: 99)
        var t = 0.0
        var times: [Double] = []
        for _ in 0..<200_000 {
            t += Distribution.exponential(mean: 120).sample(&rng)
            times.append(t)
        }
        var m = ModelSpec()
        var source = SourceSpec(name: "trace", interarrival: nil, routing: .next(.station(0)))
        source.arrivals = times
        m.sources = [source]
        m.stations = [StationSpec(name: "m", process: .exponential(mean: 60), routing: .next(.sink(0)))]
        m.sinks = [SinkSpec(name: "done")]
        let reps = try Simulation.run(m, settings: RunSettingsCore(warmup: 0, horizon: times.last!, seed: 3), replications: 4).replications
        let wait = reps.map { $0.stations[0].wait! }.reduce(0, +) / 4
        let utilization = reps.map { $0.stations[0].utilization }.reduce(0, +) / 4
        XCTAssertEqual(wait, 60, accuracy: 60 * 0.05)
        XCTAssertEqual(utilization, 0.5, accuracy: 0.01)
        XCTAssertTrue(reps.allSatisfy { $0.sources[0].created == 200_000 })
    }

    func testBadTracesAreRejected() {
        var m = ModelSpec()
        var source = SourceSpec(name: "orders", interarrival: nil, routing: .next(.station(0)))
        source.arrivals = [5, 3]
        m.sources = [source]
        m.stations = [StationSpec(name: "m", process: .constant(1), routing: .next(.sink(0)))]
        m.sinks = [SinkSpec(name: "done")]
        XCTAssertNotNil(m.structuralProblem())
        m.sources[0].arrivals = [3, 5]
        XCTAssertNil(m.structuralProblem())
        m.sources[0].arrivalTypes = [0]
        XCTAssertNotNil(m.structuralProblem())
        m.sources[0].arrivalTypes = nil
        m.sources[0].limit = 1
        XCTAssertNotNil(m.structuralProblem())
    }
}
