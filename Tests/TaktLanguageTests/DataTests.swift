import Foundation
import XCTest
@testable import TaktLanguage

/// CSV files per RFC 4180, their errors at file:line:column, and what scripts read from them.
final class DataTests: XCTestCase {
    func parse(_ text: String) throws -> CSVTable {
        try CSVTable.parse(SourceFile(name: "t.csv", text: text))
    }

    func parseError(_ text: String) -> Diagnostic? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error as? Diagnostic
        }
    }

    func testQuotesLineBreaksAndLineEnds() throws {
        let t = try parse("\u{FEFF}name,note\r\n\"a, b\",\"say \"\"hi\"\"\"\r\n\r\nc,\"two\nlines\"\nd,\n")
        XCTAssertEqual(t.header.map(\.text), ["name", "note"])
        XCTAssertEqual(t.rows.map { $0.map(\.text) }, [["a, b", "say \"hi\""], ["c", "two\nlines"], ["d", ""]])
        // A last line without a line end, and a comma at the very end of the file.
        XCTAssertEqual(try parse("x,y\n1,2").rows.map { $0.map(\.text) }, [["1", "2"]])
        XCTAssertEqual(try parse("x,y\n1,").rows.map { $0.map(\.text) }, [["1", ""]])
    }

    func testBadFilesAreLocated() {
        let cases: [(String, String, Int, Int)] = [
            ("a,b\n1,\"open\n", "never closed", 2, 3),
            ("a,b\n1,\"x\"y\n", "goes on after its closing quote", 2, 6),
            ("a,b\n1,x\"y\n", "a quote inside an unquoted cell", 2, 4),
            ("a,b\n1\n", "this row has 1 cell but the header has 2", 2, 2),
            ("a,b\n1,2,3\n", "this row has 3 cells", 2, 5),
            ("a,a\n1,2\n", "named twice", 1, 3),
            ("", "is empty", 1, 1),
        ]
        for (text, message, line, column) in cases {
            guard let d = parseError(text) else {
                XCTFail("no error for \(text.debugDescription)")
                continue
            }
            XCTAssertTrue(d.message.contains(message), "\(d.message) for \(text.debugDescription)")
            XCTAssertEqual(d.span?.start.line, line, text.debugDescription)
            XCTAssertEqual(d.span?.start.column, column, text.debugDescription)
            XCTAssertTrue(d.render().contains("t.csv:\(line):\(column)"), d.render())
        }
    }

    /// Random texts of the characters that matter to CSV parse or fail with a located
    /// diagnostic; every parsed row has the header's width.
    func testRandomTextsNeverTrap() {
        let alphabet = Array("a1,\"\r\n .e-\u{FEFF}é")
        var state: UInt64 = 12_345
        for _ in 0..<3_000 {
            var text = ""
            state = state &* 6364136223846793005 &+ 1442695040888963407
            for _ in 0..<Int(state >> 58) {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                text.append(alphabet[Int(state >> 33) % alphabet.count])
            }
            do {
                let t = try parse(text)
                XCTAssertTrue(t.rows.allSatisfy { $0.count == t.header.count }, text.debugDescription)
            } catch let d as Diagnostic {
                XCTAssertNotNil(d.span, text.debugDescription)
                _ = d.render()
            } catch {
                XCTFail("\(error) for \(text.debugDescription)")
            }
        }
    }

    func testNumbersAreStrict() {
        XCTAssertEqual(CSVTable.number(" 12.5 "), 12.5)
        XCTAssertEqual(CSVTable.number("-3e2"), -300)
        for text in ["inf", "nan", "1x", "", "0x10", "1,5"] { XCTAssertNil(CSVTable.number(text), text) }
    }

    /// Scripts reading a file beside them: a column under a unit, rows as records, a fit.
    func testScriptsReadColumnsRowsAndFits() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("takt-data-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try "t,state\n0,up\n1.5,down\n2,up\n".write(to: dir.appendingPathComponent("log.csv"), atomically: true, encoding: .utf8)
        let (out, errors, _) = runScript("""
        let t = csv("log.csv", column: "t", unit: 1min)
        print(t, len(t))
        let rows = csv("log.csv", unit: 1h)
        print(rows[1].t, rows[1].state)
        let d = fit([1min, 2min, 4min, 3min, 2.5min])
        print(d.family, d.n, len(d.candidates), d.candidates[0].family == d.family)
        print(d.aic <= d.candidates[1].aic)
        """, name: dir.appendingPathComponent("s.takt").path)
        XCTAssertEqual(errors.map(\.message), [])
        let lines = out.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines[0], "[0min, 1.5min, 2min] 3")
        XCTAssertEqual(lines[1], "90min down")
        XCTAssertTrue(lines[2].hasSuffix(" 5 5 true"), lines[2])
        XCTAssertEqual(lines[3], "true")
    }
}
