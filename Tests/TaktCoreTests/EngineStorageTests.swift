import XCTest
@testable import TaktCore

/// The engine's plain-data stand-ins must behave exactly like what they replace.
final class EngineStorageTests: XCTestCase {
    /// A Sampler draws bit for bit what its Distribution draws from the same stream.
    func testSamplerDrawsWhatTheDistributionDraws() {
        let all: [Distribution] = [
            .constant(3), .exponential(mean: 2), .uniform(low: 1, high: 4), .triangular(low: 1, mode: 2, high: 5),
            .triangular(low: 2, mode: 2, high: 2), .normal(mean: 3, sd: 2), .normal(mean: 3, sd: 0),
            .lognormal(mean: 4, sd: 1.5), .erlang(k: 4, mean: 6), .gamma(shape: 0.7, mean: 2), .gamma(shape: 3, mean: 2),
            .weibull(shape: 1.5, scale: 3), .empirical([1, 2.5, 7]),
        ]
        for d in all {
            let sampler = Sampler(d)
            defer { sampler.free() }
            var a = RandomStream(seed: 77, name: "\(d)"), b = a
            for i in 0..<5_000 {
                let x = d.sample(&a), y = sampler.sample(&b, Ziggurat.tables)
                XCTAssertEqual(x.bitPattern, y.bitPattern, "draw \(i) of \(d)")
                if x.bitPattern != y.bitPattern { break }
            }
        }
    }

    /// The ring keeps FIFO order across growth and wrap-around.
    func testRingIsFIFOAcrossGrowth() {
        var ring = Ring<Int32>()
        defer { ring.free() }
        var reference: [Int32] = []
        var rng = RandomStream(seed: 3)
        var next: Int32 = 0
        for _ in 0..<20_000 {
            if rng.next() % 3 != 0 || reference.isEmpty {
                ring.append(next)
                reference.append(next)
                next += 1
            } else {
                XCTAssertEqual(ring.first, reference.first)
                XCTAssertEqual(ring.removeFirst(), reference.removeFirst())
            }
            XCTAssertEqual(ring.count, reference.count)
        }
        while let x = reference.first {
            XCTAssertEqual(ring.removeFirst(), x)
            reference.removeFirst()
        }
        XCTAssertTrue(ring.isEmpty)
    }

    /// Splits (by weight or type), random, round robin and deciders fix the destination when the part finishes.
    func testOnlyTheKindsThatFixADestinationDrawAtFinish() {
        for kind in Route.Kind.allCases {
            var r = Route(.none, destinations: &scratchDestinations, weights: &scratchWeights, branches: &scratchBranches)
            r.kind = kind
            XCTAssertEqual(r.drawsAtFinish, [.split, .byType, .random, .roundRobin, .decider].contains(kind), "\(kind)")
        }
    }

    private var scratchDestinations: [NodeRef] = []
    private var scratchWeights: [Double] = []
    private var scratchBranches: [Int32] = []

    /// Records are laid out to the cache lines the engine is written for.
    func testRecordSizes() {
        XCTAssertEqual(MemoryLayout<Replication.StationRT>.stride, 256)
        XCTAssertEqual(MemoryLayout<Replication.StationRT>.offset(of: \.process), 64)
        XCTAssertEqual(MemoryLayout<Replication.ServerRT>.stride, 64)
        XCTAssertEqual(MemoryLayout<Replication.BufferRT>.stride, 128)
        XCTAssertEqual(MemoryLayout<Route>.size, 24)
    }
}
