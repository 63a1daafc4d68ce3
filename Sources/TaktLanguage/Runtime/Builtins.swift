import Foundation
import TaktCore

/// The arguments of one built-in call, with their locations for messages.
struct BuiltinCall {
    let interp: Interpreter
    let args: [Value]
    let node: CallNode

    func span(_ i: Int) -> Span { i < node.args.count ? node.args[i].span : node.span }

    func number(_ i: Int, _ fn: String) throws -> Double {
        guard case .number(let x) = args[i] else {
            var help: String? = nil
            if case .duration = args[i] { help = "divide by a unit to get a plain number, e.g. 't / 1\(interp.settings.timeUnit.rawValue)'" }
            throw Diagnostic("\(fn) takes a plain number, not a \(args[i].typeName)", at: span(i), label: "a \(args[i].typeName)", help: help)
        }
        return x
    }

    func time(_ i: Int, _ fn: String, _ what: String) throws -> Double {
        switch args[i] {
        case .duration(let x): return x
        case .number(let x):
            throw Diagnostic("\(what) of \(fn) must be a duration", at: span(i), label: "a plain number",
                             help: Operators.unitHelp(.number(x), unit: interp.settings.timeUnit))
        default:
            throw Diagnostic("\(what) of \(fn) must be a duration, not a \(args[i].typeName)", at: span(i))
        }
    }

    /// A `unit:` argument: a duration above zero.
    func unit(_ i: Int) throws -> Double {
        guard case .duration(let u) = args[i], u > 0 else {
            throw Diagnostic("a unit is a duration above zero, such as 1min", at: span(i), label: "this is \(interp.formatter.short(args[i]))")
        }
        return u
    }

    func list(_ i: Int, _ fn: String) throws -> [Value] {
        guard case .list(let l) = args[i] else {
            throw Diagnostic("\(fn) takes a list, not a \(args[i].typeName)", at: span(i), label: "not a list")
        }
        return l.items
    }
}

/// A built-in function. Arity is checked before running where the callee is known.
final class Builtin: Callable {
    let builtinName: String
    let minArgs: Int
    let maxArgs: Int
    /// Named arguments it accepts (none for most).
    let labels: Set<String>
    let body: (BuiltinCall) throws -> Value

    init(_ name: String, _ minArgs: Int, _ maxArgs: Int, labels: Set<String> = [], _ body: @escaping (BuiltinCall) throws -> Value) {
        builtinName = name
        self.minArgs = minArgs
        self.maxArgs = maxArgs
        self.labels = labels
        self.body = body
    }

    override var name: String? { builtinName }

    var arityText: String {
        if minArgs == maxArgs { return "\(minArgs) argument\(minArgs == 1 ? "" : "s")" }
        if maxArgs == Int.max { return "at least \(minArgs) argument\(minArgs == 1 ? "" : "s")" }
        return "\(minArgs) to \(maxArgs) arguments"
    }

    func arityError(_ count: Int, at span: Span) -> Diagnostic? {
        guard count < minArgs || count > maxArgs else { return nil }
        return Diagnostic("'\(builtinName)' takes \(arityText) but \(count) \(count == 1 ? "was" : "were") given",
                          at: span, label: "wrong number of arguments")
    }

    static func repeatedArgument(_ label: String, at span: Span) -> Diagnostic {
        Diagnostic("the argument '\(label)' is given twice", at: span, label: "given again here")
    }

    override func invoke(_ f: Frame, _ call: CallNode) throws -> Value {
        if let e = arityError(call.args.count, at: call.span) { throw e }
        var seen: Set<String> = []
        for (i, label) in call.labels.enumerated() {
            if let label = label, !labels.contains(label) {
                throw Diagnostic("'\(builtinName)' has no argument named '\(label)'", at: call.labelSpans[i] ?? call.span)
            } else if let label = label, !seen.insert(label).inserted {
                throw Builtin.repeatedArgument(label, at: call.labelSpans[i] ?? call.span)
            }
        }
        var values: [Value] = []
        values.reserveCapacity(call.args.count)
        for a in call.args { values.append(try a.eval(f)) }
        return try body(BuiltinCall(interp: f.interp, args: values, node: call))
    }
}

