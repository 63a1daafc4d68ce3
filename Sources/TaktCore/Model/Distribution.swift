import Foundation

/// A probability distribution of durations, in seconds. Parameters are validated by `make`,
/// so a constructed value always samples finite, non-negative times.
public enum Distribution: Equatable, Sendable {
    case constant(Double)
    case exponential(mean: Double)
    case uniform(low: Double, high: Double)
    case triangular(low: Double, mode: Double, high: Double)
    /// Values below zero are redrawn.
    case normal(mean: Double, sd: Double)
    /// Mean and sd of the distribution itself, not of the underlying normal.
    case lognormal(mean: Double, sd: Double)
    case erlang(k: Int, mean: Double)
    case gamma(shape: Double, mean: Double)
    case weibull(shape: Double, scale: Double)
    /// Each value equally likely.
    case empirical([Double])

    /// Why a parameter is out of its domain, naming the parameter (0-based) at fault.
    public struct DomainError: Error, Equatable {
        public var parameter: Int
        public var message: String
    }

    public static func constant(checked v: Double) throws(DomainError) -> Distribution {
        guard v >= 0, v.isFinite else { throw DomainError(parameter: 0, message: "a constant time must be >= 0") }
        return .constant(v)
    }

    /// Validates every parameter of the named distribution.
    public static func make(_ name: String, _ p: [Double]) throws(DomainError) -> Distribution {
        func positive(_ i: Int, _ what: String) throws(DomainError) {
            guard p[i] > 0, p[i].isFinite else { throw DomainError(parameter: i, message: "\(what) must be > 0") }
        }
        func nonNegative(_ i: Int, _ what: String) throws(DomainError) {
            guard p[i] >= 0, p[i].isFinite else { throw DomainError(parameter: i, message: "\(what) must be >= 0") }
        }
        switch name {
        case "exponential":
            try positive(0, "the mean")
            return .exponential(mean: p[0])
        case "uniform":
            try nonNegative(0, "low"); try nonNegative(1, "high")
            guard p[0] <= p[1] else { throw DomainError(parameter: 0, message: "low must be <= high") }
            return .uniform(low: p[0], high: p[1])
        case "triangular":
            try nonNegative(0, "low"); try nonNegative(1, "mode"); try nonNegative(2, "high")
            guard p[0] <= p[1] else { throw DomainError(parameter: 0, message: "low must be <= mode") }
            guard p[1] <= p[2] else { throw DomainError(parameter: 1, message: "mode must be <= high") }
            return .triangular(low: p[0], mode: p[1], high: p[2])
        case "normal":
            try positive(0, "the mean"); try nonNegative(1, "the sd")
            return .normal(mean: p[0], sd: p[1])
        case "lognormal":
            try positive(0, "the mean"); try nonNegative(1, "the sd")
            return .lognormal(mean: p[0], sd: p[1])
        case "erlang":
            guard p[0] >= 1, p[0] <= 1_000_000, p[0] == p[0].rounded() else {
                throw DomainError(parameter: 0, message: "k must be a whole number >= 1")
            }
            try positive(1, "the mean")
            return .erlang(k: Int(p[0]), mean: p[1])
        case "gamma":
            try positive(0, "the shape"); try positive(1, "the mean")
            return .gamma(shape: p[0], mean: p[1])
        case "weibull":
            try positive(0, "the shape"); try positive(1, "the scale")
            return .weibull(shape: p[0], scale: p[1])
        default:
            throw DomainError(parameter: 0, message: "unknown distribution '\(name)'")
        }
    }

    /// The same distribution, its parameters checked as `make` checks them: for values built
    /// without `make` (another front end, a test).
    public func checked() throws(DomainError) -> Distribution {
        switch self {
        case .constant(let v): return try .constant(checked: v)
        case .exponential(let m): return try .make("exponential", [m])
        case .uniform(let a, let b): return try .make("uniform", [a, b])
        case .triangular(let a, let c, let b): return try .make("triangular", [a, c, b])
        case .normal(let m, let sd): return try .make("normal", [m, sd])
        case .lognormal(let m, let sd): return try .make("lognormal", [m, sd])
        case .erlang(let k, let m): return try .make("erlang", [Double(k), m])
        case .gamma(let shape, let m): return try .make("gamma", [shape, m])
        case .weibull(let k, let l): return try .make("weibull", [k, l])
        case .empirical(let v): return try .empirical(checked: v)
        }
    }

    public static func empirical(checked values: [Double]) throws(DomainError) -> Distribution {
        guard !values.isEmpty else { throw DomainError(parameter: 0, message: "empirical needs at least one value") }
        for (i, v) in values.enumerated() where !(v >= 0 && v.isFinite) {
            throw DomainError(parameter: i, message: "every value must be >= 0")
        }
        return .empirical(values)
    }

