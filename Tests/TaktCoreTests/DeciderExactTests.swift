import XCTest
@testable import TaktCore

/// A decider that reads the plant, held against the exact Markov chain of the policy it
/// follows: routing on arrival to a fast and a slow server (docs/agents.md).
final class DeciderExactTests: XCTestCase {
    let minute = 60.0

    /// Fast unless it holds more than twice the slow one's parts plus one.
    static func policy(_ fast: Int, _ slow: Int) -> Int { fast <= 2 * slow + 1 ? 0 : 1 }

    struct Threshold: RoutingDecider {
        var decisions = 0
        let counter: Counter?
        mutating func choose(options: Int, plant: PlantState) -> Int {
            decisions += 1
            return DeciderExactTests.policy(plant.count(station: 0), plant.count(station: 1))
        }
        mutating func finish(plant: PlantState) { counter?.add(decisions) }
    }

    final class Counter: @unchecked Sendable {
        private var total = 0
        private let lock = NSLock()
        func add(_ n: Int) { lock.lock(); total += n; lock.unlock() }
        var value: Int { lock.lock(); defer { lock.unlock() }; return total }
    }

    func plant() -> ModelSpec {
        var m = ModelSpec()
        m.sources = [SourceSpec(name: "jobs", interarrival: .exponential(mean: 1.25 * minute), routing: .rule(.decider(0), [.station(0), .station(1)]))]
        m.stations = [StationSpec(name: "fast", process: .exponential(mean: minute), routing: .next(.sink(0))),
                      StationSpec(name: "slow", process: .exponential(mean: 2 * minute), routing: .next(.sink(0)))]
        m.sinks = [SinkSpec(name: "done")]
        return m
    }

    /// The mean number of parts in the plant under `policy`, from the chain truncated at 60
    /// parts per station (the probability up there is negligible at this load), by power
    /// iteration of the uniformized chain.
    func exactWIP() -> Double {
        let n = 60, lambda = 0.8, mu1 = 1.0, mu2 = 0.5
        let uniform = lambda + mu1 + mu2
        var p = [Double](repeating: 0, count: (n + 1) * (n + 1))
        p[0] = 1
        func at(_ a: Int, _ b: Int) -> Int { a * (n + 1) + b }
        for iteration in 0..<400_000 {
            var next = [Double](repeating: 0, count: p.count)
            for a in 0...n {
                for b in 0...n {
                    let x = p[at(a, b)]
                    if x == 0 { continue }
                    var stay = uniform
                    if DeciderExactTests.policy(a, b) == 0 {
                        if a < n { next[at(a + 1, b)] += x * lambda / uniform; stay -= lambda }
                    } else if b < n {
                        next[at(a, b + 1)] += x * lambda / uniform; stay -= lambda
                    }
                    if a > 0 { next[at(a - 1, b)] += x * mu1 / uniform; stay -= mu1 }
                    if b > 0 { next[at(a, b - 1)] += x * mu2 / uniform; stay -= mu2 }
                    next[at(a, b)] += x * stay / uniform
                }
            }
            let change = zip(next, p).reduce(0.0) { max($0, abs($1.0 - $1.1)) }
            p = next
            if iteration > 100 && change < 1e-14 { break }
        }
        var wip = 0.0
        for a in 0...n { for b in 0...n { wip += Double(a + b) * p[at(a, b)] } }
        return wip
    }

    func testTheDecidersPolicyMatchesItsMarkovChain() throws {
        let exact = exactWIP()
        let counter = Counter()
        let settings = RunSettingsCore(warmup: 1_000 * minute, horizon: 400_000 * minute, seed: 5)
        let out = try Simulation.run(plant(), settings: settings, replications: 4, deciders: [{ _ in Threshold(counter: counter) }])
        let wip = Estimate.of(out.replications.map(\.wip))!
        XCTAssertEqual(wip.mean, exact, accuracy: max(1.5 * (wip.ci ?? 0), 0.01 * exact), "exact \(exact), simulated \(wip.mean) ± \(wip.ci ?? 0)")
        // One decision per part made (no warm-up here, so every part made is counted).
        let counted = Counter()
        let short = try Simulation.run(plant(), settings: RunSettingsCore(warmup: 0, horizon: 5_000 * minute, seed: 5), replications: 3,
                                       deciders: [{ _ in Threshold(counter: counted) }])
        XCTAssertEqual(counted.value, short.replications.reduce(0) { $0 + $1.partsCreated })
    }

