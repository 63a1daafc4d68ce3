import XCTest
@testable import TaktCore

/// Fitting samples drawn from known distributions (n = 2,000, 100 seeded cases a family):
/// the right family wins in at least 95% of gamma, lognormal, weibull and normal samples, the
/// winner is the smallest AIC (ties in the families' order) and the true parameters lie within
/// 3 standard errors (from the observed information) in at least 98% of cases.
final class FittingTests: XCTestCase {
    /// A case: the family, its true native parameters and the distribution that draws it.
    func draw(_ family: Fitting.Family, _ r: inout RandomStream) -> (truth: [Double], dist: Distribution) {
        let u = r.uniform()
        switch family {
        case .exponential:
            let mean = 1 + 9 * u
            return ([mean], .exponential(mean: mean))
        case .gamma:
            let shape = 2 + 4 * u, scale = 0.5 + r.uniform() * 2
            return ([shape, scale], .gamma(shape: shape, mean: shape * scale))
        case .lognormal:
            let mu = 0.5 + u, sigma = 0.3 + 0.5 * r.uniform()
            let mean = exp(mu + sigma * sigma / 2)
            return ([mu, sigma], .lognormal(mean: mean, sd: mean * sqrt(expm1(sigma * sigma))))
        case .weibull:
            // Shapes away from 1 (an exponential) and from 3.6 (near a normal's shape).
            let shape = u < 0.5 ? 0.5 + 0.3 * r.uniform() : 1.5 + 1.2 * r.uniform()
            let scale = 1 + 4 * r.uniform()
            return ([shape, scale], .weibull(shape: shape, scale: scale))
        case .normal:
            // A coefficient of variation of 0.2 to 0.25: a smaller one makes a normal sample
            // look as much like a gamma or lognormal one as like itself, a larger one has
            // values below zero, which leave the normal family alone.
            let mean = 10 + 10 * u, sd = mean * (0.2 + 0.05 * r.uniform())
            return ([mean, sd], .normal(mean: mean, sd: sd))
        }
    }

    func normalDraw(_ p: [Double], _ r: inout RandomStream) -> Double {
        p[0] + p[1] * sqrt(-2 * log(1 - r.uniform())) * cos(2 * Double.pi * r.uniform())
    }

    /// Standard errors from the inverse of the observed information (a numerical Hessian of
    /// the log-likelihood at the estimate).
    func standardErrors(_ family: Fitting.Family, _ p: [Double], _ x: [Double]) -> [Double] {
        let k = p.count
        func ll(_ q: [Double]) -> Double { Fitting.logLikelihood(family, q, x) }
        var h = Array(repeating: Array(repeating: 0.0, count: k), count: k)
        let step = p.map { 1e-4 * max(abs($0), 1e-3) }
        for i in 0..<k {
            for j in 0..<k {
                func at(_ di: Double, _ dj: Double) -> Double {
                    var q = p
                    q[i] += di * step[i]
                    q[j] += dj * step[j]
                    return ll(q)
                }
                h[i][j] = (at(1, 1) - at(1, -1) - at(-1, 1) + at(-1, -1)) / (4 * step[i] * step[j])
            }
        }
        if k == 1 { return [sqrt(-1 / h[0][0])] }
        let det = h[0][0] * h[1][1] - h[0][1] * h[1][0]
        return [sqrt(-h[1][1] / det), sqrt(-h[0][0] / det)]
    }

    func testFitsFindTheFamilyAndItsParameters() throws {
        var table: [String] = []
        for (index, family) in Fitting.Family.allCases.enumerated() {
            var rng = RandomStream(seed: 4_000 + UInt64(index))
            var right = 0, covered = 0, cases = 0, alone = 0
            for _ in 0..<100 {
                let (truth, dist) = draw(family, &rng)
                var sample = RandomStream(seed: rng.next())
                // Normal samples untruncated (the engine redraws negative times).
                let x = (0..<2_000).map { _ in family == .normal ? normalDraw(truth, &sample) : dist.sample(&sample) }
                let candidates = try Fitting.fit(x)
                cases += 1
                // Best first by AIC, ties in the families' order.
                for (a, b) in zip(candidates, candidates.dropFirst()) {
                    XCTAssertTrue(a.aic < b.aic || (a.aic == b.aic && Fitting.Family.allCases.firstIndex(of: a.family)! < Fitting.Family.allCases.firstIndex(of: b.family)!))
                }
                XCTAssertEqual(candidates.count, x.min()! > 0 ? 5 : 1)
                if x.min()! <= 0 { alone += 1 }
                if candidates[0].family == family { right += 1 }
                let own = try XCTUnwrap(candidates.first { $0.family == family })
                let se = standardErrors(family, own.parameters, x)
                if zip(zip(own.parameters, truth), se).allSatisfy({ abs($0.0 - $0.1) <= 3 * $1 }) { covered += 1 }
                // Each estimate is a maximum: moving a parameter a little lowers the likelihood.
                for i in own.parameters.indices {
                    for f in [0.999, 1.001] {
                        var q = own.parameters
                        q[i] *= f
                        XCTAssertLessThanOrEqual(Fitting.logLikelihood(family, q, x), own.logLikelihood + 1e-9 * abs(own.logLikelihood))
                    }
                }
            }
            table.append("| \(family.rawValue) | \(right)/\(cases)\(alone > 0 ? " (\(alone) with a value ≤ 0)" : "") | \(covered)/\(cases) |")
            if family != .exponential {
                XCTAssertGreaterThanOrEqual(right - alone, 95, "\(family): right family in \(right) of \(cases), \(alone) alone")
            }
            XCTAssertGreaterThanOrEqual(covered, 98, "\(family): parameters within 3 SE in \(covered) of \(cases)")
        }
        print("| family drawn | right family chosen | parameters within 3 SE |\n|---|---|---|\n" + table.joined(separator: "\n"))
    }

