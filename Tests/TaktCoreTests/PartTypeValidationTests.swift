import XCTest
@testable import TaktCore

/// Part types against exact results: process times by type (an M/G/1 queue whose service is
/// a mixture, solved by Pollaczek–Khinchine), a split by type, and setups on a change of type
/// at a saturated station (a renewal argument).
final class PartTypeValidationTests: XCTestCase {
    /// Poisson arrivals at rate λ, 70% of type a (exponential service of mean 0.6) and 30% of
    /// type b (mean 1.5): E[S] = 0.87, E[S²] = 0.7·2·0.36 + 0.3·2·2.25, and each type waits
    /// W = λE[S²] / 2(1 − ρ) before its own service. A split by type sends each to its sink.
    func testProcessTimesByTypeAndASplitByType() throws {
        let lambda = 0.9, pa = 0.7, ma = 0.6, mb = 1.5
        var m = ModelSpec()
        m.partTypes = [PartTypeSpec(name: "a"), PartTypeSpec(name: "b")]
        m.sources = [SourceSpec(name: "orders", interarrival: .exponential(mean: 1 / lambda), routing: .next(.station(0)),
                                mix: [TypeShare(type: 0, weight: pa), TypeShare(type: 1, weight: 1 - pa)])]
        m.stations = [StationSpec(name: "m", process: .constant(0), routing: .byType([0, 1, 1], [.sink(0), .sink(1)]),
                                  typed: TypedWork(process: [.exponential(mean: ma), .exponential(mean: mb), .constant(0)]))]
        m.sinks = [SinkSpec(name: "da"), SinkSpec(name: "db")]
        XCTAssertNil(m.structuralProblem())
        let horizon = 200_000.0
        let r = try Simulation.run(m, settings: RunSettingsCore(warmup: 2_000, horizon: horizon, seed: 5), replications: 8).replications
        let es = pa * ma + (1 - pa) * mb, es2 = pa * 2 * ma * ma + (1 - pa) * 2 * mb * mb
        let rho = lambda * es, w = lambda * es2 / (2 * (1 - rho))
        assertNear(r.map { $0.stations[0].utilization }, rho, "utilization")
        assertNear(r.compactMap { $0.stations[0].wait }, w, "wait")
        assertNear(r.compactMap { $0.parts[0].cycleTime }, w + ma, "cycle time of a")
        assertNear(r.compactMap { $0.parts[1].cycleTime }, w + mb, "cycle time of b")
        assertNear(r.map { $0.parts[0].throughput }, lambda * pa, "throughput of a")
        assertNear(r.map { $0.parts[0].wip }, lambda * pa * (w + ma), "wip of a (Little)")
        assertNear(r.map { $0.parts[1].wip }, lambda * (1 - pa) * (w + mb), "wip of b (Little)")
        for x in r {
            // The split sends each type to its own sink, and nothing else.
            XCTAssertEqual(x.sinks[0].count, x.parts[0].count)
            XCTAssertEqual(x.sinks[1].count, x.parts[1].count)
            XCTAssertEqual(x.sinks[0].parts[1].count, 0)
            XCTAssertEqual(x.sinks[1].parts[0].count, 0)
            XCTAssertEqual(x.parts.map(\.wip).reduce(0, +), x.wip, accuracy: 1e-9 * x.wip)
        }
    }

    /// A saturated station whose parts' types are drawn 60/40: consecutive parts differ with
    /// probability 2pq, a to b costs a setup of 2, b to a one of 0.5. Busy-time failures count
    /// setup as busy. Per part: processing p·ma + q·mb, setup pq(2 + 0.5), and down time D/U of
    /// both, so each fraction is its time per part over the total.
    func testSetupsOnATypeChangeAtASaturatedStation() throws {
        let p = 0.6, q = 0.4, ma = 1.0, mb = 2.0, sab = 2.0, sba = 0.5, up = 30.0, down = 5.0
        var m = ModelSpec()
        m.partTypes = [PartTypeSpec(name: "a"), PartTypeSpec(name: "b")]
        m.sources = [SourceSpec(name: "feed", interarrival: nil, saturated: true, routing: .next(.station(0)),
                                mix: [TypeShare(type: 0, weight: p), TypeShare(type: 1, weight: q)])]
        var setup = [Distribution?](repeating: nil, count: 9)
        setup[0 * 3 + 1] = .exponential(mean: sab)
        setup[1 * 3 + 0] = .constant(sba)
        m.stations = [StationSpec(name: "m", process: .constant(0),
                                  failures: [FailureSpec(name: "f", up: .exponential(mean: up), down: .exponential(mean: down), clock: .busy)],
                                  routing: .next(.sink(0)),
                                  typed: TypedWork(process: [.exponential(mean: ma), .uniform(low: 1, high: 3), .constant(0)], setup: setup))]
        m.sinks = [SinkSpec(name: "done")]
        let horizon = 100_000.0
        let r = try Simulation.run(m, settings: RunSettingsCore(warmup: 1_000, horizon: horizon, seed: 11), replications: 8).replications
        let processing = p * ma + q * mb, setupTime = p * q * (sab + sba)
        let perPart = (processing + setupTime) * (1 + down / up)
        assertNear(r.map { $0.stations[0].utilization }, processing / perPart, "processing")
        assertNear(r.map { $0.stations[0].setup }, setupTime / perPart, "setup")
        assertNear(r.map { $0.stations[0].down }, (processing + setupTime) * down / up / perPart, "down")
        assertNear(r.map(\.throughput), 1 / perPart, "throughput")
        for x in r {
            let s = x.stations[0]
            XCTAssertEqual(s.utilization + s.blocked + s.starved + s.down + s.setup, 1, accuracy: 1e-9)
        }
    }

    /// Never a setup for a server's first part, nor between parts of one type.
    func testNoSetupForTheFirstPartOrTheSameType() throws {
        var m = ModelSpec()
        m.partTypes = [PartTypeSpec(name: "a")]
        m.sources = [SourceSpec(name: "feed", interarrival: .constant(10), limit: 5, routing: .next(.station(0)), mix: [TypeShare(type: 0, weight: 1)])]
        m.stations = [StationSpec(name: "m", process: .constant(1), routing: .next(.sink(0)),
                                  typed: TypedWork(setup: [nil, .constant(100), .constant(100), nil]))]
        m.sinks = [SinkSpec(name: "done")]
        let r = try Simulation.run(m, settings: RunSettingsCore(warmup: 0, horizon: 100, seed: 1), replications: 1).replications[0]
        XCTAssertEqual(r.stations[0].setup, 0)
        XCTAssertEqual(r.sinks[0].count, 5)
        XCTAssertEqual(r.cycleTime!, 1, accuracy: 1e-12)
    }
}
