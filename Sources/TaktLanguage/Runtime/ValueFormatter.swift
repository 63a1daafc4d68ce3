import Foundation
import TaktCore

/// `print`'s rendering of values (docs/language.md).
public struct ValueFormatter {
    public var timeUnit: TimeUnit = .min
    /// Results print as JSON (`takt run --json`) instead of tables.
    public var json = false

    public init(timeUnit: TimeUnit = .min, json: Bool = false) {
        self.timeUnit = timeUnit
        self.json = json
    }

    /// Shortest text that reads back to the same double; plain for 1e-6 <= |x| < 1e21,
    /// exponent form otherwise; whole numbers without a decimal point; -0 as 0.
    /// `x` rounded to 4 significant digits, as means, fitted parameters and the report show it.
    static func fourDigits(_ x: Double) -> Double {
        guard x != 0, x.isFinite else { return x }
        return Double(String(format: "%.4g", x)) ?? x
    }

    public static func number(_ x: Double) -> String {
        if x == 0 { return "0" }
        if x.isNaN { return "nan" }
        if x.isInfinite { return x < 0 ? "-inf" : "inf" }
        // Whole numbers below 2^53 print as integers: the common case, without the digit work.
        if abs(x) < 9007199254740992, x == x.rounded(.towardZero) { return String(Int(x)) }
        // Swift's description is the shortest round-trip form; take its digits and exponent.
        let desc = abs(x).description
        var digits = "", exponent = 0, pointSeen = false, intDigits = 0
        var mantissa = Substring(desc)
        if let e = desc.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = desc[..<e]
            exponent = Int(desc[desc.index(after: e)...]) ?? 0
        }
        for ch in mantissa {
            if ch == "." { pointSeen = true; continue }
            digits.append(ch)
            if !pointSeen { intDigits += 1 }
        }
        // Normalise: value = 0.digits * 10^(decimalExponent)
        var leadingZeros = 0
        for ch in digits { if ch == "0" { leadingZeros += 1 } else { break } }
        digits.removeFirst(leadingZeros)
        while digits.hasSuffix("0") { digits.removeLast() }
        if digits.isEmpty { return "0" }
        let pointPosition = intDigits - leadingZeros + exponent  // digits before the decimal point
        let sign = x < 0 ? "-" : ""
        let magnitude = abs(x)
        if magnitude >= 1e-6 && magnitude < 1e21 {
            if pointPosition <= 0 {
                return sign + "0." + String(repeating: "0", count: -pointPosition) + digits
            }
            if pointPosition >= digits.count {
                return sign + digits + String(repeating: "0", count: pointPosition - digits.count)
            }
            let i = digits.index(digits.startIndex, offsetBy: pointPosition)
            return sign + digits[..<i] + "." + digits[i...]
        }
        let e = pointPosition - 1
        let first = digits.prefix(1), rest = digits.dropFirst()
        return sign + first + (rest.isEmpty ? "" : "." + rest) + "e" + (e < 0 ? "-" : "+") + String(abs(e))
    }

    public func format(_ v: Value) -> String {
        var out = ""
        var limit = Limit(bytes: Int.max, polls: false)
        write(v, into: &out, quoted: false, limit: &limit)
        return out
    }

    /// At most about `bytes` of text, cut with "…": for values shown in a diagnostic's label.
    public func short(_ v: Value, bytes: Int = 120) -> String {
        var out = ""
        var limit = Limit(bytes: bytes, polls: false)
        write(v, into: &out, quoted: false, limit: &limit)
        return limit.stopped ? String(out.prefix(bytes)) + "…" : out
    }

    /// Text for `print` and interpolation: bounded like a string, and Ctrl-C stops it (nested
    /// lists that share their parts can describe more text than memory holds).
    func checkedFormat(_ v: Value, at span: Span) throws -> String {
        var out = ""
        var limit = Limit(bytes: ValueBudget.maxPrintedBytes, polls: true)
        write(v, into: &out, quoted: false, limit: &limit)
        if limit.stopped {
            try throwIfInterrupted()
            throw Diagnostic("this value is too large to print: its text passes \(RunDiagnostics.bytes(ValueBudget.maxPrintedBytes))",
                             at: span, label: "too large", help: "print a part of it, or its len()")
        }
        return out
    }

    /// Where formatting stops: past `bytes` of text, or (when polling) on Ctrl-C.
    struct Limit {
        let bytes: Int
        let polls: Bool
        var steps = 0
        var stopped = false

        /// Whether to stop before writing the next item.
        mutating func exceeded(_ out: String) -> Bool {
            if stopped { return true }
            steps &+= 1
            if out.utf8.count > bytes || (polls && steps & 0xFFF == 0 && interruptRequested.load(ordering: .relaxed)) {
                stopped = true
            }
            return stopped
        }
    }

    func write(_ v: Value, into out: inout String, quoted: Bool, limit: inout Limit) {
        if limit.exceeded(out) { return }
        switch v {
        case .nil: out += "nil"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let x): out += ValueFormatter.number(x)
        case .duration(let s): out += ValueFormatter.number(s / timeUnit.seconds) + timeUnit.rawValue
        case .rate(let r): out += ValueFormatter.number(r * timeUnit.seconds) + "/" + timeUnit.rawValue
        case .string(let s):
            if quoted { out += ValueFormatter.quote(s) } else { out += s }
        case .list(let l):
            out += "["
            for (i, item) in l.items.enumerated() {
                if limit.exceeded(out) { return }
                if i > 0 { out += ", " }
                write(item, into: &out, quoted: true, limit: &limit)
            }
            out += "]"
        case .record(let r):
            out += "{"
            for i in r.names.indices {
                if limit.exceeded(out) { return }
                if i > 0 { out += ", " }
                out += r.names[i] + ": "
                write(r.values[i], into: &out, quoted: true, limit: &limit)
            }
            out += "}"
        case .range(let r):
            out += "\(r.lower)\(r.closed ? "..." : "..<")\(r.upper)"
        case .function(let f):
            out += f.name.map { "<fn \($0)>" } ?? "<fn>"
        case .distribution(let d):
            out += d.fit.map(describe) ?? describe(d.distribution)
        case .element(let e):
            out += "\(e.kind.rawValue) \(e.name)"
        case .result(let r):
            let f = ResultFormatter(unit: timeUnit)
            out += json ? f.json(r) : f.summary(r).dropLastNewline
        case .estimate(let e):
            out += ResultFormatter(unit: timeUnit).estimate(e.estimate, dimension: e.dimension)
        case .captured(let c):
            write(c.value, into: &out, quoted: quoted, limit: &limit)
        }
    }

    /// A string in double quotes with `\"`, `\\`, `\n`, `\t` and other control characters
    /// escaped; valid as Takt and as JSON.
    static func quote(_ s: String) -> String {
        var out = "\""
        for ch in s.unicodeScalars {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if ch.value < 0x20 { out += String(format: "\\u%04x", ch.value) } else { out.unicodeScalars.append(ch) }
            }
        }
        return out + "\""
    }

    func time(_ seconds: Double) -> String {
        ValueFormatter.number(seconds / timeUnit.seconds) + timeUnit.rawValue
    }

    /// A fitted distribution: its parameters to 4 significant digits, then (for the result of
    /// `fit`) the sample size, AIC (to 0.1) and KS distance (4 significant digits).
    func describe(_ fit: FitInfo) -> String {
        let sig = ValueFormatter.fourDigits
        func t(_ seconds: Double) -> String { ValueFormatter.number(sig(seconds / timeUnit.seconds)) + timeUnit.rawValue }
        let c = fit.candidate
        let text: String
        switch c.distribution(unit: fit.unit) {
        case .exponential(let mean): text = "exponential(\(t(mean)))"
        case .gamma(let shape, let mean): text = "gamma(\(ValueFormatter.number(sig(shape))), \(t(mean)))"
        case .lognormal(let mean, let sd): text = "lognormal(\(t(mean)), \(t(sd)))"
        case .weibull(let shape, let scale): text = "weibull(\(ValueFormatter.number(sig(shape))), \(t(scale)))"
        case .normal(let mean, let sd): text = "normal(\(t(mean)), \(t(sd)))"
        case let other: text = describe(other)
        }
        guard fit.summary else { return text }
        let aic = (c.aic * 10).rounded() / 10
        return text + " n=\(c.count) aic=\(ValueFormatter.number(aic)) ks=\(ValueFormatter.number(sig(c.ks)))"
    }

    public func describe(_ d: Distribution) -> String {
        switch d {
        case .constant(let v): return time(v)
        case .exponential(let mean): return "exponential(\(time(mean)))"
        case .uniform(let lo, let hi): return "uniform(\(time(lo)), \(time(hi)))"
        case .triangular(let lo, let mode, let hi): return "triangular(\(time(lo)), \(time(mode)), \(time(hi)))"
        case .normal(let mean, let sd): return "normal(\(time(mean)), \(time(sd)))"
        case .lognormal(let mean, let sd): return "lognormal(\(time(mean)), \(time(sd)))"
        case .erlang(let k, let mean): return "erlang(\(k), \(time(mean)))"
        case .gamma(let shape, let mean): return "gamma(\(ValueFormatter.number(shape)), \(time(mean)))"
        case .weibull(let shape, let scale): return "weibull(\(ValueFormatter.number(shape)), \(time(scale)))"
        case .empirical(let values): return "empirical([\(values.map(time).joined(separator: ", "))])"
        }
    }
}

extension String {
    var dropLastNewline: String { hasSuffix("\n") ? String(dropLast()) : self }
}
