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
/// Two refinements make the model's answer robust on the little data rare states get:
/// - where a state's actions do not differ in the time to the next decision or in the reward
///   rate beyond their noise, those are pooled over the actions (`pool`);
/// - the greedy policy takes a state's own values only where each action has been tried
///   `trust` times; elsewhere it follows a linear trend of the advantages, fitted to the states
///   tried often enough (`advantageFit`).
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
        /// takes that state's own values; a state tried less decides by the trend fitted to the
        /// states tried at least `fitMinimum` times.
        public var trust: Int

        public init(explore: Double = 0.1, rate: Double = 0.05, replay: Bool = true, trust: Int = 1000) {
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
    /// Sums of squares and products, for the spread of reward and time.
    private var timeSquares: [Double] = [], rewardSquares: [Double] = [], rewardTimes: [Double] = []
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

    /// A table holds at most this many observations: a tabular learner has no use for more,
    /// and an observation such as `now` would otherwise grow it without end.
    public static let maxStates = 100_000
    /// Set when an episode met more observations than `maxStates`; they were not learned.
    public private(set) var overflowed = false

    private func row(_ state: [Int]) -> Int? {
        if let r = rows[state] { return r }
        guard states.count < QLearner.maxStates else {
            overflowed = true
            return nil
        }
        let r = states.count
        rows[state] = r
        states.append(state)
        // A new state starts from the values of its nearest visited neighbour: a plain zero
        // would be optimistic where rewards are costs and make its least-tried action look best.
        // (Past a few thousand states the search would cost more than the copy is worth.)
        let start = (r <= 5_000 ? nearest(to: state, among: 0..<r) : nil).map { Array(q[($0 * actions)..<($0 * actions + actions)]) }
        q += start ?? Array(repeating: 0, count: actions)
        visits += Array(repeating: 0, count: actions)
        rewardSum += Array(repeating: 0, count: actions)
        timeSum += Array(repeating: 0, count: actions)
        timeSquares += Array(repeating: 0, count: actions)
        rewardSquares += Array(repeating: 0, count: actions)
        rewardTimes += Array(repeating: 0, count: actions)
        successors += Array(repeating: [], count: actions)
        return r
    }

    private func nearest(to state: [Int], among candidates: Range<Int>, where ok: (Int) -> Bool = { _ in true }) -> Int? {
        var best: Int? = nil, bestDistance = Double.infinity
        for r in candidates where states[r].count == state.count && ok(r) {
            let d = Policy.squaredDistance(states[r], state)
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
        guard let s = row(state) else {
            walk.last = nil
            return Int(walk.next() % UInt64(actions))
        }
        if let last = walk.last {
            let i = last.row * actions + last.action
            visits[i] += 1
            rewardSum[i] += reward
            timeSum[i] += elapsed
            timeSquares[i] += elapsed * elapsed
            rewardSquares[i] += reward * reward
            rewardTimes[i] += reward * elapsed
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

    /// How many standard errors an action's time or rate must differ from its state's pooled
    /// one to be kept apart.
    static let poolingThreshold = 2.0

    /// The time to the next decision and the reward rate until then, where the actions of a
    /// state do not differ in them beyond their noise, are the state's, from all its actions'
    /// transitions. Where a choice only moves a part, the time to the next decision and the
    /// rate are the same whatever the action; estimated apart, their noise alone would decide
    /// between close actions.
    private func pool(_ pairs: [Int], tau: inout [Double], rate: inout [Double], floor: Double) {
        var k = 0
        while k < pairs.count {
            let row = pairs[k] / actions
            var end = k
            while end < pairs.count && pairs[end] / actions == row { end += 1 }
            if end - k >= 2 {
                var n = 0.0, t = 0.0, r = 0.0
                for j in k..<end { n += Double(visits[pairs[j]]); t += timeSum[pairs[j]]; r += rewardSum[pairs[j]] }
                let pooledTau = max(t / n, floor), pooledRate = t > 0 ? r / t : rate[k]
                for j in k..<end {
                    let i = pairs[j], m = Double(visits[i])
                    guard m >= 2 else { tau[j] = pooledTau; rate[j] = pooledRate; continue }
                    let mean = timeSum[i] / m
                    let spread = max(timeSquares[i] / m - mean * mean, 0) * m / (m - 1)
                    if abs(mean - t / n) <= QLearner.poolingThreshold * (spread / m).squareRoot() { tau[j] = pooledTau }
                    if timeSum[i] > 0 {
                        let own = rewardSum[i] / timeSum[i]
                        let residual = max(rewardSquares[i] - 2 * own * rewardTimes[i] + own * own * timeSquares[i], 0)
                        if abs(own - pooledRate) <= QLearner.poolingThreshold * residual.squareRoot() / timeSum[i] { rate[j] = pooledRate }
                    }
                }
            }
            k = end
        }
    }

    /// The visits of each action a state needs before its values enter the fitted trend.
    static let fitMinimum = 12

    /// Each action's advantage over the first, as a linear function of the observation, fitted
    /// by least squares to the trusted states' values (weighted by their visits). Where a
    /// state's own values are too few to trust, this is what decides: it carries the trend of
    /// the well-visited states (a switching curve) out to the rarely visited ones, where the
    /// nearest trusted state's decision, taken literally, can route every part into a queue
    /// that only grows.
    struct AdvantageFit {
        let weights: [[Double]]

        func decide(_ state: [Int]) -> Int {
            var best = 0, bestValue = 0.0
            for (a, w) in weights.enumerated() {
                var v = w[0]
                for (j, x) in state.enumerated() { v += w[j + 1] * Double(x) }
                if v > bestValue { best = a + 1; bestValue = v }
            }
            return best
        }
    }

    private func advantageFit(_ trusted: [Int]) -> AdvantageFit? {
        guard let d = trusted.first.map({ states[$0].count }), trusted.count > d + 1, actions >= 2 else { return nil }
        let m = d + 1
        var weights: [[Double]] = []
        for a in 1..<actions {
            var xtx = [Double](repeating: 0, count: m * m), xty = [Double](repeating: 0, count: m)
            for r in trusted {
                let x = [1.0] + states[r].map(Double.init)
                let w = Double(min(visits[r * actions], visits[r * actions + a]))
                let y = q[r * actions + a] - q[r * actions]
                for i in 0..<m {
                    xty[i] += w * x[i] * y
                    for j in 0..<m { xtx[i * m + j] += w * x[i] * x[j] }
                }
            }
            // A touch of ridge, so that an observation that never varies leaves the system solvable.
            let scale = (0..<m).map { xtx[$0 * m + $0] }.max() ?? 1
            for i in 0..<m { xtx[i * m + i] += 1e-9 * scale + 1e-12 }
            guard let solution = QLearner.solve(xtx, xty, m) else { return nil }
            weights.append(solution)
        }
        return AdvantageFit(weights: weights)
    }

    /// Gaussian elimination with partial pivoting; nil when singular.
    static func solve(_ a: [Double], _ b: [Double], _ m: Int) -> [Double]? {
        var a = a, b = b
        for c in 0..<m {
            var p = c
            for r in (c + 1)..<max(m, c + 1) where abs(a[r * m + c]) > abs(a[p * m + c]) { p = r }
            guard abs(a[p * m + c]) > 1e-300 else { return nil }
            if p != c {
                for j in 0..<m { a.swapAt(c * m + j, p * m + j) }
                b.swapAt(c, p)
            }
            for r in (c + 1)..<max(m, c + 1) {
                let f = a[r * m + c] / a[c * m + c]
                for j in c..<m { a[r * m + j] -= f * a[c * m + j] }
                b[r] -= f * b[c]
            }
        }
        var x = [Double](repeating: 0, count: m)
        for c in stride(from: m - 1, through: 0, by: -1) {
            var v = b[c]
            for j in (c + 1)..<max(m, c + 1) { v -= a[c * m + j] * x[j] }
            x[c] = v / a[c * m + c]
        }
        return x.allSatisfy(\.isFinite) ? x : nil
    }

    /// Whether transitions were recorded since the last full replay.
    private var unsettled = false

    /// Ends a learning episode: a short replay, so that the next episode explores around a
    /// policy that has taken in everything seen so far.
    public func endEpisode() {
        replay(sweeps: 100, tolerance: 1e-6)
        unsettled = true
    }

    /// Replays the recorded transitions: relative value iteration on their averages until the
    /// values change by less than `tolerance` (relative to the reward rate) or `sweeps` sweeps
    /// have run. Starts from the current values, so a replay after each episode converges in
    /// few sweeps.
    public func replay(sweeps: Int, tolerance: Double = 1e-10) {
        guard settings.replay else { return }
        let pairs = (0..<(states.count * actions)).filter { visits[$0] > 0 }
        guard !pairs.isEmpty else { return }
        // Transitions shorter than a fifth of the median are taken as that long: the transformation's
        // step is the shortest time there is, and a few short ones among the rarely visited
        // pairs would make it so short that the values settle hundreds of times slower.
        // (Of the pairs that take time: where parts wait in a buffer, most decisions may follow
        // the one before at the same instant.)
        let means = pairs.map { timeSum[$0] / Double(visits[$0]) }.filter { $0 > 0 }.sorted()
        let floor = max((means.isEmpty ? 1 : means[means.count / 2]) * 0.2, 1e-12)
        var tau = pairs.map { max(timeSum[$0] / Double(visits[$0]), floor) }
        var rate = pairs.map { timeSum[$0] > 0 ? rewardSum[$0] / timeSum[$0] : rewardSum[$0] / Double(visits[$0]) / floor }
        pool(pairs, tau: &tau, rate: &rate, floor: floor)
        let eta = 0.9 * (tau.min() ?? 1)
        // The transformed chain in flat arrays: per pair its reward rate, the weight it keeps on
        // its own state, and its successors' weights.
        var rewardRate = [Double](repeating: 0, count: pairs.count), stay = rewardRate, selfRow = [Int](repeating: 0, count: pairs.count)
        var first = [Int](repeating: 0, count: pairs.count + 1), to: [Int] = [], weight: [Double] = []
        for (k, i) in pairs.enumerated() {
            let n = Double(visits[i]), p = eta / tau[k]
            rewardRate[k] = rate[k]
            stay[k] = 1 - p
            selfRow[k] = i / actions
            for s in successors[i] {
                to.append(s.row)
                weight.append(p * Double(s.count) / n)
            }
            first[k + 1] = to.count
        }
        // Each state's pairs (contiguous, as pairs are in row order); a state where nothing was
        // tried (an episode's last decision) takes the value of the nearest state where something was.
        var pairsOf = [(Int, Int)](repeating: (0, 0), count: states.count)
        var k = 0
        for r in 0..<states.count {
            let start = k
            while k < pairs.count && selfRow[k] == r { k += 1 }
            pairsOf[r] = (start, k)
        }
        let tried = (0..<states.count).filter { pairsOf[$0].0 < pairsOf[$0].1 }
        let untried = (0..<states.count).filter { pairsOf[$0].0 == pairsOf[$0].1 }
        let stand = untried.map { r in nearest(to: states[r], among: 0..<states.count, where: { pairsOf[$0].0 < pairsOf[$0].1 }) ?? tried[0] }
        var value = pairs.map { q[$0] }
        var h = [Double](repeating: 0, count: states.count)
        /// The states' values from the pairs', less the first tried state's: the reward rate.
        func settle() -> Double {
            for r in tried {
                var best = -Double.infinity
                for k in pairsOf[r].0..<pairsOf[r].1 { best = max(best, value[k]) }
                h[r] = best
            }
            let reference = h[tried[0]]
            for r in tried { h[r] -= reference }
            for (r, s) in zip(untried, stand) { h[r] = h[s] }
            return reference
        }
        var reference = settle()
        var next = value
        for _ in 0..<sweeps {
            for k in 0..<pairs.count {
                var v = rewardRate[k] + stay[k] * h[selfRow[k]]
                for e in first[k]..<first[k + 1] { v += weight[e] * h[to[e]] }
                next[k] = v
            }
            swap(&value, &next)
            let old = h
            reference = settle()
            var high = -Double.infinity, low = Double.infinity
            for r in h.indices {
                let d = h[r] - old[r]
                high = max(high, d)
                low = min(low, d)
            }
            for k in value.indices { value[k] -= reference }
            plannedRate = reference
            if high - low < tolerance * max(1, abs(reference)) { break }
        }
        for (k, i) in pairs.enumerated() { q[i] = value[k] }
    }

    private func bestTriedValue(_ values: [Double], _ r: Int) -> Double {
        var best = -Double.infinity
        for a in 0..<actions where visits[r * actions + a] > 0 { best = max(best, values[r * actions + a]) }
        return best == -Double.infinity ? values[r * actions] : best
    }

    // MARK: The policy

    /// The greedy policy (`interim`: after a shorter replay, for a learning curve): at each visited observation, the best action where every action has
    /// been tried; where some has not, the decision of the nearest observation where all have
    /// (a value from a few tries is not to be trusted over its neighbours').
    public func policy(interim: Bool = false) -> Policy {
        if interim {
            replay(sweeps: 2_000, tolerance: 1e-7)
        } else if unsettled {
            replay(sweeps: 20_000, tolerance: 1e-9)
            unsettled = false
        }
        let order = (0..<states.count).sorted { Policy.ascending(states[$0], states[$1]) }
        let trust = max(settings.trust, 1)
        let complete = { (r: Int) in (0..<self.actions).allSatisfy { self.visits[r * self.actions + $0] >= trust } }
        let fitted = (0..<states.count).filter { r in (0..<self.actions).allSatisfy { self.visits[r * self.actions + $0] >= QLearner.fitMinimum } }
        let fit = advantageFit(fitted)
        var decisions: [Int] = []
        for r in order {
            if complete(r) {
                decisions.append(bestTried(r))
            } else if let fit {
                decisions.append(fit.decide(states[r]))
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

    /// The squared Euclidean distance of two observations, which "nearest" is measured by.
    static func squaredDistance(_ a: [Int], _ b: [Int]) -> Double {
        var d = 0.0
        for (x, y) in zip(a, b) { d += (Double(x) - Double(y)) * (Double(x) - Double(y)) }
        return d
    }

    public func decide(_ state: [Int]) -> Int {
        if let k = index[state] { return decisions[k] }
        var best = -1, bestDistance = Double.infinity
        for (k, o) in observations.enumerated() where o.count == state.count {
            let d = Policy.squaredDistance(o, state)
            if d < bestDistance { best = k; bestDistance = d }
        }
        return best >= 0 ? decisions[best] : 0
    }
}
