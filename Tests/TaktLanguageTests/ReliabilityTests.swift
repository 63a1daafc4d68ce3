import XCTest
@testable import TaktCore
@testable import TaktLanguage

/// Scripts that used to crash, hang or mislead (the "never crash, never hang" issue): each now
/// stops with a located error that says what to change.
final class ReliabilityTests: XCTestCase {
    func testAGrowingStringStopsAtItsBudget() {
        assertError("var s = \"ab\"\nwhile true { s = s + s }", "a string may be at most 256 MiB", line: 2, column: 18)
        assertError("var s = \"ab\"\nwhile true { s += s }", "a string may be at most 256 MiB", line: 2, column: 14)
    }

    func testAGrowingListStopsAtItsBudget() {
        assertError("var xs = [1]\nwhile true { xs = xs + xs }", "a list may hold at most 50,000,000", line: 2, column: 19)
    }

    func testAValueTooLargeToPrintIsAnError() {
        // 2^60 leaves, sharing storage: cheap to build, impossible to print.
        let source = "var r = [1]\nfor i in 1...60 { r = [r, r] }\nprint(len(r))\nprint(r)"
        let result = runScript(source)
        XCTAssertEqual(result.output, "2\n")
        XCTAssertEqual(result.errors.first?.message, "this value is too large to print: its text passes 64 MiB")
        XCTAssertEqual(result.errors.first?.span?.start.line, 4)
        assertError("var r = [1]\nfor i in 1...60 { r = [r, r] }\nlet s = \"\\(r)\"", "too large to print", line: 3)
    }

    func testAnInfiniteMeanIsAnError() {
        assertError("print(weibull(1e-300, 1min).mean)", "the mean of weibull(1e-300, 1min) is too large to represent", line: 1, column: 29)
        assertPrints("print(weibull(1, 2min).mean)", "2min\n")
    }

    func testAStringIndexSaysString() {
        assertError("print(\"abc\"[-1])", "index -1 is out of range for a string of length 3", line: 1, column: 13)
        assertError("print([1, 2][5])", "index 5 is out of range for a list of length 2", line: 1)
    }

    func testANamedArgumentGivenTwiceIsAnError() {
        assertError("source s { every: 1min }\nstation m { process: 1min }\nsink d\nflow s -> m -> d\nsimulate(horizon: 10min, horizon: 20min)",
                    "the argument 'horizon' is given twice", line: 5, column: 26)
    }

    func testRangeBoundsPastTwoToThe53SaySo() {
        let r = runScript("for i in 1...1e18 { }")
        XCTAssertEqual(r.errors.first?.message, "range bounds must be whole numbers from -2^53 to 2^53")
    }

    func testMaxPartsIsASetting() {
        let model = """
        config { horizon: 100min, replications: 1, max_parts: 1000 }
        source jobs { every: 0.01min }
        station m1 { process: 1min }
        sink done
        flow jobs -> m1 -> done
        """
        let r = runScript(model)
        guard let d = r.errors.first else { return XCTFail("expected the parts limit") }
        XCTAssertEqual(d.message, "'m1' holds 1,000 waiting parts at 10.11min: it receives 100/min and can process 1/min")
        XCTAssertEqual(d.span?.start.line, 3)
        assertError("config { max_parts: 0 }", "max_parts must be a whole number from 1 to 1000000000", line: 1)
        assertError("config { max_part: 10 }", "unknown config setting 'max_part'", line: 1)
    }

    func testTimeThatStopsAdvancingNamesTheSource() {
        let model = """
        config { horizon: 1min, replications: 1 }
        source jobs { every: 5e-324s }
        station m1 { process: 1min }
        sink done
        flow jobs -> m1 -> done
        """
        let r = runScript(model)
        guard let d = r.errors.first else { return XCTFail("expected a stall") }
        XCTAssertTrue(d.message.contains("simulated time stopped advancing"), d.message)
        XCTAssertTrue(d.message.hasSuffix("at 'jobs'"), d.message)
        XCTAssertEqual(d.span?.start.line, 2)
    }