    func testExponentialSamplesFitShapesNearOne() throws {
        var rng = RandomStream(seed: 77)
        let x = (0..<2_000).map { _ in Distribution.exponential(mean: 3).sample(&rng) }
        let c = try Fitting.fit(x)
        let gamma = try XCTUnwrap(c.first { $0.family == .gamma })
        let weibull = try XCTUnwrap(c.first { $0.family == .weibull })
        XCTAssertEqual(gamma.parameters[0], 1, accuracy: 0.1)
        XCTAssertEqual(weibull.parameters[0], 1, accuracy: 0.1)
        // The exponential is nested in both: their likelihood is at least its own.
        let exponential = try XCTUnwrap(c.first { $0.family == .exponential })
        XCTAssertGreaterThanOrEqual(gamma.logLikelihood, exponential.logLikelihood - 1e-9)
        XCTAssertGreaterThanOrEqual(weibull.logLikelihood, exponential.logLikelihood - 1e-9)
        XCTAssertEqual(exponential.parameters[0], x.reduce(0, +) / 2_000, accuracy: 1e-12)
    }

    func testClosedFormsAndSpecialFunctions() throws {
        // P(1, x) = 1 − e^(−x); P(a, x) for a half-integer against erf.
        for x in [0.1, 1, 3, 10] {
            XCTAssertEqual(SpecialFunctions.regularizedGammaP(1, x), 1 - exp(-x), accuracy: 1e-14)
            XCTAssertEqual(SpecialFunctions.regularizedGammaP(0.5, x), erf(sqrt(x)), accuracy: 1e-13)
        }
        // ψ(1) = −γ, ψ′(1) = π²/6.
        XCTAssertEqual(SpecialFunctions.digamma(1), -0.5772156649015329, accuracy: 1e-13)
        XCTAssertEqual(SpecialFunctions.trigamma(1), Double.pi * Double.pi / 6, accuracy: 1e-12)
        // A normal fit is the sample mean and the sd with n in the denominator.
        let x = [1.0, 2, 3, 4, 10]
        let normal = try XCTUnwrap(try Fitting.fit(x).first { $0.family == .normal })
        XCTAssertEqual(normal.parameters[0], 4, accuracy: 1e-12)
        XCTAssertEqual(normal.parameters[1], sqrt(10), accuracy: 1e-12)
        // KS distance of the sample {1, 2} from a normal(1.5, 0.5): Fₙ jumps to 1/2 where F is Φ(−1).
        let phi = 0.5 * erfc(1 / 2.0.squareRoot())
        XCTAssertEqual(Fitting.ksDistance(.normal, [1.5, 0.5], [1, 2]), 0.5 - phi, accuracy: 1e-12)
    }

    /// Awkward samples (tiny, huge, nearly equal, mostly duplicates, with zeros) give finite
    /// fits or a failure, never a trap or a NaN.
    func testAwkwardSamples() {
        var r = RandomStream(seed: 5)
        let samples: [[Double]] = [
            [1e-300, 2e-300, 5e-300], [1e300, 1.5e300, 3e300], [1, 1 + 1e-15, 1 + 2e-15],
            Array(repeating: 2, count: 999) + [3], [0, 0, 0, 1], (0..<50).map { _ in pow(10, 20 * r.uniform() - 10) },
            [1e-9, 1e9], (0..<100).map { _ in r.uniform() < 0.5 ? 0.001 : 1000 },
        ]
        for x in samples {
            do {
                for c in try Fitting.fit(x) {
                    XCTAssertTrue(c.parameters.allSatisfy(\.isFinite) && c.aic.isFinite && c.ks.isFinite, "\(c.family) on \(x.prefix(4))")
                    XCTAssertTrue(c.ks >= 0 && c.ks <= 1)
                }
            } catch {
                XCTAssertNotNil(error as? Fitting.Failure)
            }
        }
    }

    func testBadSamples() {
        XCTAssertThrowsError(try Fitting.fit([1])) { XCTAssertEqual($0 as? Fitting.Failure, .tooFew(1)) }
        XCTAssertThrowsError(try Fitting.fit([2, 2, 2])) { XCTAssertEqual($0 as? Fitting.Failure, .allEqual) }
        // A zero leaves only the normal family.
        let c = try? Fitting.fit([0, 1, 2, 3])
        XCTAssertEqual(c?.map(\.family), [.normal])
        XCTAssertThrowsError(try Fitting.fit([-5, -1, 0])) { XCTAssertEqual($0 as? Fitting.Failure, .nonPositiveMean) }
    }
}