enum Builtins {
    static let all: [String: Builtin] = {
        var table: [String: Builtin] = [:]
        for b in list + [csv, fit] { table[b.builtinName] = b }
        return table
    }()

    static func unaryMath(_ name: String, _ op: @escaping (Double) -> Double) -> Builtin {
        Builtin(name, 1, 1) { c in
            let x = try c.number(0, name)
            let r = op(x)
            guard r.isFinite else {
                throw Diagnostic("\(name)(\(ValueFormatter.number(x))) is not a finite number", at: c.node.span, label: "outside the domain of \(name)")
            }
            return .number(r)
        }
    }

    /// Numbers, durations or rates of one dimension, for min, max, sum and mean.
    static func quantities(_ values: [Value], _ c: BuiltinCall, _ name: String) throws -> (magnitudes: [Double], dim: Int) {
        var dim: Int? = nil
        var out: [Double] = []
        out.reserveCapacity(values.count)
        for (i, v) in values.enumerated() {
            guard let d = Operators.dimension(v) else {
                throw Diagnostic("\(name) takes numbers, durations or rates, not a \(v.typeName)", at: c.args.count > 1 ? c.span(i) : c.span(0))
            }
            if let dim = dim, dim != d {
                throw Diagnostic("\(name) cannot mix a \(Operators.dimensionName(dim)) and a \(Operators.dimensionName(d))",
                                 at: c.args.count > 1 ? c.span(i) : c.span(0), label: "mismatched time dimensions")
            }
            dim = d
            out.append(Operators.magnitude(v))
        }
        return (out, dim ?? 0)
    }

    static func extremum(_ name: String, _ pick: @escaping (Double, Double) -> Bool) -> Builtin {
        Builtin(name, 1, Int.max) { c in
            let values: [Value]
            if c.args.count == 1 {
                guard case .list(let l) = c.args[0] else {
                    throw Diagnostic("\(name) takes two or more numbers, or one list", at: c.span(0), label: "a single \(c.args[0].typeName)")
                }
                values = l.items
            } else {
                values = c.args
            }
            let (m, dim) = try quantities(values, c, name)
            guard var best = m.first else {
                throw Diagnostic("\(name) of an empty list", at: c.span(0), label: "the list is empty")
            }
            for x in m.dropFirst() where pick(x, best) { best = x }
            return Operators.make(best, dim)
        }
    }

    static func distribution(_ name: String, _ params: [(String, Bool)]) -> Builtin {
        Builtin(name, params.count, params.count) { c in
            var p: [Double] = []
            for (i, (what, isTime)) in params.enumerated() {
                p.append(isTime ? try c.time(i, name, what) : try c.number(i, name))
            }
            do {
                return .distribution(DistributionValue(try Distribution.make(name, p)))
            } catch let error as Distribution.DomainError {
                throw Diagnostic("\(error.message) in \(name)", at: c.span(error.parameter), label: "outside its domain")
            }
        }
    }

