import XCTest
import TaktCore
@testable import TaktOptimizer

/// The learner on two-server routing plants: arrivals routed on arrival to a fast server or a
/// slow one, reward −wip. Its greedy policy is held against the optimal policy, found by
/// relative value iteration on the truncated Markov chain, and against shortest queue, each
/// evaluated exactly on that chain.
final class LearningTests: XCTestCase {
    static let minute = 60.0

    /// Routing by a learner, reading the parts at each server and integrating −wip.
    struct Learning: RoutingDecider {
        let learner: QLearner
        var walk: QLearner.Walk
        var integral = 0.0, rate = 0.0, last = 0.0, lastDecision = 0.0
        var followsEveryEvent: Bool { true }

        init(_ learner: QLearner, seed: UInt64) {
            self.learner = learner
            walk = QLearner.Walk(seed: seed)
        }

        mutating func advance(plant: PlantState) {
            integral += rate * (plant.now - last) / LearningTests.minute
            last = plant.now
            rate = -Double(plant.wip)
        }

        mutating func choose(options: Int, plant: PlantState) -> Int {
            advance(plant: plant)
            let reward = integral, elapsed = (plant.now - lastDecision) / LearningTests.minute
            integral = 0
            lastDecision = plant.now
            return learner.step(&walk, state: [plant.count(station: 0), plant.count(station: 1)], reward: reward, elapsed: elapsed)
        }
    }

    struct Plant {
        let lambda: Double, fast: Double, slow: Double
        let n = 50

        func spec() -> ModelSpec {
            var m = ModelSpec()
            m.sources = [SourceSpec(name: "jobs", interarrival: .exponential(mean: LearningTests.minute / lambda),
                                    routing: .rule(.decider(0), [.station(0), .station(1)]))]
            m.stations = [StationSpec(name: "fast", process: .exponential(mean: LearningTests.minute / fast), routing: .next(.sink(0))),
                          StationSpec(name: "slow", process: .exponential(mean: LearningTests.minute / slow), routing: .next(.sink(0)))]
            m.sinks = [SinkSpec(name: "done")]
            return m
        }

        /// The mean work in process under a policy (0 fast, 1 slow, by the parts at each):
        /// Gauss–Seidel on the balance equations of the truncated chain.
        func exactWIP(_ policy: (Int, Int) -> Int) -> Double {
            func at(_ a: Int, _ b: Int) -> Int { a * (n + 1) + b }
            let route = (0...n).map { a in (0...n).map { b in policy(a, b) } }
            var p = [Double](repeating: 1 / Double((n + 1) * (n + 1)), count: (n + 1) * (n + 1))
            for _ in 0..<200_000 {
                var change = 0.0
                for a in 0...n {
                    for b in 0...n {
                        var inflow = 0.0
                        if a > 0 && route[a - 1][b] == 0 { inflow += lambda * p[at(a - 1, b)] }
                        if b > 0 && route[a][b - 1] == 1 { inflow += lambda * p[at(a, b - 1)] }
                        if a < n { inflow += fast * p[at(a + 1, b)] }
                        if b < n { inflow += slow * p[at(a, b + 1)] }
                        var out = (a > 0 ? fast : 0) + (b > 0 ? slow : 0)
                        if (route[a][b] == 0 && a < n) || (route[a][b] == 1 && b < n) { out += lambda }
                        let v = inflow / out
                        change = max(change, abs(v - p[at(a, b)]))
                        p[at(a, b)] = v
                    }
                }
                let total = p.reduce(0, +)
                for i in p.indices { p[i] /= total }
                if change < 1e-13 { break }
            }
            var wip = 0.0
            for a in 0...n { for b in 0...n { wip += Double(a + b) * p[at(a, b)] } }
            return wip
        }

        /// The routing that minimizes the mean work in process: relative value iteration of the
        /// uniformized chain.
        func optimalPolicy() -> [[Int]] {
            let uniform = lambda + fast + slow
            var h = [[Double]](repeating: [Double](repeating: 0, count: n + 1), count: n + 1)
            for _ in 0..<100_000 {
                var next = h
                var change = 0.0
                for a in 0...n {
                    for b in 0...n {
                        let toFast = a < n ? h[a + 1][b] : h[a][b], toSlow = b < n ? h[a][b + 1] : h[a][b]
                        var v = Double(a + b) / uniform + lambda / uniform * min(toFast, toSlow)
                        v += fast / uniform * h[max(a - 1, 0)][b] + slow / uniform * h[a][max(b - 1, 0)]
                        next[a][b] = v
                    }
                }
                let base = next[0][0]
                for a in 0...n { for b in 0...n { next[a][b] -= base; change = max(change, abs(next[a][b] - h[a][b])) } }
                h = next
                if change < 1e-11 { break }
            }
            return (0...n).map { a in
                (0...n).map { b in
                    let toFast = a < n ? h[a + 1][b] : .infinity, toSlow = b < n ? h[a][b + 1] : .infinity
                    return toFast <= toSlow ? 0 : 1
                }
            }
        }

        func train(episodes: Int = 200, minutes: Double = 2_000, seed: UInt64 = 1) throws -> Policy {
            let learner = QLearner(actions: 2)
            for episode in 0..<episodes {
                let settings = RunSettingsCore(warmup: 0, horizon: minutes * LearningTests.minute, seed: seed, streamFamily: -1 - episode)
                _ = try Simulation.run(spec(), settings: settings, replications: 1, jobs: 1,
                                       deciders: [{ _ in Learning(learner, seed: seed &* 1_000_003 &+ UInt64(episode)) }])
                learner.endEpisode()
            }
            return learner.policy()
        }
    }

    func check(_ plant: Plant, seeds: ClosedRange<UInt64>, tolerance: Double = 0.01) throws {
        let optimal = plant.optimalPolicy()
        let best = plant.exactWIP { optimal[$0][$1] }
        let jsq = plant.exactWIP { $0 <= $1 ? 0 : 1 }
        for seed in seeds {
            let policy = try plant.train(seed: seed)
            let learned = plant.exactWIP { policy.decide([$0, $1]) }
            // Cycle time is work in process over the arrival rate (Little), so the ratio is the same.
            print("λ \(plant.lambda) fast \(plant.fast) slow \(plant.slow) seed \(seed): learned \(learned), optimal \(best), shortest queue \(jsq), \(policy.observations.count) states")
            XCTAssertLessThanOrEqual(learned, best * (1 + tolerance), "seed \(seed)")
            XCTAssertLessThan(learned, jsq, "seed \(seed)")
        }
    }

    /// Arrivals every exponential(1.25min), servers exponential(1min) and exponential(2min).
    func testTheIssuePlant() throws {
        try check(Plant(lambda: 0.8, fast: 1, slow: 0.5), seeds: 1...3)
    }

    /// Other rates, one seed each (Benchmarks/agents/routing.py runs more): loads 0.67 and 0.48
    /// within 1.5% (over seeds 1 to 6, 11 of 12 runs come within 1%, the other at 1.05%), and
    /// load 0.85, where shortest queue is 2.2% above the optimum, within 2% and below it.
    func testOtherRates() throws {
        try check(Plant(lambda: 1.0, fast: 1, slow: 0.5), seeds: 1...1, tolerance: 0.015)
        try check(Plant(lambda: 0.6, fast: 1, slow: 0.25), seeds: 1...1, tolerance: 0.015)
        try check(Plant(lambda: 1.275, fast: 1, slow: 0.5), seeds: 1...1, tolerance: 0.02)
    }
}
