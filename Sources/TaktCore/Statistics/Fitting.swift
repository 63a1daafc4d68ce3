import Foundation

/// Fitting a distribution to observed durations (docs/model.md, "Data"): each family by
/// maximum likelihood, ranked by AIC, with the Kolmogorov–Smirnov distance of each fit.
public enum Fitting {
    /// The families tried, in the order that breaks ties of AIC.
    public enum Family: String, CaseIterable, Sendable {
        case exponential, gamma, lognormal, weibull, normal

        /// The number of fitted parameters, k in AIC = 2k − 2 ln L.
        public var parameterCount: Int { self == .exponential ? 1 : 2 }

        /// Whether the family only has positive values (and cannot fit a value ≤ 0).
        public var positive: Bool { self != .normal }
    }

    /// One family's maximum-likelihood fit. `parameters` are the family's own, in the units
    /// of the values fitted: exponential [mean]; gamma [shape, scale]; lognormal [μ, σ] of
    /// the logarithm; weibull [shape, scale]; normal [mean, sd].
    public struct Candidate: Sendable {
        public var family: Family
        public var parameters: [Double]
        public var logLikelihood: Double
        public var aic: Double
        public var ks: Double
        public var count: Int

        /// The distribution of durations in seconds, for values fitted in units of `unit` seconds.
        public func distribution(unit: Double) -> Distribution {
            let p = parameters
            switch family {
            case .exponential: return .exponential(mean: p[0] * unit)
            case .gamma: return .gamma(shape: p[0], mean: p[0] * p[1] * unit)
            case .lognormal:
                let mean = exp(p[0] + p[1] * p[1] / 2)
                return .lognormal(mean: mean * unit, sd: mean * sqrt(expm1(p[1] * p[1])) * unit)
            case .weibull: return .weibull(shape: p[0], scale: p[1] * unit)
            case .normal: return .normal(mean: p[0] * unit, sd: p[1] * unit)
            }
        }
    }

    public enum Failure: Error, Equatable {
        case tooFew(Int)
        case allEqual
        case notFinite
        /// Only the normal family could be fitted (a value ≤ 0) and its mean is not positive.
        case nonPositiveMean
    }

    /// Every family that can be fitted to `values` (in units such that densities are per
    /// unit), best first by AIC; ties keep the order of `Family`.
    public static func fit(_ values: [Double]) throws(Failure) -> [Candidate] {
        guard values.count >= 2 else { throw .tooFew(values.count) }
        guard values.allSatisfy(\.isFinite) else { throw .notFinite }
        guard let first = values.first, values.contains(where: { $0 != first }) else { throw .allEqual }
        let sorted = values.sorted()
        let allPositive = sorted[0] > 0
        var out: [Candidate] = []
        for family in Family.allCases where allPositive || !family.positive {
            guard let p = estimate(family, values), p.allSatisfy(\.isFinite) else { continue }
            let ll = logLikelihood(family, p, values)
            guard ll.isFinite else { continue }
            out.append(Candidate(family: family, parameters: p, logLikelihood: ll,
                                 aic: 2 * Double(family.parameterCount) - 2 * ll,
                                 ks: ksDistance(family, p, sorted), count: values.count))
        }
        if !allPositive, let normal = out.first, normal.parameters[0] <= 0 { throw .nonPositiveMean }
        // A stable sort: equal AICs keep the families' order.
        return out.enumerated().sorted { ($0.element.aic, $0.offset) < ($1.element.aic, $1.offset) }.map(\.element)
    }

    // MARK: Estimates

    static func estimate(_ family: Family, _ x: [Double]) -> [Double]? {
        let n = Double(x.count)
        let mean = x.reduce(0, +) / n
        switch family {
        case .exponential:
            return [mean]
        case .normal:
            let v = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
            return [mean, sqrt(v)]
        case .lognormal:
            let logs = x.map(log)
            let mu = logs.reduce(0, +) / n
            let v = logs.reduce(0) { $0 + ($1 - mu) * ($1 - mu) } / n
            return v > 0 ? [mu, sqrt(v)] : nil
        case .gamma:
            // ln k − ψ(k) = s, by Newton's method from Minka's approximation.
            let s = log(mean) - x.reduce(0) { $0 + log($1) } / n
            guard s > 0 else { return nil }
            var k = (3 - s + sqrt((s - 3) * (s - 3) + 24 * s)) / (12 * s)
            for _ in 0..<100 {
                let f = log(k) - SpecialFunctions.digamma(k) - s
                let d = 1 / k - SpecialFunctions.trigamma(k)
                var next = k - f / d
                if !(next > 0) { next = k / 2 }
                let done = abs(next - k) <= 1e-13 * k
                k = next
                if done { break }
            }
            return [k, mean / k]
        case .weibull:
            // Shape k solves Σ xᵏ ln x / Σ xᵏ − 1/k − mean(ln x) = 0; values scaled by their
            // largest so that xᵏ stays within range.
            let top = x.max() ?? 1
            let y = x.map { $0 / top }
            let logs = y.map(log)
            let meanLog = logs.reduce(0, +) / n
            let sdLog = sqrt(logs.reduce(0) { $0 + ($1 - meanLog) * ($1 - meanLog) } / n)
            guard sdLog > 0 else { return nil }
            var k = 1.2825 / sdLog
            for _ in 0..<200 {
                var a = 0.0, b = 0.0, c = 0.0
                for (v, l) in zip(y, logs) {
                    let w = pow(v, k)
                    a += w; b += w * l; c += w * l * l
                }
                let g = b / a - 1 / k - meanLog
                let dg = (c * a - b * b) / (a * a) + 1 / (k * k)
                var next = k - g / dg
                if !(next > 0) { next = k / 2 }
                let done = abs(next - k) <= 1e-13 * k
                k = next
                if done { break }
            }
            let scale = pow(y.reduce(0) { $0 + pow($1, k) } / n, 1 / k) * top
            return [k, scale]
        }
    }

