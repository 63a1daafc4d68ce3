import Foundation
import TaktCore
import TaktOptimizer

/// The core's deciders an agent runs as: greedy after training, learning while it trains, and a
/// monitor that integrates an agent's reward in any run (docs/agents.md).

/// The observation, rounded into the learner's state.
@inline(__always)
func observeState(_ observe: [StateExpression], _ plant: PlantState, _ secondsPerUnit: Double, into state: inout [Int]) {
    for i in observe.indices { state[i] = QLearner.rounded(observe[i].value(plant, secondsPerUnit: secondsPerUnit)) }
}

/// Acts by a trained policy.
struct GreedyAgent: RoutingDecider {
    let observe: [StateExpression]
    let policy: Policy
    let secondsPerUnit: Double
    var state: [Int]

    init(observe: [StateExpression], policy: Policy, secondsPerUnit: Double) {
        self.observe = observe
        self.policy = policy
        self.secondsPerUnit = secondsPerUnit
        state = Array(repeating: 0, count: observe.count)
    }

    mutating func choose(options: Int, plant: PlantState) -> Int {
        observeState(observe, plant, secondsPerUnit, into: &state)
        return policy.decide(state)
    }
}

/// The integral of a reward rate over simulated time, in the time unit: the rate holds from one
/// event to the next, as the plant's state does.
struct RewardIntegral {
    let reward: StateExpression
    let secondsPerUnit: Double
    /// Integrated from this time on (a run's warm-up is not counted).
    let from: Double
    var total = 0.0
    private var rate = 0.0, last = 0.0

    init(reward: StateExpression, secondsPerUnit: Double, from: Double = 0) {
        self.reward = reward
        self.secondsPerUnit = secondsPerUnit
        self.from = from
        last = from
    }

    mutating func advance(_ plant: PlantState) {
        let now = plant.now
        if now > last {
            total += rate * (now - last) / secondsPerUnit
            last = now
        }
        let r = reward.value(plant, secondsPerUnit: secondsPerUnit)
        rate = r.isFinite ? r : 0
    }
}

/// Explores and learns, giving the learner each decision's reward integral and duration.
struct LearningAgent: RoutingDecider {
    let learner: QLearner
    let observe: [StateExpression]
    var walk: QLearner.Walk
    var integral: RewardIntegral
    var lastDecision = 0.0, takenAtDecision = 0.0
    var state: [Int]
    var followsEveryEvent: Bool { true }

    init(learner: QLearner, observe: [StateExpression], reward: StateExpression, secondsPerUnit: Double, seed: UInt64) {
        self.learner = learner
        self.observe = observe
        walk = QLearner.Walk(seed: seed)
        integral = RewardIntegral(reward: reward, secondsPerUnit: secondsPerUnit)
        state = Array(repeating: 0, count: observe.count)
    }

    mutating func advance(plant: PlantState) { integral.advance(plant) }

    mutating func choose(options: Int, plant: PlantState) -> Int {
        integral.advance(plant)
        let reward = integral.total - takenAtDecision
        let elapsed = (plant.now - lastDecision) / integral.secondsPerUnit
        takenAtDecision = integral.total
        lastDecision = plant.now
        observeState(observe, plant, integral.secondsPerUnit, into: &state)
        return learner.step(&walk, state: state, reward: reward, elapsed: elapsed)
    }
}

/// Integrates an agent's reward in one replication and hands its rate over at the end.
struct RewardMonitor: RoutingDecider {
    let box: RewardRates
    let replication: Int
    var integral: RewardIntegral
    var followsEveryEvent: Bool { true }

    mutating func choose(options: Int, plant: PlantState) -> Int { 0 }
    mutating func advance(plant: PlantState) { integral.advance(plant) }

    mutating func finish(plant: PlantState) {
        integral.advance(plant)
        let elapsed = (plant.now - integral.from) / integral.secondsPerUnit
        box.set(replication, elapsed > 0 ? integral.total / elapsed : 0)
    }
}

/// A choice no run of this model makes (its agent is not in the plant being simulated).
struct UnusedDecider: RoutingDecider {
    mutating func choose(options: Int, plant: PlantState) -> Int { 0 }
}

/// Reward rates by replication, written by the replications' monitors on the worker threads.
final class RewardRates: @unchecked Sendable {
    private let lock = NSLock()
    private var rates: [Int: Double] = [:]

    func set(_ replication: Int, _ rate: Double) {
        lock.lock()
        rates[replication] = rate
        lock.unlock()
    }

    /// The rates of these replications, in their order.
    func values(_ replications: Range<Int>) -> [Double] {
        lock.lock()
        defer { lock.unlock() }
        return replications.map { rates[$0] ?? 0 }
    }
}

/// Factories that may cross to the worker threads: everything they capture is immutable.
struct SendableBox<T>: @unchecked Sendable { let value: T }
