import Foundation

/// The search of docs/optimization.md for one objective (larger is better), in four steps:
///
/// 1. When every feasible configuration fits the budget at `replications` runs each, all are
///    run. Otherwise a few spread starting points are run and a best-first neighbourhood search
///    follows: the best configuration not yet expanded has its unrun neighbours (one step along
///    each dimension) run, and an improving step is tried again in the same direction. Its
///    moves are those of the COMPASS family for integer-ordered spaces (Hong and Nelson, 2006),
///    and restarts come from the other starting points, so several basins are looked at.
/// 2. Every comparison made while searching is on common random numbers: replication k of each
///    configuration uses the same streams, so neighbours differ by their design, not by luck.
/// 3. A selection step spends what the search left on the best few, one common replication at a
///    time, dropping those a paired-difference test shows to be worse (in the spirit of
///    Kim and Nelson's fully sequential procedure), and picks the best mean.
/// 4. The pick's reward is then estimated from fresh runs on replication numbers the search
///    never used, so it is not biased upward by having been selected: `replications` of them,
///    and what the budget still leaves, up to ten times as many.
///
/// Everything depends on the seed and the runs' values alone, never on timing.
public enum Optimizer {
    public struct Outcome {
        public let pick: [Int]
        /// The pick's objective values from the fresh runs (empty when the budget left none; then
        /// the pick was the only configuration run, and its own runs are unbiased).
        public let holdout: [Double]
        /// Every configuration run while searching, in the order first run.
        public let records: [SearchRecord]
        public let runs: Int
        /// Every feasible configuration was run.
        public let exhaustive: Bool
    }

    /// Configurations counted out one by one to decide whether all fit the budget.
    public static let enumerationLimit = 20_000
    /// Configurations the selection step compares at most.
    static let contenders = 5

    public static func maximize(_ problem: SearchProblem) throws -> Outcome {
        var search = SearchState(problem, objectives: 1)
        let r = problem.replications
        // The fresh runs of the final estimate are set aside first; with too small a budget the
        // search runs a single configuration, whose own runs are then unbiased.
        let holdout = problem.budget >= 2 * r ? r : 0
        let searchBudget = problem.budget - holdout
        let exhaustive = try search.runEverythingIfItFits(budget: searchBudget)
        if !exhaustive {
            try search.neighbourhoodSearch(budget: searchBudget - (holdout == 0 ? 0 : searchBudget / 5), singleStart: holdout == 0)
        }
        guard !search.records.isEmpty else { throw SearchError.noFeasibleConfiguration }
        var pick = try search.select(budget: searchBudget)
        // A selection settled early leaves runs: the search goes on with them, then selects again.
        while !exhaustive && searchBudget - search.runsUsed >= 4 * r {
            let before = search.runsUsed
            try search.neighbourhoodSearch(budget: searchBudget - (searchBudget - search.runsUsed) / 3, singleStart: false)
            pick = try search.select(budget: searchBudget)
            if search.runsUsed == before { break }
        }
        var fresh: [Double] = []
        if holdout > 0 {
            // What the search and selection left sharpens the estimate, up to ten times `replications`.
            let count = holdout + min(searchBudget - search.runsUsed, 9 * r)
            let first = search.highestReplication + 1
            let runs = (0..<count).map { SearchProblem.Run(configuration: pick, replication: first + $0) }
            fresh = try search.runRaw(runs).map { $0[0] }
        }
        return Outcome(pick: pick, holdout: fresh, records: search.orderedRecords, runs: search.runsUsed, exhaustive: exhaustive)
    }

    /// The configurations no other run configuration dominates: no worse on every objective
    /// and better on one (means over each one's runs). Each gets at least `replications` runs;
    /// the search is the same as `maximize`'s, steered by the current front, and what the
    /// budget leaves goes to the front's members, one common replication at a time.
    public static func pareto(_ problem: SearchProblem, objectives: Int) throws -> (front: [SearchRecord], runs: Int) {
        var search = SearchState(problem, objectives: objectives)
        let exhaustive = try search.runEverythingIfItFits(budget: problem.budget / 2)
        if !exhaustive {
            try search.frontSearch(budget: problem.budget - problem.budget / 4)
        }
        guard !search.records.isEmpty else { throw SearchError.noFeasibleConfiguration }
        try search.sharpenFront(budget: problem.budget)
        return (search.front(), search.runsUsed)
    }

    /// Φ((m_pick − m_i + tolerance·|m_pick|) / se_i) multiplied over the others, from paired
    /// differences on common replications: how sure the pick is within the tolerance of each.
    public static func confidence(pick: SearchRecord, others: [SearchRecord], tolerance: Double = 0.005) -> Double {
        let scale = abs(pick.mean())
        var p = 1.0
        for o in others {
            let d = PairedDifference(pick, o)
            guard let se = d.standardError, se > 0 else {
                p *= d.mean + tolerance * scale >= 0 ? 1 : 0
                continue
            }
            p *= normalCDF((d.mean + tolerance * scale) / se)
        }
        return p
    }

    /// Per dimension, max − min over its values of the unweighted mean of the means of the run
    /// configurations having that value.
    public static func effects(_ records: [SearchRecord], sizes: [Int]) -> [Double] {
        sizes.indices.map { d in
            var sum = [Double](repeating: 0, count: sizes[d]), n = [Int](repeating: 0, count: sizes[d])
            for r in records {
                sum[r.configuration[d]] += r.mean()
                n[r.configuration[d]] += 1
            }
            let means = sizes[d] == 0 ? [] : (0..<sizes[d]).compactMap { n[$0] > 0 ? sum[$0] / Double(n[$0]) : nil }
            guard let hi = means.max(), let lo = means.min() else { return 0 }
            return hi - lo
        }
    }

    static func normalCDF(_ z: Double) -> Double { 0.5 * erfc(-z / 2.squareRoot()) }
}
