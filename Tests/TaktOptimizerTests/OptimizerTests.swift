import XCTest
@testable import TaktOptimizer

/// The search on problems whose optimum is known, with noise shared by replication number as
/// common random numbers give it.
final class OptimizerTests: XCTestCase {
    /// A separable concave objective with its optimum at `target`, plus noise that depends on
    /// the replication (common to all configurations) and a little on the configuration.
    func problem(sizes: [Int], target: [Int], budget: Int, seed: UInt64, replications: Int = 2,
                 feasible: @escaping ([Int]) -> Bool = { _ in true }, runs: Counter = Counter()) -> SearchProblem {
        SearchProblem(sizes: sizes, replications: replications, budget: budget, seed: seed, isFeasible: { feasible($0) }) { batch in
            runs.count += batch.count
            return batch.map { run in
                let value = zip(run.configuration, target).reduce(1000.0) { $0 - Double(($1.0 - $1.1) * ($1.0 - $1.1)) }
                var g = SearchRandom(seed: UInt64(run.replication) &* 7919)
                let common = Double(g.below(1000)) / 100 - 5
                var h = SearchRandom(seed: UInt64(run.replication) &* 31 &+ UInt64(run.configuration.reduce(0) { $0 * 101 + $1 }))
                let own = Double(h.below(1000)) / 2000 - 0.25
                return [value + common + own]
            }
        }
    }

    final class Counter { var count = 0 }

    func testFindsTheOptimumOfALargeSeparableSpace() throws {
        // 14,641 configurations, budget 300: a search, not an enumeration.
        var hits = 0
        for seed in 1...10 as ClosedRange<UInt64> {
            let counter = Counter()
            let p = problem(sizes: [11, 11, 11, 11], target: [7, 2, 9, 4], budget: 300, seed: seed, runs: counter)
            let outcome = try Optimizer.maximize(p)
            XCTAssertFalse(outcome.exhaustive)
            XCTAssertLessThanOrEqual(counter.count, 300)
            XCTAssertEqual(outcome.runs, counter.count)
            XCTAssertGreaterThanOrEqual(outcome.holdout.count, 2)
            XCTAssertLessThanOrEqual(outcome.holdout.count, 20)
            if outcome.pick == [7, 2, 9, 4] { hits += 1 }
        }
        XCTAssertGreaterThanOrEqual(hits, 9)
    }

    func testSmallSpacesAreRunWhole() throws {
        let counter = Counter()
        let p = problem(sizes: [5, 4], target: [1, 3], budget: 100, seed: 3, runs: counter)
        let outcome = try Optimizer.maximize(p)
        XCTAssertTrue(outcome.exhaustive)
        XCTAssertEqual(outcome.records.count, 20)
        XCTAssertEqual(outcome.pick, [1, 3])
        XCTAssertLessThanOrEqual(counter.count, 100)
    }

    func testInfeasibleConfigurationsCostNothing() throws {
        let counter = Counter()
        // The optimum [3, 3] breaks the constraint; the best feasible are on x + y <= 5.
        let p = problem(sizes: [6, 6], target: [3, 3], budget: 200, seed: 5, feasible: { $0[0] + $0[1] <= 5 }, runs: counter)
        let outcome = try Optimizer.maximize(p)
        XCTAssertLessThanOrEqual(outcome.pick[0] + outcome.pick[1], 5)
        XCTAssertTrue([[2, 3], [3, 2]].contains(outcome.pick))
        XCTAssertTrue(outcome.records.allSatisfy { $0.configuration[0] + $0.configuration[1] <= 5 })
        XCTAssertThrowsError(try Optimizer.maximize(problem(sizes: [3], target: [1], budget: 10, seed: 1, feasible: { _ in false })))
    }

    func testSameSeedSameSearch() throws {
        let a = try Optimizer.maximize(problem(sizes: [9, 9, 9], target: [1, 5, 8], budget: 150, seed: 11))
        let b = try Optimizer.maximize(problem(sizes: [9, 9, 9], target: [1, 5, 8], budget: 150, seed: 11))
        XCTAssertEqual(a.pick, b.pick)
        XCTAssertEqual(a.records.map(\.configuration), b.records.map(\.configuration))
        XCTAssertEqual(a.holdout, b.holdout)
    }

    func testTinyBudgetRunsOneConfiguration() throws {
        let counter = Counter()
        let outcome = try Optimizer.maximize(problem(sizes: [50, 50], target: [1, 1], budget: 3, seed: 1, runs: counter))
        XCTAssertEqual(outcome.records.count, 1)
        XCTAssertTrue(outcome.holdout.isEmpty)
        XCTAssertLessThanOrEqual(counter.count, 3)
    }

    func testParetoFrontIsNonDominated() throws {
        // Two objectives in conflict along x: the whole line y = 0 is the front.
        let p = SearchProblem(sizes: [6, 4], replications: 2, budget: 200, seed: 1, isFeasible: { _ in true }) { batch in
            batch.map { [Double($0.configuration[0]) - Double($0.configuration[1]), -Double($0.configuration[0])] }
        }
        let (front, runs) = try Optimizer.pareto(p, objectives: 2)
        XCTAssertLessThanOrEqual(runs, 200)
        XCTAssertEqual(Set(front.map(\.configuration)), Set((0..<6).map { [$0, 0] }))
    }

