import Foundation

/// A quantity estimated across replications: mean and 95% Student-t half-width.
public struct Estimate: Sendable, Equatable {
    public var mean: Double
    /// 95% half-width; nil with fewer than two observations.
    public var ci: Double?
    /// Replications that observed the quantity.
    public var n: Int

    public init(mean: Double, ci: Double?, n: Int) {
        self.mean = mean
        self.ci = ci
        self.n = n
    }

    public var low: Double { mean - (ci ?? 0) }
    public var high: Double { mean + (ci ?? 0) }

    /// nil when no replication observed it.
    public static func of(_ values: [Double?]) -> Estimate? {
        let xs = values.compactMap { $0 }
        return of(observed: xs)
    }

    public static func of(observed xs: [Double]) -> Estimate? {
        guard let first = xs.first else { return nil }
        let n = Double(xs.count)
        // Equal values average to that value exactly (docs/language.md); otherwise the
        // sum is compensated (Neumaier), so rounding does not pile up over many replications.
        let mean = xs.allSatisfy({ $0 == first }) ? first : compensatedSum(xs) / n
        guard xs.count > 1 else { return Estimate(mean: mean, ci: nil, n: 1) }
        let variance = compensatedSum(xs.map { ($0 - mean) * ($0 - mean) }) / (n - 1)
        let hw = StudentT.quantile975(degreesOfFreedom: xs.count - 1) * (variance / n).squareRoot()
        return Estimate(mean: mean, ci: hw, n: xs.count)
    }
}

/// The sum of `xs` with Neumaier's compensation: the low-order bits each addition loses are
/// kept and added back at the end.
public func compensatedSum(_ xs: [Double]) -> Double {
    var sum = 0.0, compensation = 0.0
    for x in xs {
        let t = sum + x
        if abs(sum) >= abs(x) { compensation += (sum - t) + x } else { compensation += (x - t) + sum }
        sum = t
    }
    return sum + compensation
}

/// Two-sided 95% quantiles of Student's t distribution.
public enum StudentT {
    static let table: [Double] = [
        12.706204736, 4.302652730, 3.182446305, 2.776445105, 2.570581836, 2.446911851, 2.364624252,
        2.306004135, 2.262157163, 2.228138852, 2.200985160, 2.178812830, 2.160368656, 2.144786688,
        2.131449546, 2.119905299, 2.109815578, 2.100922040, 2.093024054, 2.085963447, 2.079613845,
        2.073873068, 2.068657610, 2.063898562, 2.059538553, 2.055529439, 2.051830516, 2.048407142,
        2.045229642, 2.042272456,
    ]

    /// t(0.975, df): exact table to 30, a Cornish-Fisher expansion beyond (error below 1e-6).
    public static func quantile975(degreesOfFreedom df: Int) -> Double {
        if df >= 1 && df <= table.count { return table[df - 1] }
        let z = 1.959963984540054
        let v = Double(max(df, 1))
        let z3 = z * z * z, z5 = z3 * z * z, z7 = z5 * z * z, z9 = z7 * z * z
        return z + (z3 + z) / (4 * v)
            + (5 * z5 + 16 * z3 + 3 * z) / (96 * v * v)
            + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * v * v * v)
            + (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / (92160 * v * v * v * v)
    }
}
