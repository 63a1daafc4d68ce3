import XCTest
import TaktCore

final class DistributionTests: XCTestCase {
    /// Sample mean and variance within a few standard errors of the exact values.
    func check(_ d: Distribution, mean: Double, variance: Double, draws: Int = 200_000,
               file: StaticString = #filePath, line: UInt = #line) {
        var rng = RandomStream(seed: 2024, name: "\(d)")
        var sum = 0.0, sumSq = 0.0
        for _ in 0..<draws {
            let x = d.sample(&rng)
            XCTAssertTrue(x >= 0 && x.isFinite, "draw \(x) of \(d)", file: file, line: line)
            sum += x
            sumSq += x * x
        }
        let n = Double(draws)
        let m = sum / n
        let v = (sumSq - n * m * m) / (n - 1)
        let seMean = (variance / n).squareRoot()
        XCTAssertEqual(m, mean, accuracy: max(5 * seMean, 1e-12), "mean of \(d)", file: file, line: line)
        XCTAssertEqual(v, variance, accuracy: max(0.03 * variance, 1e-12), "variance of \(d)", file: file, line: line)
    }

    func testMeansAndVariances() {
        check(.constant(5), mean: 5, variance: 0)
        check(.exponential(mean: 2), mean: 2, variance: 4)
        check(.uniform(low: 1, high: 3), mean: 2, variance: 4.0 / 12)
        check(.triangular(low: 1, mode: 2, high: 4), mean: 7.0 / 3, variance: (1 + 4 + 16 - 2 - 4 - 8) / 18.0)
        check(.lognormal(mean: 5, sd: 2), mean: 5, variance: 4)
        check(.erlang(k: 3, mean: 6), mean: 6, variance: 36.0 / 3)
        check(.gamma(shape: 2, mean: 4), mean: 4, variance: 16.0 / 2)
        check(.gamma(shape: 0.5, mean: 1), mean: 1, variance: 2)
        let k = 1.5, l = 10.0
        let g1 = tgamma(1 + 1 / k), g2 = tgamma(1 + 2 / k)
        check(.weibull(shape: k, scale: l), mean: l * g1, variance: l * l * (g2 - g1 * g1))
        check(.empirical([1, 2, 6]), mean: 3, variance: (4 + 1 + 9) / 3.0)
        // A normal far from zero is hardly truncated.
        check(.normal(mean: 10, sd: 1), mean: 10, variance: 1)
    }

    func testNormalRedrawsNegatives() {
        var rng = RandomStream(seed: 1)
        for _ in 0..<10_000 { XCTAssertGreaterThanOrEqual(Distribution.normal(mean: 0.1, sd: 1).sample(&rng), 0) }
    }

    func testParametersAreValidated() {
        XCTAssertThrowsError(try Distribution.make("exponential", [-1]))
        XCTAssertThrowsError(try Distribution.make("exponential", [0]))
        XCTAssertThrowsError(try Distribution.make("uniform", [3, 1]))
        XCTAssertThrowsError(try Distribution.make("triangular", [1, 5, 4]))
        XCTAssertThrowsError(try Distribution.make("normal", [1, -1]))
        XCTAssertThrowsError(try Distribution.make("erlang", [1.5, 1]))
        XCTAssertThrowsError(try Distribution.make("erlang", [0, 1]))
        XCTAssertThrowsError(try Distribution.make("gamma", [0, 1]))
        XCTAssertThrowsError(try Distribution.make("weibull", [1, -2]))
        XCTAssertThrowsError(try Distribution.empirical(checked: []))
        XCTAssertThrowsError(try Distribution.empirical(checked: [1, -1]))
        XCTAssertEqual(try Distribution.make("erlang", [2, 3]), .erlang(k: 2, mean: 3))
        do {
            _ = try Distribution.make("triangular", [1, 5, 4])
        } catch {
            XCTAssertEqual(error.parameter, 1)
            XCTAssertEqual(error.message, "mode must be <= high")
        }
    }
}

final class ZigguratTests: XCTestCase {
    /// The tail probabilities of Exp(1) at several points, over a million draws.
    func testExponentialTailProbabilities() {
        var rng = RandomStream(seed: 99)
        let n = 1_000_000
        let points = [0.1, 0.5, 1.0, 2.0, 4.0, 7.0, 8.0, 10.0]
        var above = [Int](repeating: 0, count: points.count)
        for _ in 0..<n {
            let x = Distribution.exponential(mean: 1).sample(&rng)
            XCTAssertGreaterThanOrEqual(x, 0)
            for (k, p) in points.enumerated() where x > p { above[k] += 1 }
        }
        for (k, p) in points.enumerated() {
            let exact = exp(-p)
            let se = (exact * (1 - exact) / Double(n)).squareRoot()
            XCTAssertEqual(Double(above[k]) / Double(n), exact, accuracy: 5 * se + 1e-6, "P(X > \(p))")
        }
    }
}
