/// Reserved words of docs/language.md.
public enum Keyword: String, CaseIterable, Sendable {
    case `let`, `var`, fn, `return`, `if`, `else`, `for`, `in`, `while`, `break`, `continue`
    case and, or, not, `true`, `false`, `nil`, assert, print, config, source, station, buffer
    case sink, flow, by, agent, reward, maximize, minimize, vary, step, scenario, compare
    case baseline, what, train, param, pareto, subject
}

/// Operators and punctuation.
public enum Symbol: String, CaseIterable, Sendable {
    case lparen = "(", rparen = ")", lbracket = "[", rbracket = "]", lbrace = "{", rbrace = "}"
    case comma = ",", colon = ":", semicolon = ";", dot = ".", arrow = "->"
    case closedRange = "...", halfOpenRange = "..<"
    case plus = "+", minus = "-", star = "*", slash = "/", percent = "%"
    case less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">=", equalEqual = "==", bangEqual = "!="
    case equal = "=", plusEqual = "+=", minusEqual = "-=", starEqual = "*=", slashEqual = "/="

    /// After these a newline does not end the statement.
    var continuesLine: Bool {
        switch self {
        case .comma, .arrow, .closedRange, .halfOpenRange, .plus, .minus, .star, .slash, .percent,
             .less, .lessEqual, .greater, .greaterEqual, .equalEqual, .bangEqual,
             .equal, .plusEqual, .minusEqual, .starEqual, .slashEqual, .dot:
            return true
        case .lparen, .rparen, .lbracket, .rbracket, .lbrace, .rbrace, .colon, .semicolon:
            return false
        }
    }
}

/// The time units a duration literal may carry, with their length in seconds.
public enum TimeUnit: String, CaseIterable, Sendable {
    case ms, s, min, h, d, w

    public var seconds: Double {
        switch self {
        case .ms: return 0.001
        case .s: return 1
        case .min: return 60
        case .h: return 3600
        case .d: return 86400
        case .w: return 604800
        }
    }
}

public enum StringSegment {
    case text(String)
    /// The tokens of an interpolated `\( ... )`, ending with `.eof`.
    case code([Token])
}

public enum TokenKind {
    case number(Double)
    /// `5%`: already divided by 100.
    case percent(Double)
    /// A duration literal, in seconds.
    case duration(Double)
    case string([StringSegment])
    case identifier(String)
    case keyword(Keyword)
    case symbol(Symbol)
    case newline
    case eof
}

public struct Token {
    public var kind: TokenKind
    public var start: SourceLocation
    public var end: SourceLocation

    func isSymbol(_ s: Symbol) -> Bool {
        if case .symbol(let t) = kind { return t == s }
        return false
    }

    func isKeyword(_ k: Keyword) -> Bool {
        if case .keyword(let t) = kind { return t == k }
        return false
    }

    var isNewline: Bool {
        if case .newline = kind { return true }
        return false
    }

    var isEOF: Bool {
        if case .eof = kind { return true }
        return false
    }

    /// The token as the user wrote it, for messages.
    var describe: String {
        switch kind {
        case .number: return "number"
        case .percent: return "percentage"
        case .duration: return "duration"
        case .string: return "string"
        case .identifier(let n): return "'\(n)'"
        case .keyword(let k): return "'\(k.rawValue)'"
        case .symbol(let s): return "'\(s.rawValue)'"
        case .newline: return "end of line"
        case .eof: return "end of file"
        }
    }
}
