/// An error of the tool: lexical, syntax, name resolution, type, model or runtime.
/// A value, never printed by the library; `render` turns it into rustc-style text.
public struct Diagnostic: Error {
    public var message: String
    public var span: Span?
    /// Short text under the caret.
    public var label: String
    /// A `help:` line that suggests the fix.
    public var help: String?
    /// Further lines, such as the chain of calls that led to a runtime error.
    public var notes: [String]
    /// An error stops the script; a warning is printed and the script runs.
    public var severity: Severity = .error
    /// For an error in a data file (a CSV cell): where the script reads the file. It is
    /// printed as a note, and `# expect error:` lines match its line.
    public var site: Span?

    /// Runs `body`, marking an error it finds in a data file as read at `site`.
    public static func reading<T>(at site: Span, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let d as Diagnostic {
            throw d.read(at: site)
        }
    }

    /// The same diagnostic, read from the script at `site` (when it stands in another file).
    public func read(at site: Span) -> Diagnostic {
        guard self.site == nil, let span, span.file !== site.file else { return self }
        var out = self
        out.site = site
        return out
    }

    public enum Severity: String { case error, warning }

    public init(_ message: String, at span: Span?, label: String = "", help: String? = nil, notes: [String] = []) {
        self.message = message
        self.span = span
        self.label = label
        self.help = help
        self.notes = notes
    }

    public var line: Int? { span?.start.line }

    /// `error: message`, the `--> file:line:col` line, the source line with carets, help and notes.
    public func render(color: Bool = false) -> String {
        let red = !color ? "" : severity == .error ? "\u{1B}[1;31m" : "\u{1B}[1;33m", blue = color ? "\u{1B}[1;34m" : ""
        let bold = color ? "\u{1B}[1m" : "", reset = color ? "\u{1B}[0m" : ""
        var out = "\(red)\(severity.rawValue)\(reset)\(bold): \(message)\(reset)\n"
        guard let span = span else {
            if let help = help { out += "  = help: \(help)\n" }
            for note in notes { out += "  = note: \(note)\n" }
            return out
        }
        let lineNo = String(span.start.line)
        let pad = String(repeating: " ", count: lineNo.count)
        out += "\(pad)\(blue)-->\(reset) \(span.file.name):\(span.start.line):\(span.start.column)\n"
        out += "\(pad) \(blue)|\(reset)\n"
        var scalars = Array(span.file.lineText(span.start.line).unicodeScalars)
        var column = span.start.column
        var width = 1
        if span.end.line == span.start.line {
            width = max(1, span.end.column - span.start.column)
        } else {
            width = max(1, scalars.count - span.start.column + 1)
        }
        // Very long lines show a window around the caret.
        let window = 100
        if scalars.count > window {
            let start = max(0, min(column - 1 - window / 3, scalars.count - window))
            let end = min(scalars.count, start + window)
            var shown = Array(scalars[start..<end])
            var shift = start
            if start > 0 { shown.insert(contentsOf: "...".unicodeScalars, at: 0); shift -= 3 }
            if end < scalars.count { shown.append(contentsOf: "...".unicodeScalars) }
            column -= shift
            width = min(width, max(1, shown.count - column + 1))
            scalars = shown
        }
        var text = ""
        text.unicodeScalars.append(contentsOf: scalars)
        out += "\(blue)\(lineNo) |\(reset) \(text)\n"
        // Tabs keep their width under the caret.
        var indent = ""
        for (i, s) in scalars.enumerated() where i < column - 1 {
            indent.append(s == "\t" ? "\t" : " ")
        }
        if column - 1 > scalars.count {
            indent += String(repeating: " ", count: column - 1 - scalars.count)
        }
        let carets = String(repeating: "^", count: width)
        out += "\(pad) \(blue)|\(reset) \(indent)\(red)\(carets)\(reset)\(label.isEmpty ? "" : " " + red + label + reset)\n"
        if let help = help { out += "\(pad) \(blue)=\(reset) help: \(help)\n" }
        for note in notes { out += "\(pad) \(blue)=\(reset) note: \(note)\n" }
        if let site {
            out += "\(pad) \(blue)=\(reset) note: read at \(site.file.name):\(site.start.line):\(site.start.column)\n"
        }
        return out
    }
}

/// Several diagnostics from one phase, in source order.
public struct Diagnostics: Error {
    public var items: [Diagnostic]
    public init(_ items: [Diagnostic]) { self.items = items }
}

/// Edit-distance suggestions for "did you mean".
public enum Suggest {
    /// The candidate nearest to `name` by edit distance, if within a third of its length (1 to 3).
    /// Candidates whose length differs by more than that are skipped, and the distance is
    /// computed in a band of that width, so a long name costs linear time, not quadratic.
    public static func closest(to name: String, among candidates: [String]) -> String? {
        let target = Array(name.unicodeScalars)
        let limit = max(1, min(3, target.count / 3))
        var best: (String, Int)? = nil
        for c in candidates where c != name {
            let other = Array(c.unicodeScalars)
            guard abs(other.count - target.count) <= limit, let d = distance(target, other, atMost: limit) else { continue }
            if best == nil || d < best!.1 { best = (c, d) }
        }
        return best?.0
    }

    /// The edit distance of `a` and `b` if it is at most `bound`, else nil: only cells within
    /// `bound` of the diagonal can stay within it.
    static func distance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar], atMost bound: Int) -> Int? {
        if abs(a.count - b.count) > bound { return nil }
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        let outside = bound + 1
        var prev = [Int](repeating: outside, count: b.count + 1)
        var cur = prev
        for j in 0...min(b.count, bound) { prev[j] = j }
        for i in 1...a.count {
            let lo = max(1, i - bound), hi = min(b.count, i + bound)
            cur[lo - 1] = lo - 1 == 0 ? i : outside
            var rowBest = cur[lo - 1]
            if lo <= hi {
                for j in lo...hi {
                    let cost = a[i - 1] == b[j - 1] ? 0 : 1
                    cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost, outside)
                    rowBest = min(rowBest, cur[j])
                }
            }
            if hi < b.count { cur[hi + 1] = outside }
            if rowBest > bound { return nil }
            swap(&prev, &cur)
        }
        return prev[b.count] <= bound ? prev[b.count] : nil
    }
}
