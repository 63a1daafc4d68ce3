/// Turns a source file into tokens. Newlines become tokens only where they can end a
/// statement: not inside `(` or `[`, not after a binary operator, `->` or `,`.
public struct Lexer {
    /// Interpolations nest at most this deep, so lexing never overflows the stack.
    static let maxInterpolationDepth = 200

    let file: SourceFile
    let s: [Unicode.Scalar]
    var pos = 0
    var line = 1
    var column = 1
    public private(set) var diagnostics: [Diagnostic] = []
    /// Set by an error after which nothing sensible can follow.
    var stopped = false
    /// Every `#` comment: its location and its text after the `#`.
    public private(set) var comments: [(line: Int, text: String)] = []

    public init(file: SourceFile) {
        self.file = file
        self.s = file.scalars
    }

    /// Lexes the whole file. Check `diagnostics` afterwards.
    public mutating func tokenize() -> [Token] {
        lexTokens(depth: 0, untilCloseParen: false)
    }

    var location: SourceLocation { SourceLocation(offset: pos, line: line, column: column) }

    func peek(_ k: Int = 0) -> Unicode.Scalar? {
        pos + k < s.count ? s[pos + k] : nil
    }

    mutating func advance() {
        if s[pos] == "\n" { line += 1; column = 1 } else { column += 1 }
        pos += 1
    }

    mutating func error(_ message: String, from start: SourceLocation, to end: SourceLocation? = nil, label: String = "", help: String? = nil) {
        let e = end ?? SourceLocation(offset: start.offset + 1, line: start.line, column: start.column + 1)
        if diagnostics.count < 50 {
            diagnostics.append(Diagnostic(message, at: Span(file: file, start: start, end: e), label: label, help: help))
        }
    }

    static func isIdentStart(_ c: Unicode.Scalar) -> Bool {
        c == "_" || c.properties.isAlphabetic
    }

    static func isIdentContinue(_ c: Unicode.Scalar) -> Bool {
        isIdentStart(c) || ("0"..."9").contains(c) || c.properties.numericType != nil
    }

    static func isDigit(_ c: Unicode.Scalar?) -> Bool {
        guard let c = c else { return false }
        return ("0"..."9").contains(c)
    }

    mutating func lexTokens(depth: Int, untilCloseParen: Bool) -> [Token] {
        var tokens: [Token] = []
        var brackets: [(Symbol, SourceLocation)] = []
        func lastContinues() -> Bool {
            guard let last = tokens.last else { return true }
            switch last.kind {
            case .newline: return true
            case .symbol(let sym): return sym.continuesLine
            case .keyword(let k): return k == .and || k == .or || k == .not
            default: return false
            }
        }
        while pos < s.count && !stopped {
            let c = s[pos]
            let start = location
            if c == "\n" {
                advance()
                let inParens = brackets.last.map { $0.0 != .lbrace } ?? untilCloseParen
                if !inParens && !lastContinues() {
                    tokens.append(Token(kind: .newline, start: start, end: location))
                }
                continue
            }
            if c == " " || c == "\t" || c == "\r" { advance(); continue }
            if c == "#" {
                var text = String.UnicodeScalarView()
                advance()
                while let d = peek(), d != "\n" { text.append(d); advance() }
                comments.append((start.line, String(text)))
                continue
            }
            if Lexer.isDigit(c) {
                if let t = lexNumber() { tokens.append(t) }
                continue
            }
            if Lexer.isIdentStart(c) {
                var text = String.UnicodeScalarView()
                while let d = peek(), Lexer.isIdentContinue(d) { text.append(d); advance() }
                let name = String(text)
                let kind: TokenKind = Keyword(rawValue: name).map { .keyword($0) } ?? .identifier(name)
                tokens.append(Token(kind: kind, start: start, end: location))
                continue
            }
            if c == "\"" {
                if let t = lexString(depth: depth) { tokens.append(t) }
                continue
            }
            guard let sym = lexSymbol() else {
                advance()
                error("unexpected character '\(c.escaped(asASCII: false))'", from: start)
                continue
            }
            switch sym {
            case .lparen, .lbracket, .lbrace:
                brackets.append((sym, start))
            case .rparen, .rbracket, .rbrace:
                let opener: Symbol = sym == .rparen ? .lparen : sym == .rbracket ? .lbracket : .lbrace
                if brackets.last?.0 == opener {
                    brackets.removeLast()
                } else if brackets.isEmpty && untilCloseParen && sym == .rparen {
                    return finish(tokens, end: start)
                } else if let i = brackets.lastIndex(where: { $0.0 == opener }) {
                    brackets.removeSubrange(i...)
                }
            default:
                break
            }
            tokens.append(Token(kind: .symbol(sym), start: start, end: location))
        }
        if let (sym, at) = brackets.last, diagnostics.isEmpty {
            let closer = sym == .lparen ? ")" : sym == .lbracket ? "]" : "}"
            error("unclosed '\(sym.rawValue)'", from: at, label: "opened here and never closed",
                  help: "add '\(closer)'")
        }
        return finish(tokens, end: location)
    }

