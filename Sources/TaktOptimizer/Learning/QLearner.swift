/// Tabular Q-learning for the long-run reward rate of a semi-Markov decision process: what a
/// plant is judged by is a rate (parts a minute, work in process), not a discounted sum, and a
/// discounted learner settles on the wrong policy for such problems.
///
/// Two kinds of update share one table of values Q(s, a):
/// - at every decision, the SMART update (Das, Gosavi, Mahadevan and Marchalleck, *Solving
///   semi-Markov decision problems using average reward reinforcement learning*, Management
///   Science 45(4), 1999): Q(s, a) += α (R − ρ τ + max_b Q(s', b) − Q(s, a)), where R is the
///   reward earned over the τ time units from deciding a in s to the next decision in s', and
///   ρ the reward rate of the greedy steps so far;
/// - between episodes, replay of every transition recorded so far (Dyna-Q, Sutton 1990, taken
///   to its fixed point): relative value iteration on the recorded averages of R, τ and the
///   next states, after Schweitzer's data transformation (Tijms, *A First Course in Stochastic
///   Models*, 2003, section 7.2) so that an SMDP's reward rate becomes an MDP's average
///   reward. Replay makes the most of every simulated decision: states visited a handful of
///   times get values consistent with their well-visited neighbours instead of the noise of a
///   few steps.
///
/// States are observations rounded to integers. Deterministic: exploration draws from a
/// generator the caller seeds, and every sum runs in the order transitions were first seen.
/// Not thread-safe: one replication at a time learns with a learner.
public final class QLearner {
    public struct Settings: Equatable, Sendable {
        /// The share of decisions taken at random while learning.
        public var explore: Double
        /// The SMART step size's floor: early visits of a pair step by 1/visits^0.65 until there.
        public var rate: Double
        /// Whether recorded transitions are replayed between episodes.
        public var replay: Bool
        /// How often each action of a state must have been tried before the greedy policy
        /// trusts that state's values; a state tried less takes the decision of the nearest
        /// trusted one.
        public var trust: Int

        public init(explore: Double = 0.1, rate: Double = 0.05, replay: Bool = true, trust: Int = 12) {
            self.explore = explore
            self.rate = rate
            self.replay = replay
            self.trust = trust
        }
    }

    public let actions: Int
    public let settings: Settings
    /// Observation → row of the tables below.
    private var rows: [[Int]: Int] = [:]
    private(set) var states: [[Int]] = []
    /// Per row and action (row * actions + action): the value, the visits, the summed reward
    /// and time, and the next states seen with how often (in the order first seen).
    private var q: [Double] = []
    private var visits: [Int] = []
    private var rewardSum: [Double] = []
    private var timeSum: [Double] = []
    private var successors: [[(row: Int, count: Int)]] = []
    /// The reward rate the greedy steps have earned, for the SMART update.
    private var greedyReward = 0.0, greedyTime = 0.0
    /// The reward rate of the greedy policy of the recorded model, after the last replay.
    public private(set) var plannedRate: Double?

    public init(actions: Int, settings: Settings = Settings()) {
        self.actions = max(actions, 1)
        self.settings = settings
    }

    /// The state an observation falls in: each value rounded to an integer.
    public static func state(_ observation: [Double]) -> [Int] { observation.map(rounded) }

    /// One observed value rounded to an integer; a value that is not finite is 0.
    @inline(__always)
    public static func rounded(_ x: Double) -> Int { x.isFinite ? Int(max(min(x.rounded(), 1e15), -1e15)) : 0 }

    var rate: Double { greedyTime > 0 ? greedyReward / greedyTime : 0 }

