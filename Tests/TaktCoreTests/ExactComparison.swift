import XCTest
@testable import TaktCore

/// Holds an estimate over replications to an exact value: within three half-widths of its
/// 95% confidence interval plus a small share of the value (for the model's own bias over a
/// finite horizon), so that a wrong answer fails and noise does not.
func assertNear(_ values: [Double], _ exact: Double, _ what: String, relative: Double = 0.005,
                file: StaticString = #filePath, line: UInt = #line) {
    guard let e = Estimate.of(observed: values) else { return XCTFail("\(what): no values", file: file, line: line) }
    XCTAssertEqual(e.mean, exact, accuracy: 3 * (e.ci ?? 0) + relative * abs(exact) + 1e-12,
                   "\(what): \(e.mean) ± \(e.ci ?? 0), exact \(exact)", file: file, line: line)
}