    func finish(_ tokens: [Token], end: SourceLocation) -> [Token] {
        var out = tokens
        if let last = out.last, case .newline = last.kind {} else {
            out.append(Token(kind: .newline, start: end, end: end))
        }
        out.append(Token(kind: .eof, start: end, end: end))
        return out
    }

    mutating func lexSymbol() -> Symbol? {
        // Longest match first.
        for length in [3, 2, 1] {
            guard pos + length <= s.count else { continue }
            var text = ""
            for k in 0..<length { text.unicodeScalars.append(s[pos + k]) }
            if let sym = Symbol(rawValue: text) {
                for _ in 0..<length { advance() }
                return sym
            }
        }
        return nil
    }

    mutating func lexNumber() -> Token? {
        let start = location
        var text = ""
        var sawDigit = false
        func digits(_ lexer: inout Lexer, into text: inout String) {
            while let d = lexer.peek() {
                if Lexer.isDigit(d) { text.unicodeScalars.append(d); sawDigit = true; lexer.advance() }
                else if d == "_" && Lexer.isDigit(lexer.peek(1)) && sawDigit { lexer.advance() }
                else { break }
            }
        }
        digits(&self, into: &text)
        if peek() == ".", Lexer.isDigit(peek(1)) {
            text += "."
            advance()
            digits(&self, into: &text)
        }
        if peek() == "e" || peek() == "E" {
            let signed = (peek(1) == "+" || peek(1) == "-") && Lexer.isDigit(peek(2))
            if Lexer.isDigit(peek(1)) || signed {
                text += "e"
                advance()
                if signed { text.unicodeScalars.append(s[pos]); advance() }
                digits(&self, into: &text)
            }
        }
        guard let value = Double(text), value.isFinite else {
            error("number literal is too large", from: start, to: location)
            return nil
        }
        if peek() == "%" {
            advance()
            return Token(kind: .percent(value / 100), start: start, end: location)
        }
        if let c = peek(), Lexer.isIdentStart(c) {
            let unitStart = location
            var unit = String.UnicodeScalarView()
            while let d = peek(), Lexer.isIdentContinue(d) { unit.append(d); advance() }
            guard let u = TimeUnit(rawValue: String(unit)) else {
                error("unknown time unit '\(String(unit))'", from: unitStart, to: location,
                      help: "time units are ms, s, min, h, d, w; put a space between a number and a name")
                return nil
            }
            let seconds = value * u.seconds
            guard seconds.isFinite else {
                error("duration literal is too large", from: start, to: location)
                return nil
            }
            return Token(kind: .duration(seconds), start: start, end: location)
        }
        return Token(kind: .number(value), start: start, end: location)
    }

    mutating func lexString(depth: Int) -> Token? {
        let start = location
        advance() // opening quote
        var segments: [StringSegment] = []
        var text = String.UnicodeScalarView()
        var failed = false
        while !stopped {
            guard let c = peek(), c != "\n" else {
                error("unterminated string", from: start, label: "string opened here", help: "close it with '\"' on the same line")
                return nil
            }
            if c == "\"" { advance(); break }
            if c == "\\" {
                let escStart = location
                advance()
                guard let e = peek(), e != "\n" else { continue }
                advance()
                switch e {
                case "n": text.append("\n")
                case "t": text.append("\t")
                case "\"": text.append("\"")
                case "\\": text.append("\\")
                case "(":
                    if depth + 1 > Lexer.maxInterpolationDepth {
                        error("string interpolation nested too deeply (more than \(Lexer.maxInterpolationDepth) levels)", from: escStart)
                        stopped = true
                        return nil
                    }
                    if !text.isEmpty { segments.append(.text(String(text))); text = String.UnicodeScalarView() }
                    let before = diagnostics.count
                    let inner = lexTokens(depth: depth + 1, untilCloseParen: true)
                    if stopped { return nil }
                    if diagnostics.count > before { failed = true }
                    if inner.count <= 2 {
                        error("empty interpolation", from: escStart, to: location)
                        failed = true
                    }
                    segments.append(.code(inner))
                    if peek() == nil { failed = true }
                default:
                    error("unknown escape '\\\(e.escaped(asASCII: false))'", from: escStart, to: location,
                          help: "escapes are \\n, \\t, \\\", \\\\ and \\(expression)")
                    failed = true
                }
                continue
            }
            text.append(c)
            advance()
        }
        if !text.isEmpty || segments.isEmpty { segments.append(.text(String(text))) }
        return failed ? nil : Token(kind: .string(segments), start: start, end: location)
    }
}
