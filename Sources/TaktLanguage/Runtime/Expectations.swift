/// The `# expect:` and `# expect error:` lines of a script, and the check of a run against them.
public struct Expectations {
    public var output: [String] = []
    /// The text an error message must contain, and the line it must be reported at.
    public var error: (text: String, line: Int)? = nil
    /// Warnings the checker must give: text the message contains, and the line of the comment.
    public var warnings: [(text: String, line: Int)] = []

    /// Finds expectation comments: a `#` outside a string literal, then `expect:` or `expect error:`.
    public init(text: String) {
        var lineNo = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNo += 1
            guard let comment = Expectations.comment(in: Substring(line)) else { continue }
            let body = comment.drop(while: { $0 == " " || $0 == "\t" })
            if body.hasPrefix("expect warning:") {
                warnings.append((Expectations.payload(body.dropFirst("expect warning:".count)), lineNo))
            } else if body.hasPrefix("expect error:") {
                error = (Expectations.payload(body.dropFirst("expect error:".count)), lineNo)
            } else if body.hasPrefix("expect:") {
                output.append(Expectations.payload(body.dropFirst("expect:".count)))
            }
        }
    }

    static func payload(_ s: Substring) -> String {
        var t = s
        if t.first == " " { t = t.dropFirst() }
        if t.last == "\r" { t = t.dropLast() }
        return String(t)
    }

    static func comment(in line: Substring) -> Substring? {
        var inString = false, escaped = false
        var index = line.startIndex
        while index < line.endIndex {
            let c = line[index]
            if inString {
                if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inString = false }
            } else if c == "\"" {
                inString = true
            } else if c == "#" {
                return line[line.index(after: index)...]
            }
            index = line.index(after: index)
        }
        return nil
    }

    public var isEmpty: Bool { output.isEmpty && error == nil && warnings.isEmpty }

    /// Why the warnings given do not include those expected, or nil when they do.
    public func warningMismatch(_ given: [Diagnostic]) -> String? {
        for w in warnings {
            guard let d = given.first(where: { $0.message.contains(w.text) }) else {
                return "expected a warning containing \(quoted(w.text)) at line \(w.line)"
                    + (given.first.map { ", got: \($0.message)" } ?? ", but there was none")
            }
            let line = Expectations.lineText(d)
            if line != String(w.line) {
                return "the warning \(quoted(d.message)) was reported at line \(line), expected line \(w.line)"
            }
        }
        return nil
    }

    /// Why a run does not meet these expectations, or nil when it does.
    public func mismatch(output printed: String, outcome: RunOutcome) -> String? {
        var lines = printed.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        for (i, expected) in output.enumerated() {
            guard i < lines.count else {
                return "expected output line \(i + 1) \(quoted(expected)), but the output ended after \(lines.count) line\(lines.count == 1 ? "" : "s")"
            }
            if lines[i] != expected {
                return "output line \(i + 1): expected \(quoted(expected)), got \(quoted(lines[i]))"
            }
        }
        if lines.count > output.count {
            return "unexpected output line \(output.count + 1): \(quoted(lines[output.count]))"
        }
        switch outcome {
        case .success:
            if let e = error { return "expected an error containing \(quoted(e.text)) at line \(e.line), but the script succeeded" }
        case .interrupted:
            return "interrupted"
        case .usage(let message):
            return "usage error: \(message)"
        case .failure(let diagnostics):
            let first = diagnostics.first?.message ?? "unknown"
            let firstLine = Expectations.lineText(diagnostics.first)
            guard let e = error else {
                return "unexpected error at line \(firstLine): \(first)"
            }
            guard let index = diagnostics.firstIndex(where: { $0.message.contains(e.text) }) else {
                return "expected an error containing \(quoted(e.text)), got: \(first)"
            }
            let line = Expectations.lineText(diagnostics[index])
            if line != String(e.line) {
                return "the error \(quoted(diagnostics[index].message)) was reported at line \(line), expected line \(e.line)"
            }
        }
        return nil
    }

    static func lineText(_ d: Diagnostic?) -> String {
        guard let d = d, let span = d.site ?? d.span else { return "?" }
        return String(span.start.line)
    }

    func quoted(_ s: String) -> String { ValueFormatter.quote(s) }
}
