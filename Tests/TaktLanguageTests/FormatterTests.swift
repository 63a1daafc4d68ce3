import XCTest
@testable import TaktLanguage
import TaktCore

final class FormatterTests: XCTestCase {
    func testNumbersUseShortestRoundTripForm() {
        let cases: [(Double, String)] = [
            (6765, "6765"), (0.05, "0.05"), (6.5, "6.5"), (-0.0, "0"), (0, "0"),
            (1e-7, "1e-7"), (1e21, "1e+21"), (1e-6, "0.000001"), (999999999999999868928, "999999999999999900000"),
            (0.1 + 0.2, "0.30000000000000004"), (-2.5, "-2.5"), (1.5e300, "1.5e+300"),
            (123456789012, "123456789012"), (Double.leastNonzeroMagnitude, "5e-324"), (-1e-7, "-1e-7"), (100, "100"),
        ]
        for (x, text) in cases {
            XCTAssertEqual(ValueFormatter.number(x), text, "formatting \(x)")
            if text != "0" { XCTAssertEqual(Double(text), x, "\(text) must read back") }
        }
    }

    func testDurationsAndRatesUseTheTimeUnit() {
        let f = ValueFormatter(timeUnit: .min)
        XCTAssertEqual(f.format(.duration(150)), "2.5min")
        XCTAssertEqual(f.format(.rate(0.8 / 60)), "0.8/min")
        XCTAssertEqual(ValueFormatter(timeUnit: .h).format(.duration(5400)), "1.5h")
    }

    func testCompositeValues() {
        let f = ValueFormatter()
        let list = Value.list(ListValue([.number(1), .number(2), .string("a")]))
        XCTAssertEqual(f.format(list), "[1, 2, \"a\"]")
        let rec = Value.record(RecordValue(names: ["name", "cost"], values: [.string("m1"), .number(40)]))
        XCTAssertEqual(f.format(rec), "{name: \"m1\", cost: 40}")
        XCTAssertEqual(f.format(.string("plain")), "plain")
        XCTAssertEqual(f.format(.range(RangeValue(lower: 1, upper: 10, closed: true))), "1...10")
    }
}

final class EstimateFormatTests: XCTestCase {
    func text(_ mean: Double, _ ci: Double?, _ dimension: Int = 0, unit: TimeUnit = .min) -> String {
        ResultFormatter(unit: unit).estimate(Estimate(mean: mean, ci: ci, n: 10), dimension: dimension)
    }

    func testHalfWidthToTwoSignificantDigitsAndMeanToTheSamePlace() {
        XCTAssertEqual(text(0.79134 / 60, 0.00412 / 60, -1), "0.7913/min ± 0.0041")
        XCTAssertEqual(text(12.3456, 0.4321), "12.35 ± 0.43")
        XCTAssertEqual(text(7913.4, 41.2), "7913 ± 41")
        XCTAssertEqual(text(7913.4, 123.4), "7910 ± 120")
        XCTAssertEqual(text(0.5, 0.0999), "0.50 ± 0.10")
        XCTAssertEqual(text(3.14159, 0.00995), "3.142 ± 0.010")
        XCTAssertEqual(text(150, 30, 1), "2.50min ± 0.50")
        XCTAssertEqual(text(-0.0001, 0.002), "-0.0001 ± 0.0020")
        XCTAssertEqual(text(-0.00001, 0.002), "0.0000 ± 0.0020")
    }

    func testOneReplicationPrintsTheMeanAlone() {
        XCTAssertEqual(text(0.5, nil), "0.5")
        XCTAssertEqual(text(90, nil, 1), "1.5min")
    }
}