    public var mean: Double {
        switch self {
        case .constant(let v): return v
        case .exponential(let m): return m
        case .uniform(let a, let b): return (a + b) / 2
        case .triangular(let a, let c, let b): return (a + b + c) / 3
        case .normal(let m, _): return m  // before truncation at zero
        case .lognormal(let m, _): return m
        case .erlang(_, let m): return m
        case .gamma(_, let m): return m
        case .weibull(let k, let l): return l * Foundation.tgamma(1 + 1 / k)
        case .empirical(let v): return v.reduce(0, +) / Double(v.count)
        }
    }

    /// One draw, in seconds.
    @inline(__always)
    public func sample(_ rng: inout RandomStream) -> Double {
        switch self {
        case .constant(let v): return v
        case .exponential(let m): return m * Ziggurat.exponential(&rng, Ziggurat.tables)
        case .uniform(let a, let b): return Draw.uniform(a, b, &rng)
        case .triangular(let a, let c, let b): return Draw.triangular(a, c, b, &rng)
        case .normal(let m, let sd): return Draw.normal(m, sd, &rng)
        case .lognormal(let m, let sd): return Draw.lognormal(m, sd, &rng)
        case .erlang(let k, let m): return Draw.erlang(k, m, &rng)
        case .gamma(let shape, let m): return Draw.gamma(shape, m, &rng)
        case .weibull(let k, let l): return Draw.weibull(k, l, &rng)
        case .empirical(let v): return v[Int(rng.next() % UInt64(v.count))]
        }
    }
}

/// The draw of each distribution, shared by `Distribution.sample` and the engine's `Sampler`
/// so both give the same value from the same stream.
enum Draw {
    @inline(__always)
    static func uniform(_ a: Double, _ b: Double, _ rng: inout RandomStream) -> Double {
        a + (b - a) * rng.uniform()
    }

    static func triangular(_ a: Double, _ c: Double, _ b: Double, _ rng: inout RandomStream) -> Double {
        if b == a { return a }
        let u = rng.uniform()
        let f = (c - a) / (b - a)
        if u < f { return a + (u * (b - a) * (c - a)).squareRoot() }
        return b - ((1 - u) * (b - a) * (b - c)).squareRoot()
    }

    /// Values below zero are redrawn; the mean is > 0, so acceptance is at least one half.
    static func normal(_ m: Double, _ sd: Double, _ rng: inout RandomStream) -> Double {
        if sd == 0 { return m }
        while true {
            let x = m + sd * Distribution.standardNormal(&rng)
            if x >= 0 { return x }
        }
    }

    static func lognormal(_ m: Double, _ sd: Double, _ rng: inout RandomStream) -> Double {
        if sd == 0 { return m }
        let sigma2 = Foundation.log(1 + (sd * sd) / (m * m))
        let mu = Foundation.log(m) - sigma2 / 2
        return Foundation.exp(mu + sigma2.squareRoot() * Distribution.standardNormal(&rng))
    }

    static func erlang(_ k: Int, _ m: Double, _ rng: inout RandomStream) -> Double {
        var product = 1.0, sum = 0.0
        for i in 0..<k {
            product *= rng.uniform()
            // Guard against underflow for large k by folding into a sum of logs.
            if product < 1e-280 || i == k - 1 { sum += Foundation.log(product); product = 1 }
        }
        return -(m / Double(k)) * sum
    }

    static func gamma(_ shape: Double, _ m: Double, _ rng: inout RandomStream) -> Double {
        Distribution.standardGamma(shape, &rng) * (m / shape)
    }

    static func weibull(_ k: Double, _ l: Double, _ rng: inout RandomStream) -> Double {
        l * Foundation.pow(-Foundation.log(rng.uniform()), 1 / k)
    }
}

extension Distribution {
    /// Marsaglia's polar method (one value per call keeps streams simple to reason about).
    static func standardNormal(_ rng: inout RandomStream) -> Double {
        while true {
            let u = 2 * rng.uniform() - 1, v = 2 * rng.uniform() - 1
            let s = u * u + v * v
            if s > 0 && s < 1 { return u * (-2 * Foundation.log(s) / s).squareRoot() }
        }
    }

    /// Marsaglia and Tsang; shapes below one by the boost `G(a+1) * U^(1/a)`.
    static func standardGamma(_ a: Double, _ rng: inout RandomStream) -> Double {
        if a < 1 {
            let g = standardGamma(a + 1, &rng)
            return g * Foundation.pow(rng.uniform(), 1 / a)
        }
        let d = a - 1.0 / 3.0, c = 1 / (9 * d).squareRoot()
        while true {
            var x = 0.0, v = 0.0
            repeat {
                x = standardNormal(&rng)
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = rng.uniform()
            if u < 1 - 0.0331 * x * x * x * x { return d * v }
            if Foundation.log(u) < 0.5 * x * x + d * (1 - v + Foundation.log(v)) { return d * v }
        }
    }
}
