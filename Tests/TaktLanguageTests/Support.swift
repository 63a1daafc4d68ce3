import XCTest
@testable import TaktLanguage

/// Runs a snippet and returns what it printed and the diagnostics it stopped with.
func runScript(_ source: String, name: String = "test.takt") -> (output: String, errors: [Diagnostic], interrupted: Bool) {
    var printed = ""
    let outcome = ScriptRunner.run(SourceFile(name: name, text: source), output: { printed += $0 })
    switch outcome {
    case .success: return (printed, [], false)
    case .failure(let d): return (printed, d, false)
    case .interrupted: return (printed, [], true)
    case .usage(let message): return (printed, [Diagnostic(message, at: nil)], false)
    }
}

/// Asserts that a snippet prints exactly these lines.
func assertPrints(_ source: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
    let r = runScript(source)
    XCTAssertEqual(r.errors.map(\.message), [], "unexpected errors", file: file, line: line)
    XCTAssertEqual(r.output, expected, file: file, line: line)
}

/// Asserts that a snippet stops with an error containing `message` at `line:column`.
func assertError(_ source: String, _ message: String, line: Int, column: Int? = nil,
                 file: StaticString = #filePath, testLine: UInt = #line) {
    let r = runScript(source)
    guard let d = r.errors.first else {
        XCTFail("expected an error containing '\(message)', got output \(r.output.debugDescription)", file: file, line: testLine)
        return
    }
    XCTAssertTrue(d.message.contains(message), "message was '\(d.message)'", file: file, line: testLine)
    XCTAssertEqual(d.span?.start.line, line, "line of '\(d.message)'", file: file, line: testLine)
    if let column = column {
        XCTAssertEqual(d.span?.start.column, column, "column of '\(d.message)'", file: file, line: testLine)
    }
}

func lex(_ source: String) -> (tokens: [Token], errors: [Diagnostic]) {
    var lexer = Lexer(file: SourceFile(name: "t.takt", text: source))
    let tokens = lexer.tokenize()
    return (tokens, lexer.diagnostics)
}

/// Parses on a large stack, as the tool does.
func parseErrors(_ source: String) -> [Diagnostic] {
    LargeStack.run {
        switch Parser.parse(SourceFile(name: "t.takt", text: source)) {
        case .success: return []
        case .failure(let d): return d.items
        }
    }
}

/// Runs a script that must not fail and returns the number on the last line it printed.
func lastNumber(_ source: String, file: StaticString = #filePath, line: UInt = #line) -> Double? {
    let r = runScript(source)
    XCTAssertEqual(r.errors.map(\.message), [], file: file, line: line)
    return Double(r.output.split(separator: "\n").last.map(String.init) ?? "")
}