    static let list: [Builtin] = [
        Builtin("print", 0, Int.max) { c in
            let fmt = c.interp.formatter
            var line = ""
            for (i, v) in c.args.enumerated() {
                if i > 0 { line += " " }
                line += try fmt.checkedFormat(v, at: c.span(i))
                try ValueBudget.string(bytes: line.utf8.count, at: c.span(i))
            }
            c.interp.output(line + "\n")
            return .nil
        },
        Builtin("len", 1, 1) { c in
            switch c.args[0] {
            case .string(let s): return .number(Double(s.unicodeScalars.count))
            case .list(let l): return .number(Double(l.items.count))
            case .record(let r): return .number(Double(r.names.count))
            case .range(let r): return .number(Double(r.count))
            case let v: throw Diagnostic("len takes a string, list, record or range, not a \(v.typeName)", at: c.span(0))
            }
        },
        extremum("min", <),
        extremum("max", >),
        Builtin("abs", 1, 1) { c in
            guard let d = Operators.dimension(c.args[0]) else {
                throw Diagnostic("abs takes a number, duration or rate, not a \(c.args[0].typeName)", at: c.span(0))
            }
            return Operators.make(abs(Operators.magnitude(c.args[0])), d)
        },
        unaryMath("sqrt") { $0 >= 0 ? $0.squareRoot() : .nan },
        unaryMath("exp") { Foundation.exp($0) },
        unaryMath("log") { $0 > 0 ? Foundation.log($0) : .nan },
        unaryMath("floor") { $0.rounded(.down) },
        unaryMath("ceil") { $0.rounded(.up) },
        Builtin("round", 1, 1) { c in
            // Durations and rates round in the time unit of the run settings.
            let v = c.args[0]
            guard let d = Operators.dimension(v) else {
                throw Diagnostic("round takes a number, duration or rate, not a \(v.typeName)", at: c.span(0))
            }
            let unit = c.interp.settings.timeUnit.seconds
            let scale = d == 0 ? 1 : d == 1 ? unit : 1 / unit
            return Operators.make((Operators.magnitude(v) / scale).rounded(.toNearestOrAwayFromZero) * scale, d)
        },
        Builtin("sum", 1, 1) { c in
            let (m, dim) = try quantities(try c.list(0, "sum"), c, "sum")
            let total = m.reduce(0, +)
            return try Operators.finite(total, dim, at: c.node.span, "this sum")
        },
        Builtin("mean", 1, 1) { c in
            let (m, dim) = try quantities(try c.list(0, "mean"), c, "mean")
            guard !m.isEmpty else { throw Diagnostic("mean of an empty list", at: c.span(0), label: "the list is empty") }
            return try Operators.finite(m.reduce(0, +) / Double(m.count), dim, at: c.node.span, "this mean")
        },
        Builtin("fmt", 2, 2) { c in
            let digitsValue = try c.number(1, "fmt")
            guard let digits = Operators.wholeNumber(digitsValue), digits >= 0, digits <= 20 else {
                throw Diagnostic("fmt takes a whole number of digits from 0 to 20", at: c.span(1))
            }
            let unit = c.interp.settings.timeUnit
            var x: Double, suffix = ""
            switch c.args[0] {
            case .number(let v): x = v
            case .duration(let v): x = v / unit.seconds; suffix = unit.rawValue
            case .rate(let v): x = v * unit.seconds; suffix = "/" + unit.rawValue
            case let v: throw Diagnostic("fmt takes a number, duration or rate, not a \(v.typeName)", at: c.span(0))
            }
            var text = String(format: "%.\(digits)f", x)
            if text.hasPrefix("-"), text.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) { text.removeFirst() }
            return .string(text + suffix)
        },
        distribution("exponential", [("the mean", true)]),
        distribution("uniform", [("low", true), ("high", true)]),
        distribution("triangular", [("low", true), ("mode", true), ("high", true)]),
        distribution("normal", [("the mean", true), ("the sd", true)]),
        distribution("lognormal", [("the mean", true), ("the sd", true)]),
        distribution("erlang", [("k", false), ("the mean", true)]),
        distribution("gamma", [("the shape", false), ("the mean", true)]),
        distribution("weibull", [("the shape", false), ("the scale", true)]),
        Builtin("empirical", 1, 1) { c in
            var values: [Double] = []
            for v in try c.list(0, "empirical") {
                guard case .duration(let x) = v else {
                    throw Diagnostic("empirical takes a list of durations; this list holds a \(v.typeName)", at: c.span(0),
                                     help: v.typeName == "number" ? "give each value a unit, e.g. [2min, 3min]" : nil)
                }
                values.append(x)
            }
            do {
                return .distribution(DistributionValue(try Distribution.empirical(checked: values)))
            } catch let error as Distribution.DomainError {
                throw Diagnostic("\(error.message) in empirical", at: c.span(0), label: "outside its domain")
            }
        },
        // A working pattern for `shift:` (docs/model.md): a record the property reads.
        Builtin("shift", 2, 3, labels: ["from", "to", "days"]) { c in
            var from: Double? = nil, to: Double? = nil
            var days: [Int] = Array(1...7)
            for (i, label) in c.node.labels.enumerated() {
                let v = c.args[i]
                switch label {
                case "from"?, "to"?:
                    guard case .duration(let x) = v, x >= 0, x <= 86_400 else {
                        throw Diagnostic("\(label!) is a time of day from 0h to 24h", at: c.span(i), label: "this is \(c.interp.formatter.short(v))")
                    }
                    if label == "from" { from = x } else { to = x }
                case "days"?:
                    var list: [Value] = []
                    switch v {
                    case .range(let r): list = (r.lower..<r.upper).map { .number(Double($0)) } + (r.closed ? [.number(Double(r.upper))] : [])
                    case .list(let l): list = l.items
                    case .number: list = [v]
                    default: break
                    }
                    days = []
                    for d in list {
                        guard case .number(let x) = d, let n = Operators.wholeNumber(x), (1...7).contains(n) else {
                            throw Diagnostic("days are whole numbers from 1 to 7, such as 1...5", at: c.span(i), label: "this is \(c.interp.formatter.short(v))")
                        }
                        days.append(n)
                    }
                    guard !days.isEmpty else { throw Diagnostic("a shift needs at least one day", at: c.span(i)) }
                default:
                    throw Diagnostic("shift takes named arguments: from, to, days", at: c.span(i), help: "for example: shift(from: 6h, to: 22h, days: 1...5)")
                }
            }
            guard let from, let to else {
                throw Diagnostic("a shift needs 'from' and 'to'", at: c.node.span, help: "for example: shift(from: 6h, to: 22h)")
            }
            guard from != to else {
                throw Diagnostic("a shift's from and to are equal", at: c.node.span, label: "it would never start or never end",
                                 help: "leave 'shift' out for a station that always works")
            }
            return .record(RecordValue(names: ["from", "to", "days"],
                                       values: [.duration(from), .duration(to), .list(ListValue(days.map { .number(Double($0)) }))]))
        },
        Builtin("simulate", 0, 4, labels: ["horizon", "warmup", "replications", "seed"]) { c in
            var s = c.interp.settings
            for (i, label) in c.node.labels.enumerated() {
                let v = c.args[i]
                switch label {
                case "horizon"?:
                    guard case .duration(let x) = v, x > 0 else {
                        throw Diagnostic("horizon must be a duration > 0", at: c.span(i), help: Operators.unitHelp(v, unit: s.timeUnit))
                    }
                    s.horizon = x
                case "warmup"?:
                    guard case .duration(let x) = v, x >= 0 else {
                        throw Diagnostic("warmup must be a duration >= 0", at: c.span(i), help: Operators.unitHelp(v, unit: s.timeUnit))
                    }
                    s.warmup = x
                case "replications"?:
                    guard case .number(let x) = v, let n = Operators.wholeNumber(x), n >= 1, n <= RunSettings.maxReplications else {
                        throw Diagnostic("replications must be a whole number from 1 to \(RunSettings.maxReplications)", at: c.span(i))
                    }
                    s.replications = n
                case "seed"?:
                    guard case .number(let x) = v, let n = Operators.wholeNumber(x), n >= 0 else {
                        throw Diagnostic("seed must be a whole number >= 0", at: c.span(i))
                    }
                    s.seed = UInt64(n)
                default:
                    throw Diagnostic("simulate takes named arguments: horizon, warmup, replications, seed", at: c.span(i),
                                     help: "for example: simulate(horizon: 8h, replications: 3)")
                }
            }
            return .result(try c.interp.simulate(settings: s, at: c.node.span))
        },
    ]
}