    /// A decider on a buffer picks when a part reaches the head, once per part, and the part
    /// waits there for that station.
    func testABufferDecidesAtItsHead() throws {
        struct Alternate: RoutingDecider {
            var k = 0
            let counter: Counter
            mutating func choose(options: Int, plant: PlantState) -> Int { k += 1; return k % 2 }
            mutating func finish(plant: PlantState) { counter.add(k) }
        }
        var m = ModelSpec()
        m.sources = [SourceSpec(name: "jobs", interarrival: .exponential(mean: 0.8 * minute), routing: .next(.buffer(0)))]
        m.buffers = [BufferSpec(name: "wait", capacity: nil, routing: .rule(.decider(0), [.station(0), .station(1)]))]
        m.stations = [StationSpec(name: "a", process: .exponential(mean: minute), routing: .next(.sink(0))),
                      StationSpec(name: "b", process: .exponential(mean: minute), routing: .next(.sink(0)))]
        m.sinks = [SinkSpec(name: "done")]
        let counter = Counter()
        let out = try Simulation.run(m, settings: RunSettingsCore(warmup: 0, horizon: 20_000 * minute, seed: 2), replications: 2,
                                     jobs: 1, deciders: [{ _ in Alternate(counter: counter) }])
        let made = out.replications.reduce(0) { $0 + $1.partsCreated }
        let left = out.replications.reduce(0) { $0 + $1.partsAtEnd }
        // Every part that reached the head decided once: all but those still queued behind it.
        XCTAssertLessThanOrEqual(counter.value, made)
        XCTAssertGreaterThanOrEqual(counter.value, made - left)
        // Alternating picks split the parts evenly between the two stations.
        let a = out.replications.reduce(0.0) { $0 + $1.stations[0].processed }, b = out.replications.reduce(0.0) { $0 + $1.stations[1].processed }
        XCTAssertEqual(a / (a + b), 0.5, accuracy: 0.01)
    }
}

/// A decider that follows every event sees the plant as each event leaves it: integrating the
/// work in process from event to event gives the replication's own time-average exactly.
final class DeciderEventTests: XCTestCase {
    final class Box: @unchecked Sendable {
        var integral = 0.0
    }

    struct Integrating: RoutingDecider {
        let box: Box
        var rate = 0.0, last = 0.0
        var followsEveryEvent: Bool { true }
        mutating func advance(plant: PlantState) {
            box.integral += rate * (plant.now - last)
            last = plant.now
            rate = Double(plant.wip)
        }
        mutating func choose(options: Int, plant: PlantState) -> Int { plant.count(station: 0) <= plant.count(station: 1) ? 0 : 1 }
        mutating func finish(plant: PlantState) {
            box.integral += rate * (plant.now - last)
        }
    }

    func testIntegratingFromEventToEventGivesTheTimeAverage() throws {
        var m = ModelSpec()
        m.sources = [SourceSpec(name: "jobs", interarrival: .exponential(mean: 50), routing: .rule(.decider(0), [.station(0), .station(1)]))]
        m.stations = [StationSpec(name: "a", process: .exponential(mean: 60), routing: .next(.sink(0))),
                      StationSpec(name: "b", process: .exponential(mean: 90), routing: .next(.sink(0)))]
        m.sinks = [SinkSpec(name: "done")]
        let box = Box()
        let horizon = 200_000.0
        let out = try Simulation.run(m, settings: RunSettingsCore(warmup: 0, horizon: horizon, seed: 9), replications: 1, jobs: 1,
                                     deciders: [{ _ in Integrating(box: box) }])
        XCTAssertEqual(box.integral / horizon, out.replications[0].wip, accuracy: 1e-9 * max(1, out.replications[0].wip))
        XCTAssertGreaterThan(out.replications[0].wip, 0.5)
    }
}