    func testConfidenceIsCalibrated() {
        // Pick and rival equal in truth: about half the time the pick looks better; with the
        // 0.5% tolerance the confidence is near Φ(tolerance / se).
        var a = SearchRecord(configuration: [0]), b = SearchRecord(configuration: [1])
        for k in 0..<40 {
            a.runs[k] = [100 + Double(k % 5)]
            b.runs[k] = [100 + Double(k % 5) + (k % 2 == 0 ? 0.1 : -0.1)]
        }
        let c = Optimizer.confidence(pick: a, others: [b])
        XCTAssertGreaterThan(c, 0.99)   // the tolerance, 0.5, dwarfs the differences of ±0.1
        var worse = SearchRecord(configuration: [2])
        for k in 0..<40 { worse.runs[k] = [a.runs[k]![0] + 5] }
        XCTAssertLessThan(Optimizer.confidence(pick: a, others: [worse]), 0.01)
        XCTAssertEqual(Optimizer.normalCDF(0), 0.5, accuracy: 1e-12)
        XCTAssertEqual(Optimizer.normalCDF(1.959963984540054), 0.975, accuracy: 1e-9)
    }

    func testEffectsRankTheDimensions() {
        var records: [SearchRecord] = []
        for x in 0..<3 { for y in 0..<3 {
            var r = SearchRecord(configuration: [x, y])
            r.runs[0] = [Double(10 * x + y)]
            records.append(r)
        } }
        XCTAssertEqual(Optimizer.effects(records, sizes: [3, 3]), [20, 2])
    }
}

/// `reward` must not be the maximum of noisy means, and `confidence` must mean what it says.
final class HonestyTests: XCTestCase {
    func testTheFreshRunsUseReplicationsTheSearchDidNot() throws {
        var asked: [SearchProblem.Run] = []
        let p = SearchProblem(sizes: [20, 20], replications: 3, budget: 120, seed: 2, isFeasible: { _ in true }) { batch in
            asked += batch
            return batch.map { [Double(-abs($0.configuration[0] - 7) - abs($0.configuration[1] - 12)) + Double($0.replication % 4)] }
        }
        let outcome = try Optimizer.maximize(p)
        let n = outcome.holdout.count
        XCTAssertGreaterThanOrEqual(n, 3)
        let fresh = asked.suffix(n)
        let searched = Set(asked.dropLast(n).map(\.replication))
        XCTAssertTrue(fresh.allSatisfy { $0.configuration == outcome.pick && !searched.contains($0.replication) })
        XCTAssertEqual(asked.count, 120, "what the search leaves goes to the fresh runs")
    }

    /// Two configurations whose true means differ by `gap`, with noise of their own: over many
    /// seeds the share of picks within the tolerance of the best matches the mean confidence.
    func testConfidenceIsCalibrated() throws {
        for gap in [0.3, 0.6, 1.0] {
            var hits = 0, total = 0.0
            let seeds = 300
            for seed in 1...seeds {
                let p = SearchProblem(sizes: [2], replications: 2, budget: 40, seed: UInt64(seed), isFeasible: { _ in true }) { batch in
                    batch.map { run in
                        var g = SearchRandom(seed: UInt64(seed) &* 1_000_003 &+ UInt64(run.replication) &* 101 &+ UInt64(run.configuration[0]))
                        // Normal noise (sum of uniforms), sd 1; the second configuration is better by `gap`.
                        let noise = (0..<12).reduce(0.0) { acc, _ in acc + Double(g.next() >> 11) / Double(1 << 53) } - 6
                        return [100 + (run.configuration[0] == 1 ? gap : 0) + noise]
                    }
                }
                let outcome = try Optimizer.maximize(p)
                let pick = outcome.records.first { $0.configuration == outcome.pick }!
                let other = outcome.records.first { $0.configuration != outcome.pick }!
                total += Optimizer.confidence(pick: pick, others: [other], tolerance: 0.005)
                // Within 0.5% of the best (0.5 on 100) means: the better one, or a gap below 0.5.
                if outcome.pick == [1] || gap <= 0.5 { hits += 1 }
            }
            let rate = Double(hits) / Double(seeds), mean = total / Double(seeds)
            XCTAssertEqual(mean, rate, accuracy: 0.12, "gap \(gap): confidence \(mean), hit rate \(rate)")
        }
    }
}

/// Means are summed in replication order, never in a dictionary's order (which changes from
/// process to process, and with it the last digits of a sum).
final class RecordOrderTests: XCTestCase {
    func testMeansAreSummedInReplicationOrder() {
        let values: [Double] = [1e16, 1, -1e16, 1, 3, -2, 1e-3, 7e15, -7e15]
        var reference = 0.0
        for v in values { reference += v }
        for shift in 0..<values.count {
            var r = SearchRecord(configuration: [0])
            for k in values.indices {
                let rep = (k + shift) % values.count
                r.runs[rep] = [values[rep]]
            }
            XCTAssertEqual(r.mean() * Double(values.count), reference)
        }
    }
}
