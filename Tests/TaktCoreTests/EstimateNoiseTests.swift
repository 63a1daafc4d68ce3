import XCTest
@testable import TaktCore

/// Equal replications average to their value exactly, and sums are compensated.
final class EstimateNoiseTests: XCTestCase {
    func testEqualValuesAverageExactly() {
        for x in [0.024, 0.1, 1.0 / 3.0, 123_456.789] {
            let e = Estimate.of(observed: Array(repeating: x, count: 10))!
            XCTAssertEqual(e.mean, x)
            XCTAssertEqual(e.ci, 0)
        }
        // A plain running sum of ten 0.1 is 0.9999999999999999.
        XCTAssertNotEqual(Array(repeating: 0.1, count: 10).reduce(0, +), 1.0)
        XCTAssertEqual(compensatedSum(Array(repeating: 0.1, count: 10)), 1.0)
        XCTAssertEqual(compensatedSum([1e16, 1, -1e16]), 1)
    }
}
