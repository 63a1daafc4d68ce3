import Foundation

/// Arithmetic, comparison and equality with time dimensions (docs/language.md):
/// number 0, duration +1, rate -1; any other result dimension is an error.
enum Operators {
    static func dimension(_ v: Value) -> Int? {
        switch v {
        case .number: return 0
        case .duration: return 1
        case .rate: return -1
        default: return nil
        }
    }

    static func dimensionName(_ d: Int) -> String {
        d == 0 ? "number" : d == 1 ? "duration" : "rate"
    }

    @inline(__always)
    static func make(_ x: Double, _ dim: Int) -> Value {
        dim == 0 ? .number(x) : dim == 1 ? .duration(x) : .rate(x)
    }

    static func magnitude(_ v: Value) -> Double {
        switch v {
        case .number(let x), .duration(let x), .rate(let x): return x
        default: return .nan
        }
    }

    static func finite(_ x: Double, _ dim: Int, at span: Span, _ what: String) throws -> Value {
        guard x.isFinite else {
            throw Diagnostic("\(what) gives \(x.isNaN ? "an undefined number (NaN)" : "an infinite number")", at: span, label: "result is not finite")
        }
        return make(x, dim)
    }

    /// The fix for mixing a duration and a plain number.
    static func unitHelp(_ number: Value, unit: TimeUnit) -> String {
        if case .number(let x) = number {
            let n = ValueFormatter.number(x)
            return "write \(n)\(unit.rawValue), not \(n)"
        }
        return "give the number a unit, e.g. 'x * 1\(unit.rawValue)'"
    }

    /// The error of applying `op` to values of these types and dimensions, if any. Shared by
    /// the checker (on sample values of known types) and the interpreter.
    static func dimensionError(_ op: BinaryOp, _ a: Value, _ b: Value, at span: Span, unit: TimeUnit) -> Diagnostic? {
        switch op {
        case .add, .subtract:
            switch (a, b) {
            case (.string, .string), (.list, .list): if op == .add { return nil }
            default: break
            }
            guard let da = dimension(a), let db = dimension(b) else { return typeError(op, a, b, at: span) }
            guard da == db else {
                let verb = op == .add ? "add" : "subtract"
                let number = da == 0 ? a : db == 0 ? b : .nil
                return Diagnostic("cannot \(verb) a \(dimensionName(da)) and a \(dimensionName(db))", at: span,
                                  label: "mismatched time dimensions",
                                  help: (da == 0 || db == 0) ? unitHelp(number, unit: unit) : "convert one side: a rate times a duration is a number")
            }
            return nil
        case .multiply, .divide:
            guard let da = dimension(a), let db = dimension(b) else { return typeError(op, a, b, at: span) }
            let dim = op == .multiply ? da + db : da - db
            guard dim >= -1 && dim <= 1 else {
                return Diagnostic("the result would have time dimension \(dim), which no Takt value has", at: span,
                                  label: "\(dimensionName(da)) \(op == .multiply ? "×" : "÷") \(dimensionName(db))",
                                  help: "divide a duration by a unit to get a plain number, e.g. 't / 1\(unit.rawValue)'")
            }
            return nil
        case .remainder:
            guard let da = dimension(a), let db = dimension(b) else { return typeError(op, a, b, at: span) }
            guard da == db || db == 0 else {
                return Diagnostic("cannot take the remainder of a \(dimensionName(da)) by a \(dimensionName(db))", at: span,
                                  label: "mismatched time dimensions", help: da == 0 ? unitHelp(a, unit: unit) : nil)
            }
            return nil
        case .less, .lessEqual, .greater, .greaterEqual:
            if case .string = a, case .string = b { return nil }
            guard let da = dimension(a), let db = dimension(b) else {
                return Diagnostic("cannot order a \(a.typeName) and a \(b.typeName)", at: span,
                                  label: "only numbers, durations, rates and strings can be ordered")
            }
            guard da == db else {
                let help: String
                if case .number(let x) = (da == 0 ? a : b), x == 0 { help = "compare with 0s" }
                else { help = unitHelp(da == 0 ? a : b, unit: unit) }
                return Diagnostic("cannot compare a \(dimensionName(da)) with a \(dimensionName(db))", at: span,
                                  label: "mismatched time dimensions", help: help)
            }
            return nil
        case .equal, .notEqual:
            return nil
        case .and, .or:
            if case .bool = a, case .bool = b { return nil }
            return Diagnostic("'\(op.rawValue)' needs booleans", at: span, label: "\(a.typeName) \(op.rawValue) \(b.typeName)",
                              help: "Takt has no truthiness: compare explicitly, e.g. 'x != 0'")
        }
    }

