import XCTest
@testable import TaktLanguage

final class LexerTests: XCTestCase {
    func kinds(_ s: String) -> [String] {
        lex(s).tokens.map { t in
            switch t.kind {
            case .number(let x): return "n\(x)"
            case .percent(let x): return "p\(x)"
            case .duration(let x): return "d\(x)"
            case .string: return "str"
            case .identifier(let n): return "id:\(n)"
            case .keyword(let k): return "kw:\(k.rawValue)"
            case .symbol(let s): return s.rawValue
            case .newline: return "NL"
            case .eof: return "EOF"
            }
        }
    }

    func testNumbersDurationsAndPercentages() {
        XCTAssertEqual(kinds("12 3.5 1_000 1e-3 2E+2"), ["n12.0", "n3.5", "n1000.0", "n0.001", "n200.0", "NL", "EOF"])
        XCTAssertEqual(kinds("90s 1.5h 2min 500ms 1d 1w"), ["d90.0", "d5400.0", "d120.0", "d0.5", "d86400.0", "d604800.0", "NL", "EOF"])
        XCTAssertEqual(kinds("5% 10 % 4"), ["p0.05", "n10.0", "%", "n4.0", "NL", "EOF"])
        XCTAssertEqual(kinds("1...10 1..<3"), ["n1.0", "...", "n10.0", "n1.0", "..<", "n3.0", "NL", "EOF"])
    }

    func testPercentIsOneDivision() {
        guard case .percent(let x) = lex("7%").tokens[0].kind else { return XCTFail("not a percentage") }
        XCTAssertEqual(x, 7.0 / 100)
    }

    func testKeywordsAndIdentifiers() {
        XCTAssertEqual(kinds("let x_1 = print"), ["kw:let", "id:x_1", "=", "kw:print", "NL", "EOF"])
        for k in Keyword.allCases {
            XCTAssertEqual(kinds(k.rawValue).first, "kw:\(k.rawValue)")
        }
    }

    func testNewlinesEndStatementsOnlyWhereTheyCan() {
        XCTAssertEqual(kinds("a\nb"), ["id:a", "NL", "id:b", "NL", "EOF"])
        XCTAssertEqual(kinds("f(a,\nb)"), ["id:f", "(", "id:a", ",", "id:b", ")", "NL", "EOF"])
        XCTAssertEqual(kinds("[1\n2]"), ["[", "n1.0", "n2.0", "]", "NL", "EOF"])
        XCTAssertEqual(kinds("a +\nb"), ["id:a", "+", "id:b", "NL", "EOF"])
        XCTAssertEqual(kinds("a ->\nb"), ["id:a", "->", "id:b", "NL", "EOF"])
        XCTAssertEqual(kinds("{\na\n}"), ["{", "NL", "id:a", "NL", "}", "NL", "EOF"])
        XCTAssertEqual(kinds("a # comment\n\n\nb"), ["id:a", "NL", "id:b", "NL", "EOF"])
    }

    func testStringEscapesAndInterpolation() {
        let t = lex(#""a\tb\"\\\n" "x\(1 + "y\(2)")z""#).tokens
        guard case .string(let s1) = t[0].kind, case .text(let text) = s1[0] else { return XCTFail() }
        XCTAssertEqual(text, "a\tb\"\\\n")
        guard case .string(let s2) = t[1].kind else { return XCTFail() }
        XCTAssertEqual(s2.count, 3)
        guard case .code(let inner) = s2[1] else { return XCTFail() }
        // 1 + "y\(2)" then newline and eof
        XCTAssertEqual(inner.count, 5)
    }

    func testColumnsCountUnicodeScalars() {
        let t = lex("\"é\" x").tokens
        XCTAssertEqual(t[1].start.column, 5)
    }

    func testErrorsAreLocated() {
        let unterminated = lex("let s = \"abc\nprint(1)").errors
        XCTAssertEqual(unterminated.count, 1)
        XCTAssertEqual(unterminated[0].message, "unterminated string")
        XCTAssertEqual(unterminated[0].span?.start.column, 9)

        let unit = lex("let t = 5x").errors
        XCTAssertEqual(unit.first?.message, "unknown time unit 'x'")

        let unclosed = lex("f(1,\n[2,\n3").errors
        XCTAssertEqual(unclosed.count, 1)
        XCTAssertEqual(unclosed.first?.message, "unclosed '['")
        XCTAssertEqual(unclosed.first?.span?.start.line, 2)

        XCTAssertEqual(lex("a @ b").errors.first?.message, "unexpected character '@'")
        XCTAssertEqual(lex("\"\\q\"").errors.first?.message, "unknown escape '\\q'")
    }

    func testInvalidUTF8AndNulAreLocated() {
        guard case .failure(let bad) = SourceFile.decode(name: "b.takt", bytes: Array("ab\ncd".utf8) + [0xC3, 0x28]) else { return XCTFail() }
        XCTAssertEqual(bad.message, "invalid UTF-8 byte 0xC3 in source file")
        XCTAssertEqual(bad.span?.start.line, 2)
        XCTAssertEqual(bad.span?.start.column, 3)
        guard case .failure(let nul) = SourceFile.decode(name: "b.takt", bytes: [0x61, 0x00]) else { return XCTFail() }
        XCTAssertEqual(nul.message, "NUL byte in source file")
        XCTAssertEqual(nul.span?.start.column, 2)
    }

    func testInterpolationNestingIsBounded() {
        let deep = String(repeating: "\"\\(", count: 300) + "1" + String(repeating: ")\"", count: 300)
        let errors = lex(deep).errors
        XCTAssertEqual(errors.count, 1)
        XCTAssertTrue(errors[0].message.contains("nested too deeply"))
    }
}
