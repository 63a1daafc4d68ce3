/// The bookkeeping of one search: feasibility asked once per configuration, every run's values,
/// and the budget.
struct SearchState {
    let problem: SearchProblem
    let objectives: Int
    private(set) var records: [[Int]: SearchRecord] = [:]
    private(set) var order: [[Int]] = []
    private var feasible: [[Int]: Bool] = [:]
    private(set) var runsUsed = 0
    private(set) var highestReplication = -1
    private var random: SearchRandom
    /// Every feasible configuration in order, when the space was small enough to list.
    private var listed: [[Int]]?
    /// Configurations whose neighbours the search has run.
    private var expanded = Set<[Int]>()

    init(_ problem: SearchProblem, objectives: Int) {
        self.problem = problem
        self.objectives = objectives
        random = SearchRandom(seed: problem.seed)
    }

    var orderedRecords: [SearchRecord] { order.map { records[$0]! } }
    var r: Int { problem.replications }

    func isInSpace(_ c: [Int]) -> Bool {
        zip(c, problem.sizes).allSatisfy { $0 >= 0 && $0 < $1 }
    }

    mutating func isFeasible(_ c: [Int]) throws -> Bool {
        if let known = feasible[c] { return known }
        let ok = try problem.isFeasible(c)
        feasible[c] = ok
        return ok
    }

    /// Runs these pairs as one batch (so they share the worker pool) and records the values.
    mutating func runRaw(_ runs: [SearchProblem.Run]) throws -> [[Double]] {
        precondition(runsUsed + runs.count <= problem.budget, "the budget is never exceeded")
        guard !runs.isEmpty else { return [] }
        let values = try problem.evaluate(runs)
        runsUsed += runs.count
        for run in runs { highestReplication = max(highestReplication, run.replication) }
        problem.progress(runsUsed, best().map { records[$0]!.mean() })
        return values
    }

    /// Runs replications 0 ..< `replications` of each new configuration.
    mutating func start(_ configurations: [[Int]]) throws {
        let runs = configurations.flatMap { c in (0..<r).map { SearchProblem.Run(configuration: c, replication: $0) } }
        try record(runs, try runRaw(runs))
    }

    mutating func record(_ runs: [SearchProblem.Run], _ values: [[Double]]) throws {
        for (run, v) in zip(runs, values) {
            if records[run.configuration] == nil {
                records[run.configuration] = SearchRecord(configuration: run.configuration)
                order.append(run.configuration)
            }
            records[run.configuration]!.runs[run.replication] = v
        }
    }

    /// The configuration with the best mean over the first `replications` runs, which every
    /// configuration has (so the ranking is on common random numbers).
    func best(excluding: Set<[Int]> = []) -> [Int]? {
        var bestConfiguration: [Int]? = nil, bestMean = -Double.infinity
        let common = Array(0..<r)
        for c in order where !excluding.contains(c) {
            let m = records[c]!.mean(over: common)
            if bestConfiguration == nil || m > bestMean { bestConfiguration = c; bestMean = m }
        }
        return bestConfiguration
    }

    func ranked() -> [[Int]] {
        let common = Array(0..<r)
        let means = order.map { records[$0]!.mean(over: common) }
        return order.indices.sorted { means[$0] != means[$1] ? means[$0] > means[$1] : $0 < $1 }.map { order[$0] }
    }

    // MARK: Exhaustive

    /// Lists the feasible configurations when the space is small, and runs them all when they
    /// fit the budget. Returns whether it did.
    mutating func runEverythingIfItFits(budget: Int) throws -> Bool {
        guard problem.spaceSize <= Optimizer.enumerationLimit else { return false }
        var all: [[Int]] = []
        var c = [Int](repeating: 0, count: problem.sizes.count)
        if problem.sizes.allSatisfy({ $0 > 0 }) {
            while true {
                if try isFeasible(c) { all.append(c) }
                var d = c.count - 1
                while d >= 0 {
                    c[d] += 1
                    if c[d] < problem.sizes[d] { break }
                    c[d] = 0
                    d -= 1
                }
                if d < 0 { break }
            }
        }
        listed = all
        if all.isEmpty { throw SearchError.noFeasibleConfiguration }
        guard all.count * r <= budget else { return false }
        // In chunks, so progress shows on long runs.
        var k = 0
        while k < all.count {
            let chunk = Array(all[k..<min(all.count, k + 64)])
            try start(chunk)
            k += chunk.count
        }
        return true
    }

    // MARK: Neighbourhood search

    /// An unrun feasible configuration, drawn at random (nil when none is found).
    mutating func randomNew() throws -> [Int]? {
        if let all = listed {
            let left = all.filter { records[$0] == nil }
            return left.isEmpty ? nil : left[random.below(left.count)]
        }
        for _ in 0..<1000 {
            let c = problem.sizes.map { random.below($0) }
            if records[c] == nil, try isFeasible(c) { return c }
        }
        return nil
    }

    /// Starting points: the centre of the space, then random ones, each in a different part of
    /// the space (stratified by the first dimension with more than one value).
    mutating func startingPoints(_ n: Int) throws -> [[Int]] {
        var points: [[Int]] = []
        let centre = problem.sizes.map { $0 / 2 }
        if try isFeasible(centre) { points.append(centre) }
        var tries = 0
        while points.count < n && tries < 50 * n {
            tries += 1
            guard let c = try randomNew(), !points.contains(c) else { continue }
            points.append(c)
        }
        return points
    }