    static func binary(_ op: BinaryOp, _ a: Value, _ b: Value, at span: Span, unit: TimeUnit) throws -> Value {
        if let e = dimensionError(op, a, b, at: span, unit: unit) { throw e }
        switch op {
        case .add:
            switch (a, b) {
            case (.string(let x), .string(let y)):
                try ValueBudget.string(bytes: x.utf8.count + y.utf8.count, at: span)
                return .string(x + y)
            case (.list(let x), .list(let y)):
                try ValueBudget.list(items: x.items.count + y.items.count, at: span)
                return .list(ListValue(x.items + y.items))
            default:
                return try finite(magnitude(a) + magnitude(b), dimension(a)!, at: span, "this addition")
            }
        case .subtract:
            return try finite(magnitude(a) - magnitude(b), dimension(a)!, at: span, "this subtraction")
        case .multiply, .divide:
            let dim = op == .multiply ? dimension(a)! + dimension(b)! : dimension(a)! - dimension(b)!
            let x = magnitude(a), y = magnitude(b)
            if op == .divide && y == 0 {
                throw Diagnostic("division by zero", at: span, label: "the divisor is zero")
            }
            return try finite(op == .multiply ? x * y : x / y, dim, at: span, op == .multiply ? "this multiplication" : "this division")
        case .remainder:
            let y = magnitude(b)
            if y == 0 { throw Diagnostic("remainder by zero", at: span, label: "the divisor is zero") }
            return try finite(fmod(magnitude(a), y), dimension(a)!, at: span, "this remainder")
        case .less, .lessEqual, .greater, .greaterEqual:
            let c = try order(a, b, at: span, unit: unit)
            switch op {
            case .less: return .bool(c < 0)
            case .lessEqual: return .bool(c <= 0)
            case .greater: return .bool(c > 0)
            default: return .bool(c >= 0)
            }
        case .equal: return .bool(equal(a, b))
        case .notEqual: return .bool(!equal(a, b))
        case .and, .or:
            guard case .bool(let x) = a, case .bool(let y) = b else { throw typeError(op, a, b, at: span) }
            return .bool(op == .and ? x && y : x || y)
        }
    }

    static func typeError(_ op: BinaryOp, _ a: Value, _ b: Value, at span: Span) -> Diagnostic {
        var help: String? = nil
        if op == .add, case .string = a { help = "use interpolation to build text: \"...\\(x)\"" }
        if op == .add, case .string = b { help = "use interpolation to build text: \"...\\(x)\"" }
        return Diagnostic("cannot apply '\(op.rawValue)' to a \(a.typeName) and a \(b.typeName)", at: span,
                          label: "\(a.typeName) \(op.rawValue) \(b.typeName)", help: help)
    }

    /// -1, 0 or 1. Numbers, like-dimensioned durations and rates, and strings by Unicode scalars.
    static func order(_ a: Value, _ b: Value, at span: Span, unit: TimeUnit) throws -> Int {
        if case .string(let x) = a, case .string(let y) = b {
            var i = x.unicodeScalars.makeIterator(), j = y.unicodeScalars.makeIterator()
            while true {
                switch (i.next(), j.next()) {
                case (nil, nil): return 0
                case (nil, _): return -1
                case (_, nil): return 1
                case (let p?, let q?):
                    if p.value != q.value { return p.value < q.value ? -1 : 1 }
                }
            }
        }
        if let e = dimensionError(.less, a, b, at: span, unit: unit) { throw e }
        let x = magnitude(a), y = magnitude(b)
        return x < y ? -1 : x > y ? 1 : 0
    }

    /// Any two values; values of different types are unequal. Depth is bounded by `maxValueDepth`.
    static func equal(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.nil, .nil): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.number(let x), .number(let y)), (.duration(let x), .duration(let y)), (.rate(let x), .rate(let y)):
            return x == y
        case (.string(let x), .string(let y)):
            return x.unicodeScalars.elementsEqual(y.unicodeScalars)
        case (.list(let x), .list(let y)):
            guard x.items.count == y.items.count else { return false }
            for i in x.items.indices where !equal(x.items[i], y.items[i]) { return false }
            return true
        case (.record(let x), .record(let y)):
            guard x.names.count == y.names.count else { return false }
            for (i, name) in x.names.enumerated() {
                guard let j = y.index(of: name), equal(x.values[i], y.values[j]) else { return false }
            }
            return true
        case (.range(let x), .range(let y)):
            return x.lower == y.lower && x.upper == y.upper && x.closed == y.closed
        case (.function(let x), .function(let y)): return x === y
        case (.distribution(let x), .distribution(let y)): return x.distribution == y.distribution
        case (.element(let x), .element(let y)): return x.name == y.name && x.kind == y.kind
        case (.result(let x), .result(let y)): return x === y
        case (.estimate(let x), .estimate(let y)): return x.estimate == y.estimate && x.dimension == y.dimension
        case (.captured(let c), _): return equal(c.value, b)
        case (_, .captured(let c)): return equal(a, c.value)
        default: return false
        }
    }

    /// A whole number usable as an Int, or nil.
    static func wholeNumber(_ x: Double) -> Int? {
        guard x == x.rounded(), abs(x) <= 9_007_199_254_740_992 else { return nil }
        return Int(x)
    }
}