    // MARK: Likelihood and distance

    /// ln L of `values` under the family with parameters `p`.
    public static func logLikelihood(_ family: Family, _ p: [Double], _ x: [Double]) -> Double {
        let n = Double(x.count)
        switch family {
        case .exponential:
            return -n * log(p[0]) - x.reduce(0, +) / p[0]
        case .gamma:
            let (k, theta) = (p[0], p[1])
            return x.reduce(0) { $0 + (k - 1) * log($1) - $1 / theta } - n * (k * log(theta) + lgamma(k))
        case .lognormal:
            let (mu, sigma) = (p[0], p[1])
            return x.reduce(0) { $0 - log($1) - (log($1) - mu) * (log($1) - mu) / (2 * sigma * sigma) }
                - n * log(sigma * sqrt(2 * Double.pi))
        case .weibull:
            let (k, lambda) = (p[0], p[1])
            return n * (log(k) - k * log(lambda)) + x.reduce(0) { $0 + (k - 1) * log($1) - pow($1 / lambda, k) }
        case .normal:
            let (mu, sigma) = (p[0], p[1])
            return x.reduce(0) { $0 - ($1 - mu) * ($1 - mu) / (2 * sigma * sigma) } - n * log(sigma * sqrt(2 * Double.pi))
        }
    }

    public static func cdf(_ family: Family, _ p: [Double], _ x: Double) -> Double {
        switch family {
        case .exponential: return x <= 0 ? 0 : -expm1(-x / p[0])
        case .gamma: return x <= 0 ? 0 : SpecialFunctions.regularizedGammaP(p[0], x / p[1])
        case .lognormal: return x <= 0 ? 0 : 0.5 * erfc(-(log(x) - p[0]) / (p[1] * 2.0.squareRoot()))
        case .weibull: return x <= 0 ? 0 : -expm1(-pow(x / p[1], p[0]))
        case .normal: return 0.5 * erfc(-(x - p[0]) / (p[1] * 2.0.squareRoot()))
        }
    }

    /// The Kolmogorov–Smirnov distance sup |Fₙ − F| of sorted values from the fitted CDF.
    static func ksDistance(_ family: Family, _ p: [Double], _ sorted: [Double]) -> Double {
        let n = Double(sorted.count)
        var d = 0.0
        for (i, x) in sorted.enumerated() {
            let f = cdf(family, p, x)
            d = max(d, Double(i + 1) / n - f, f - Double(i) / n)
        }
        return d
    }
}

/// The special functions the fits need, by their series and continued fractions.
public enum SpecialFunctions {
    /// ψ(x) for x > 0: shifted up past 12, then the asymptotic series.
    public static func digamma(_ x: Double) -> Double {
        var x = x, acc = 0.0
        while x < 12 {
            acc -= 1 / x
            x += 1
        }
        let f = 1 / (x * x)
        return acc + log(x) - 0.5 / x - f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f / 132))))
    }

    /// ψ′(x) for x > 0, the same way.
    public static func trigamma(_ x: Double) -> Double {
        var x = x, acc = 0.0
        while x < 12 {
            acc += 1 / (x * x)
            x += 1
        }
        let f = 1 / (x * x)
        return acc + 1 / x + f / 2 + f / x * (1.0 / 6 - f * (1.0 / 30 - f * (1.0 / 42 - f / 30)))
    }

    /// The regularized lower incomplete gamma function P(a, x): its series below a + 1, else
    /// one minus the continued fraction of Q (modified Lentz).
    public static func regularizedGammaP(_ a: Double, _ x: Double) -> Double {
        guard x > 0 else { return 0 }
        let front = exp(a * log(x) - x - lgamma(a))
        if x < a + 1 {
            var term = 1 / a, sum = term, ap = a
            for _ in 0..<10_000 {
                ap += 1
                term *= x / ap
                sum += term
                if abs(term) < abs(sum) * 1e-16 { break }
            }
            return min(1, sum * front)
        }
        let tiny = 1e-300
        var b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d
        for i in 1...10_000 {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-16 { break }
        }
        return max(0, 1 - front * h)
    }
}
