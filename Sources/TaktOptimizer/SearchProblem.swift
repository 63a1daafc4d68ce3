/// A simulation optimization problem over a finite, integer-ordered space, independent of any
/// language: each dimension is an ordered list of values, given by its size; a configuration is
/// one index per dimension. The caller says which configurations are feasible and runs them.
public struct SearchProblem {
    /// Values per dimension (each at least 1).
    public var sizes: [Int]
    /// Runs a configuration gets at first (and the fresh runs of the final estimate).
    public var replications: Int
    /// Runs in all, never exceeded.
    public var budget: Int
    public var seed: UInt64
    /// Whether a configuration can be simulated (constraints hold and its model is valid).
    /// Asked once per configuration; an infeasible one costs no runs.
    public var isFeasible: ([Int]) throws -> Bool
    /// Runs (configuration, replication) pairs and returns each run's objective values, oriented
    /// so that larger is better, in the order asked. Replication k of every configuration uses
    /// the same random streams (common random numbers).
    public var evaluate: ([Run]) throws -> [[Double]]
    /// Told after each batch of runs: runs used so far and the best mean so far.
    public var progress: (Int, Double?) -> Void = { _, _ in }

    public struct Run: Equatable {
        public var configuration: [Int]
        public var replication: Int
    }

    public init(sizes: [Int], replications: Int, budget: Int, seed: UInt64,
                isFeasible: @escaping ([Int]) throws -> Bool, evaluate: @escaping ([Run]) throws -> [[Double]]) {
        self.sizes = sizes
        self.replications = replications
        self.budget = budget
        self.seed = seed
        self.isFeasible = isFeasible
        self.evaluate = evaluate
    }

    /// Configurations in the whole space (saturating).
    public var spaceSize: Int {
        sizes.reduce(1) { a, b in a.multipliedReportingOverflow(by: b).overflow ? Int.max : a * b }
    }
}

/// What a search found: every configuration it ran, with its runs' values by replication.
public struct SearchRecord {
    public let configuration: [Int]
    /// Replication number → objective values.
    public internal(set) var runs: [Int: [Double]] = [:]

    /// Mean of objective `k` over these replications (all of its own when nil), summed in
    /// replication order: a dictionary's own order changes from process to process, and with
    /// it the last digits of a sum.
    public func mean(_ k: Int = 0, over replications: [Int]? = nil) -> Double {
        let reps = replications ?? replicationNumbers
        var sum = 0.0, n = 0
        for r in reps { if let v = runs[r] { sum += v[k]; n += 1 } }
        return n == 0 ? -.infinity : sum / Double(n)
    }

    public var replicationNumbers: [Int] { runs.keys.sorted() }
}

/// Paired differences of two configurations over the replications both ran.
public struct PairedDifference {
    public let mean: Double
    /// Standard error of the mean difference; nil with fewer than two common replications.
    public let standardError: Double?
    public let n: Int

    public init(_ a: SearchRecord, _ b: SearchRecord, objective k: Int = 0) {
        let common = a.runs.keys.filter { b.runs[$0] != nil }.sorted()
        let d = common.map { a.runs[$0]![k] - b.runs[$0]![k] }
        n = d.count
        let m = d.isEmpty ? 0 : d.reduce(0, +) / Double(d.count)
        mean = m
        if d.count > 1 {
            let v = d.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(d.count - 1)
            standardError = (v / Double(d.count)).squareRoot()
        } else {
            standardError = nil
        }
    }
}

/// A small deterministic generator (SplitMix64) for the search's own choices.
struct SearchRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed ^ 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
}

public enum SearchError: Error, Equatable {
    /// No configuration the search looked at is feasible.
    case noFeasibleConfiguration
}
