import XCTest
@testable import TaktLanguage

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
