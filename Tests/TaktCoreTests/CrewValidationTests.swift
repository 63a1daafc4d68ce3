import XCTest
@testable import TaktCore

/// Repair crews against the machine-repairman model: N machines, each up for an exponential
/// time (clock failures), repaired in an exponential time by one of a crew of c, the oldest
/// waiting repair first. The number down is a finite-source birth-death chain:
/// p(n) ∝ N!/(N−n)! (λ/μ)^n / a(n), a(n) = n! for n ≤ c and c!·c^(n−c) beyond.
final class CrewValidationTests: XCTestCase {
    struct Exact {
        let down: Double, utilization: Double, queue: Double, wait: Double
    }

    func exact(machines n: Int, crew c: Int, up: Double, repair: Double) -> Exact {
        let ratio = repair / up
        var p: [Double] = [1]
        for k in 1...n { p.append(p[k - 1] * Double(n - k + 1) * ratio / Double(min(k, c))) }
        let total = p.reduce(0, +)
        p = p.map { $0 / total }
        let meanDown = p.indices.reduce(0.0) { $0 + Double($1) * p[$1] }
        let busy = p.indices.reduce(0.0) { $0 + Double(min($1, c)) * p[$1] }
        let queue = p.indices.reduce(0.0) { $0 + Double(max($1 - c, 0)) * p[$1] }
        // Little: repairs are asked at the rate the machines that are up fail.
        let failureRate = (Double(n) - meanDown) / up
        return Exact(down: meanDown / Double(n), utilization: busy / Double(c), queue: queue, wait: queue / failureRate)
    }

    func plant(machines n: Int, crew c: Int, up: Double, repair: Double) -> ModelSpec {
        var m = ModelSpec()
        m.crews = [CrewSpec(name: "repairers", size: c)]
        m.sinks = [SinkSpec(name: "done")]
        for i in 0..<n {
            m.sources.append(SourceSpec(name: "feed\(i)", interarrival: nil, saturated: true, routing: .next(.station(i))))
            m.stations.append(StationSpec(name: "m\(i)", process: .exponential(mean: 1),
                                          failures: [FailureSpec(name: "wear", up: .exponential(mean: up), down: .exponential(mean: repair),
                                                                 clock: .clock, crew: 0)],
                                          routing: .next(.sink(0))))
        }
        return m
    }

    func check(machines n: Int, crew c: Int, up: Double, repair: Double) throws {
        let e = exact(machines: n, crew: c, up: up, repair: repair)
        let r = try Simulation.run(plant(machines: n, crew: c, up: up, repair: repair),
                                   settings: RunSettingsCore(warmup: 1_000, horizon: 200_000, seed: 3), replications: 8).replications
        assertNear(r.map { $0.stations.map(\.down).reduce(0, +) / Double(n) }, e.down, "down")
        assertNear(r.map { $0.crews[0].utilization }, e.utilization, "crew utilization")
        assertNear(r.map { $0.crews[0].queue }, e.queue, "repairs waiting")
        assertNear(r.compactMap { $0.crews[0].wait }, e.wait, "wait for a member")
    }

    func testOneRepairerForFiveMachines() throws {
        try check(machines: 5, crew: 1, up: 10, repair: 3)
    }

    func testTwoRepairersForSixMachines() throws {
        try check(machines: 6, crew: 2, up: 8, repair: 5)
    }

    /// Without a crew each machine has its own repairer: the down fraction is repair / (up + repair).
    func testACrewAsLargeAsThePlantWaitsForNothing() throws {
        let e = exact(machines: 4, crew: 4, up: 10, repair: 3)
        XCTAssertEqual(e.down, 3.0 / 13.0, accuracy: 1e-12)
        XCTAssertEqual(e.queue, 0, accuracy: 1e-12)
        try check(machines: 4, crew: 4, up: 10, repair: 3)
    }
}

/// Scrap: a saturated station whose busy-time failures (preempt-resume) cost D/U of downtime
/// per unit of processing, and which scraps each finished part with probability p.
final class ScrapValidationTests: XCTestCase {
    func testASaturatedStationWithScrapAndFailures() throws {
        let process = 1.0, up = 20.0, down = 4.0, p = 0.1
        var m = ModelSpec()
        m.sources = [SourceSpec(name: "feed", interarrival: nil, saturated: true, routing: .next(.station(0)))]
        m.stations = [StationSpec(name: "m", process: .exponential(mean: process),
                                  failures: [FailureSpec(name: "f", up: .exponential(mean: up), down: .exponential(mean: down), clock: .busy)],
                                  routing: .next(.sink(0)), scrap: p)]
        m.sinks = [SinkSpec(name: "good")]
        let horizon = 100_000.0
        let r = try Simulation.run(m, settings: RunSettingsCore(warmup: 1_000, horizon: horizon, seed: 9), replications: 8).replications
        let utilization = 1 / (1 + down / up), completions = utilization / process
        assertNear(r.map { $0.stations[0].utilization }, utilization, "utilization")
        assertNear(r.map { $0.stations[0].processed / horizon }, completions, "completions")
        assertNear(r.map { $0.stations[0].scrapped / $0.stations[0].processed }, p, "scrapped share")
        assertNear(r.map(\.throughput), (1 - p) * completions, "good parts")
        for x in r { XCTAssertEqual(x.scrapped, x.stations[0].scrapped) }
    }
}