    func testAWhatIfIsCheckedBeforeTheBaselineRuns() {
        // The baseline would take minutes; the bad value must be reported first.
        let model = """
        config { horizon: 100000d, replications: 1 }
        source jobs { every: 1min }
        station m1 { process: 0.5min }
        sink done
        flow jobs -> m1 -> done
        what if m1.servers = 0
        """
        assertError(model, "servers must be", line: 6)
    }

    func testAnUnknownFailureInAWhatIfIsACheckerError() {
        let model = """
        source jobs { every: 1min }
        station m1 { process: 0.5min
          failure wear { up: exponential(100min), down: 5min } }
        sink done
        flow jobs -> m1 -> done
        scenario s { m1.wer.up = exponential(50min) }
        """
        let compiled = LargeStack.run { ScriptRunner.check(SourceFile(name: "t.takt", text: model)) }
        guard case .failure(let d) = compiled else { return XCTFail("expected a checker error") }
        XCTAssertEqual(d.items.first?.message, "the station 'm1' has no failure 'wer'")
        XCTAssertEqual(d.items.first?.span?.start.line, 6)
    }

    /// The banded distance agrees with the full one wherever it answers, and answers wherever
    /// the full one is within the band.
    func testBandedEditDistanceMatchesTheFullOne() {
        func full(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
            var prev = Array(0...b.count)
            for i in 1...max(1, a.count) where !a.isEmpty {
                var cur = [i] + Array(repeating: 0, count: b.count)
                for j in 1...max(1, b.count) where !b.isEmpty {
                    cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                }
                prev = cur
            }
            return a.isEmpty ? b.count : prev[b.count]
        }
        var r = RandomStream(seed: 7)
        let alphabet: [Unicode.Scalar] = ["a", "b", "c"]
        for _ in 0..<5_000 {
            let a = (0..<Int(r.next() % 9)).map { _ in alphabet[Int(r.next() % 3)] }
            let b = (0..<Int(r.next() % 9)).map { _ in alphabet[Int(r.next() % 3)] }
            let bound = 1 + Int(r.next() % 3)
            let d = full(a, b)
            XCTAssertEqual(Suggest.distance(a, b, atMost: bound), d <= bound ? d : nil, "\(a) \(b) \(bound)")
        }
        XCTAssertEqual(Suggest.closest(to: "dril", among: ["drill", "done", "raw"]), "drill")
        let long = String(repeating: "a", count: 100_000)
        XCTAssertNil(Suggest.closest(to: long, among: [long + "bbbb", "a"]))
        XCTAssertEqual(Suggest.closest(to: long, among: [long + "b"]), long + "b")
    }

    func testARecordWithManyFieldsChecksInLinearTime() {
        let fields = (0..<100_000).map { "f\($0): \($0)" }.joined(separator: ", ")
        assertPrints("let r = {\(fields)}\nprint(len(r), r.f99999)", "100000 99999\n")
        let dup = parseErrors("let r = {a: 1, b: 2, a: 3}")
        XCTAssertEqual(dup.first?.message, "duplicate field 'a'")
    }
}

extension ReliabilityTests {
    func testABareBufferIsUnlimitedAndABareStationIsNot() {
        // The implicit run's summary follows the printed capacity.
        let r = runScript("source s { every: 1min }\nstation m { process: 0.5min }\nbuffer b\nsink d\nflow s -> b -> m -> d\nprint(b.capacity)")
        XCTAssertEqual(r.errors.map(\.message), [])
        XCTAssertTrue(r.output.hasPrefix("nil\n"), r.output)
        XCTAssertTrue(r.output.contains("buffer  level"), r.output)
        XCTAssertEqual(parseErrors("station m\n").first?.message, "expected '{' after 'station m', found end of line")
    }
}