    func neighbours(_ c: [Int], step: Int = 1) -> [[Int]] {
        var out: [[Int]] = []
        for d in c.indices {
            for delta in [-step, step] {
                var n = c
                n[d] += delta
                if isInSpace(n) { out.append(n) }
            }
        }
        return out
    }

    /// Runs the feasible neighbours of `x` not run yet, as many as the budget allows, and
    /// marks `x` expanded. Returns those it ran.
    mutating func expand(_ x: [Int], budget: Int) throws -> [[Int]] {
        expanded.insert(x)
        var fresh: [[Int]] = []
        for n in neighbours(x) where records[n] == nil {
            if try isFeasible(n) { fresh.append(n) }
        }
        let fitting = (budget - runsUsed) / r
        if fresh.count > fitting { fresh = Array(fresh.prefix(fitting)) }
        try start(fresh)
        return fresh
    }

    /// Best-first search from several starts, until `budget` runs are used.
    mutating func neighbourhoodSearch(budget: Int, singleStart: Bool) throws {
        if records.isEmpty {
            let starts = singleStart ? 1 : min(8, max(2, budget / (r * 12)))
            let points = try startingPoints(starts)
            try start(Array(points.prefix(max(0, budget / r))))
        }
        while runsUsed + r <= budget {
            guard let x = best(excluding: expanded) else {
                // Every run configuration is expanded: a new start elsewhere.
                guard let c = try randomNew() else { return }
                try start([c])
                continue
            }
            let fresh = try expand(x, budget: budget)
            if fresh.isEmpty { continue }
            // An improving step is tried again in the same direction, further each time it pays.
            let xMean = records[x]!.mean(over: Array(0..<r))
            guard let y = fresh.max(by: { records[$0]!.mean(over: Array(0..<r)) < records[$1]!.mean(over: Array(0..<r)) }),
                  records[y]!.mean(over: Array(0..<r)) > xMean else { continue }
            let direction = zip(y, x).map { $0 - $1 }
            var current = y, stride = 2
            while runsUsed + r <= budget {
                let next = zip(current, direction).map { $0 + $1 * stride }
                guard isInSpace(next), records[next] == nil, try isFeasible(next) else { break }
                try start([next])
                guard records[next]!.mean(over: Array(0..<r)) > records[current]!.mean(over: Array(0..<r)) else { break }
                current = next
                stride *= 2
            }
        }
    }

    // MARK: Selection

    /// Spends what is left of `budget` on the best few, one common replication at a time, and
    /// returns the configuration with the best mean over the replications the finalists share.
    mutating func select(budget: Int) throws -> [Int] {
        var live = Array(ranked().prefix(Optimizer.contenders))
        var next = highestReplication + 1
        while live.count > 1 && runsUsed + live.count <= budget {
            let runs = live.map { SearchProblem.Run(configuration: $0, replication: next) }
            try record(runs, try runRaw(runs))
            next += 1
            // Drop those clearly worse than the leader on paired differences (after a few rounds).
            let leader = live.max { records[$0]!.mean(over: shared(live)) < records[$1]!.mean(over: shared(live)) }!
            if next - r >= 3 && live.count > 2 {
                live = live.filter { c in
                    if c == leader { return true }
                    let d = PairedDifference(records[leader]!, records[c]!)
                    guard let se = d.standardError, se > 0 else { return true }
                    return d.mean < 3 * se
                }
            }
        }
        let common = shared(live)
        return live.max { a, b in
            let ma = records[a]!.mean(over: common), mb = records[b]!.mean(over: common)
            return ma != mb ? ma < mb : order.firstIndex(of: a)! > order.firstIndex(of: b)!
        }!
    }

    /// Replication numbers every one of these configurations ran.
    func shared(_ configurations: [[Int]]) -> [Int] {
        guard let first = configurations.first else { return [] }
        return records[first]!.replicationNumbers.filter { rep in configurations.allSatisfy { records[$0]!.runs[rep] != nil } }
    }

    // MARK: Pareto

    /// Whether a dominates b: no worse on every objective, better on one.
    func dominates(_ a: SearchRecord, _ b: SearchRecord) -> Bool {
        var better = false
        for k in 0..<objectives {
            let x = a.mean(k), y = b.mean(k)
            if x < y { return false }
            if x > y { better = true }
        }
        return better
    }

    func front() -> [SearchRecord] {
        let all = orderedRecords
        return all.filter { c in !all.contains { dominates($0, c) } }
    }

    /// More runs for the front's members, a common replication each round, so that a
    /// configuration is not on the front (or off it) by the luck of its first runs.
    mutating func sharpenFront(budget: Int) throws {
        while true {
            let members = front().map(\.configuration)
            guard members.count > 0, runsUsed + members.count <= budget else { return }
            let next = members.map { records[$0]!.replicationNumbers.last! + 1 }.max()!
            let runs = members.map { SearchProblem.Run(configuration: $0, replication: next) }
            try record(runs, try runRaw(runs))
        }
    }

    /// Random starts over half the budget, then the neighbours of the front's members.
    mutating func frontSearch(budget: Int) throws {
        let starts = max(1, min(budget / r / 2, 40))
        var initial: [[Int]] = []
        for _ in 0..<starts { if let c = try randomNew(), !initial.contains(c) { initial.append(c) } }
        try start(initial)
        while runsUsed + r <= budget {
            guard let x = front().map(\.configuration).first(where: { !expanded.contains($0) }) else {
                guard let c = try randomNew() else { return }
                try start([c])
                continue
            }
            _ = try expand(x, budget: budget)
        }
    }
}
