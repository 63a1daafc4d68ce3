import XCTest
@testable import TaktLanguage

final class GrammarTests: XCTestCase {
    /// Grammar/takt.ebnf must name every reserved word and operator of the lexer.
    func testGrammarNamesEveryKeywordAndSymbol() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let grammar = try String(contentsOf: root.appendingPathComponent("Grammar/takt.ebnf"), encoding: .utf8)
        for k in Keyword.allCases {
            XCTAssertTrue(grammar.contains("\"\(k.rawValue)\""), "Grammar/takt.ebnf lacks the keyword \"\(k.rawValue)\"")
        }
        for s in Symbol.allCases {
            XCTAssertTrue(grammar.contains("\"\(s.rawValue)\""), "Grammar/takt.ebnf lacks the symbol \"\(s.rawValue)\"")
        }
        for u in TimeUnit.allCases {
            XCTAssertTrue(grammar.contains("\"\(u.rawValue)\""), "Grammar/takt.ebnf lacks the unit \"\(u.rawValue)\"")
        }
    }
}