    private func row(_ state: [Int]) -> Int {
        if let r = rows[state] { return r }
        let r = states.count
        rows[state] = r
        states.append(state)
        // A new state starts from the values of its nearest visited neighbour: a plain zero
        // would be optimistic where rewards are costs and make its least-tried action look best.
        let start = nearest(to: state, among: 0..<r).map { Array(q[($0 * actions)..<($0 * actions + actions)]) }
        q += start ?? Array(repeating: 0, count: actions)
        visits += Array(repeating: 0, count: actions)
        rewardSum += Array(repeating: 0, count: actions)
        timeSum += Array(repeating: 0, count: actions)
        successors += Array(repeating: [], count: actions)
        return r
    }

    private func nearest(to state: [Int], among candidates: Range<Int>, where ok: (Int) -> Bool = { _ in true }) -> Int? {
        var best: Int? = nil, bestDistance = Double.infinity
        for r in candidates where states[r].count == state.count && ok(r) {
            var d = 0.0
            for (x, y) in zip(states[r], state) { d += (Double(x) - Double(y)) * (Double(x) - Double(y)) }
            if d < bestDistance || (d == bestDistance && best.map { Policy.ascending(states[r], states[$0]) } == true) {
                best = r
                bestDistance = d
            }
        }
        return best
    }

    private func bestTried(_ r: Int) -> Int {
        var k = -1
        for a in 0..<actions where visits[r * actions + a] > 0 && (k < 0 || q[r * actions + a] > q[r * actions + k]) { k = a }
        if k >= 0 { return k }
        for a in 0..<actions where q[r * actions + a] > q[r * actions + max(k, 0)] { k = a }
        return max(k, 0)
    }

    private func bestValue(_ r: Int) -> Double { q[r * actions + bestTried(r)] }

    // MARK: Learning

    /// One learning episode's walk: the decision awaiting its reward, and the exploration draws.
    public struct Walk {
        var last: (row: Int, action: Int, greedy: Bool)?
        var random: UInt64

        public init(seed: UInt64) { random = seed ^ 0x9E37_79B9_7F4A_7C15 }

