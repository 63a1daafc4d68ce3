import TaktCore

/// Trace-driven sources (docs/model.md, "Data"): `arrivals:` lists the creation times from 0,
/// `parts:` each part's type. Lists read from a CSV file are checked cell by cell, and a bad
/// one is reported at its place in the file.
enum SourceTraces {
    /// Where item `i` of `v` came from: its CSV cell, or else the property.
    static func place(_ v: ListValue, _ i: Int, or span: Span) -> Span { v.origin?.span(i) ?? span }

    static func list(_ v: Value, _ property: String, at span: Span, _ interp: Interpreter) throws -> ListValue {
        guard case .list(let l) = v else {
            throw Diagnostic("\(property) takes a list", at: span, label: "this is \(interp.formatter.short(v))",
                             help: property == "arrivals" ? "for example: arrivals: csv(\"orders.csv\", column: \"time\", unit: 1min)" : nil)
        }
        guard !l.items.isEmpty else { throw Diagnostic("\(property) is an empty list", at: span, label: "no arrivals") }
        return l
    }

    static func arrivals(_ v: Value, at span: Span, _ interp: Interpreter) throws -> [Double] {
        let l = try list(v, "arrivals", at: span, interp)
        var times: [Double] = []
        times.reserveCapacity(l.items.count)
        for (i, item) in l.items.enumerated() {
            guard case .duration(let t) = item else {
                let number: Bool = { if case .number = item { return true } else { return false } }()
                throw Diagnostic("an arrival time is a duration, not a \(item.typeName)", at: place(l, i, or: span),
                                 label: "this is \(interp.formatter.short(item))",
                                 help: number ? "give the unit of the numbers: csv(…, column: …, unit: 1min)" : nil)
            }
            guard t >= 0 else {
                throw Diagnostic("an arrival time is negative", at: place(l, i, or: span), label: "times count from 0s")
            }
            if let last = times.last, t < last {
                throw Diagnostic("the arrival times are not in order", at: place(l, i, or: span),
                                 label: "\(interp.formatter.short(item)) comes after \(interp.formatter.short(.duration(last)))",
                                 help: "sort the arrivals by time")
            }
            times.append(t)
        }
        return times
    }

    static func parts(_ v: Value, at span: Span, _ interp: Interpreter) throws -> [String] {
        let l = try list(v, "parts", at: span, interp)
        return try l.items.enumerated().map { i, item in try PartTypes.part(item, "parts", at: place(l, i, or: span), interp) }
    }

    /// The rules between a trace source's properties.
    static func checkComplete(_ state: ElementState, at span: Span) throws {
        let given = ["part", "mix", "parts"].compactMap { key in state.spans[key].map { (key, $0) } }
        if given.count > 1 {
            let later = given.max { $0.1.start.offset < $1.1.start.offset }!
            throw Diagnostic("a source takes one of 'part', 'mix' and 'parts'", at: later.1,
                             label: "'\(given.map(\.0).filter { $0 != later.0 }.joined(separator: "', '"))' is given too",
                             help: "a mix of one type is 'part: NAME'")
        }
        if let times = state.arrivals {
            for key in ["every", "saturated", "limit", "shift"] {
                guard let at = state.spans[key] else { continue }
                throw Diagnostic("a source with 'arrivals' takes no '\(key)'", at: at, label: "its parts come at the listed times")
            }
            if let types = state.arrivalParts, types.count != times.count {
                throw Diagnostic("'parts' lists \(types.count) types for \(times.count) arrivals", at: state.spans["parts"] ?? span,
                                 label: "one type per arrival")
            }
        } else if state.arrivalParts != nil {
            throw Diagnostic("'parts' without 'arrivals'", at: state.spans["parts"] ?? span, label: "the types of which arrivals?",
                             help: "give the times too: arrivals: [0min, 5min], parts: [a, b]")
        }
    }
}
