import XCTest
@testable import TaktCore

/// A two-input assembly against a birth–death chain: parts a and b arrive as Poisson streams
/// (rates λa, λb) into buffers of Ka and Kb, losing arrivals that find theirs full, and an
/// instant assembly consumes one of each as soon as both wait. At most one type waits at a
/// time: n = (a waiting) − (b waiting) moves up at λa below Ka and down at λb above −Kb, so
/// p(n) ∝ (λa/λb)^n on −Kb…Ka.
final class AssemblyValidationTests: XCTestCase {
    func testTwoPoissonInputsThroughFiniteBuffers() throws {
        let la = 0.9, lb = 1.0, ka = 3, kb = 5
        var m = ModelSpec()
        m.partTypes = [PartTypeSpec(name: "a"), PartTypeSpec(name: "b"), PartTypeSpec(name: "ab")]
        m.sources = [
            SourceSpec(name: "sa", interarrival: .exponential(mean: 1 / la), routing: .next(.buffer(0)), losesWhenFull: true,
                       mix: [TypeShare(type: 0, weight: 1)]),
            SourceSpec(name: "sb", interarrival: .exponential(mean: 1 / lb), routing: .next(.buffer(1)), losesWhenFull: true,
                       mix: [TypeShare(type: 1, weight: 1)]),
        ]
        m.buffers = [BufferSpec(name: "ba", capacity: ka, routing: .next(.station(0))),
                     BufferSpec(name: "bb", capacity: kb, routing: .next(.station(0)))]
        var s = StationSpec(name: "join", process: .constant(0), routing: .next(.sink(0)))
        s.assemble = [(0, 1), (1, 1)]
        s.makes = 2
        m.stations = [s]
        m.sinks = [SinkSpec(name: "done")]
        XCTAssertNil(m.structuralProblem())
        let r = try Simulation.run(m, settings: RunSettingsCore(warmup: 1_000, horizon: 400_000, seed: 12), replications: 8).replications
        let states = Array(-kb...ka)
        let weights = states.map { pow(la / lb, Double($0)) }
        let total = weights.reduce(0, +)
        func p(_ n: Int) -> Double { weights[n + kb] / total }
        let throughput = la * (1 - p(ka))
        let levelA = states.reduce(0.0) { $0 + Double(max($1, 0)) * p($1) }
        let levelB = states.reduce(0.0) { $0 + Double(max(-$1, 0)) * p($1) }
        assertNear(r.map(\.throughput), throughput, "products")
        assertNear(r.map { $0.buffers[0].level }, levelA, "a waiting")
        assertNear(r.map { $0.buffers[1].level }, levelB, "b waiting")
        assertNear(r.map { $0.sources[0].lost / 400_000 }, la * p(ka), "a lost")
        assertNear(r.map { $0.sources[1].lost / 400_000 }, lb * p(-kb), "b lost")
        for x in r {
            XCTAssertEqual(x.parts[2].count, x.sinks[0].count)
            // Every part made is absorbed, consumed, or still there.
            XCTAssertEqual(x.partsAtStart + x.partsCreated, Int(x.sinks[0].count) + x.consumed + x.partsAtEnd)
            XCTAssertEqual(x.wip, x.buffers[0].level + x.buffers[1].level, accuracy: 1e-6)
        }
    }
}