        mutating func next() -> UInt64 {
            random &+= 0x9E37_79B9_7F4A_7C15
            var z = random
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// A decision while learning: `reward` and `elapsed` are what the previous decision of the
    /// walk earned and how long it lasted. Records that transition, updates its value, and picks
    /// the next action, at random with probability `explore`.
    public func step(_ walk: inout Walk, state: [Int], reward: Double, elapsed: Double) -> Int {
        let s = row(state)
        if let last = walk.last {
            let i = last.row * actions + last.action
            visits[i] += 1
            rewardSum[i] += reward
            timeSum[i] += elapsed
            if let k = successors[i].firstIndex(where: { $0.row == s }) {
                successors[i][k].count += 1
            } else {
                successors[i].append((s, 1))
            }
            let alpha = max(settings.rate, 1 / Double(visits[i]).squareRoot())
            let target = reward - rate * elapsed + bestValue(s)
            q[i] += alpha * (target - q[i])
            if last.greedy && elapsed > 0 {
                greedyReward += reward
                greedyTime += elapsed
            }
        }
        let explores = Double(walk.next() >> 11) / Double(1 << 53) < settings.explore
        let action = explores ? Int(walk.next() % UInt64(actions)) : bestTried(s)
        walk.last = (s, action, !explores)
        return action
    }

    /// Replays the recorded transitions: relative value iteration on their averages until the
    /// values settle or `sweeps` sweeps have run. Starts from the current values, so a replay
    /// after each episode converges in few sweeps.
    public func replay(sweeps: Int) {
        guard settings.replay else { return }
        let pairs = (0..<(states.count * actions)).filter { visits[$0] > 0 }
        guard !pairs.isEmpty else { return }
        let totalTime = pairs.reduce(0.0) { $0 + timeSum[$1] }, totalVisits = pairs.reduce(0) { $0 + visits[$1] }
        // Transitions that take no time (two decisions at one instant) count as a twentieth of
        // the mean, so that the transformation's step stays useful.
        let floor = max(totalTime / Double(totalVisits) * 0.05, 1e-12)
        let tau = pairs.map { max(timeSum[$0] / Double(visits[$0]), floor) }
        let eta = 0.9 * (tau.min() ?? 1)
        var h = (0..<states.count).map(bestValue)
        var next = q
        for _ in 0..<sweeps {
            for (k, i) in pairs.enumerated() {
                let n = Double(visits[i]), p = eta / tau[k]
                var expected = 0.0
                for s in successors[i] { expected += Double(s.count) / n * h[s.row] }
                let selfRow = i / actions
                next[i] = rewardSum[i] / n / tau[k] + p * expected + (1 - p) * h[selfRow]
            }
            let reference = bestTriedValue(next, 0)
            var change = -Double.infinity, low = Double.infinity
            for r in 0..<states.count {
                let v = bestTriedValue(next, r) - reference
                let d = v - h[r]
                change = max(change, d)
                low = min(low, d)
                h[r] = v
            }
            for i in pairs { next[i] -= reference }
            plannedRate = reference
            if change - low < 1e-10 * max(1, abs(reference)) { break }
        }
        for i in pairs { q[i] = next[i] }
    }

    private func bestTriedValue(_ values: [Double], _ r: Int) -> Double {
        var best = -Double.infinity
        for a in 0..<actions where visits[r * actions + a] > 0 { best = max(best, values[r * actions + a]) }
        return best == -Double.infinity ? values[r * actions] : best
    }

    // MARK: The policy

    /// The greedy policy: at each visited observation, the best action where every action has
    /// been tried; where some has not, the decision of the nearest observation where all have
    /// (a value from a few tries is not to be trusted over its neighbours').
    public func policy() -> Policy {
        let order = (0..<states.count).sorted { Policy.ascending(states[$0], states[$1]) }
        let trust = max(settings.trust, 1)
        let complete = { (r: Int) in (0..<self.actions).allSatisfy { self.visits[r * self.actions + $0] >= trust } }
        var decisions: [Int] = []
        for r in order {
            if complete(r) {
                decisions.append(bestTried(r))
            } else if let near = nearest(to: states[r], among: 0..<states.count, where: complete) {
                decisions.append(bestTried(near))
            } else {
                decisions.append(bestTried(r))
            }
        }
        return Policy(actions: actions, observations: order.map { states[$0] }, decisions: decisions)
    }
}

/// A trained policy: a decision for each visited observation (ascending), and for any other
/// the decision of the nearest visited one by Euclidean distance, ties to the first in
/// ascending order. Immutable, so every replication may share one.
public struct Policy: Sendable, Equatable {
    public let actions: Int
    public let observations: [[Int]]
    public let decisions: [Int]
    private let index: [[Int]: Int]

    public init(actions: Int, observations: [[Int]], decisions: [Int]) {
        self.actions = actions
        self.observations = observations
        self.decisions = decisions
        var index: [[Int]: Int] = [:]
        for (k, o) in observations.enumerated() where index[o] == nil { index[o] = k }
        self.index = index
    }

    public static func == (a: Policy, b: Policy) -> Bool {
        a.actions == b.actions && a.observations == b.observations && a.decisions == b.decisions
    }

    /// Lexicographic order of observations.
    public static func ascending(_ a: [Int], _ b: [Int]) -> Bool {
        for (x, y) in zip(a, b) where x != y { return x < y }
        return a.count < b.count
    }

    public func decide(_ state: [Int]) -> Int {
        if let k = index[state] { return decisions[k] }
        var best = -1, bestDistance = Double.infinity
        for (k, o) in observations.enumerated() where o.count == state.count {
            var d = 0.0
            for (x, y) in zip(o, state) { d += (Double(x) - Double(y)) * (Double(x) - Double(y)) }
            if d < bestDistance { best = k; bestDistance = d }
        }
        return best >= 0 ? decisions[best] : 0
    }
}
