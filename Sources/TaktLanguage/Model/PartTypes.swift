import TaktCore

extension Discipline {
    /// Its name in scripts.
    var name: String {
        switch self {
        case .fifo: return "fifo"
        case .lifo: return "lifo"
        case .priority: return "priority"
        case .spt: return "spt"
        case .edd: return "edd"
        }
    }
}

/// What the model language says by part type (docs/model.md): by-type records and their
/// checks against the declared parts, and the setup forms.
enum PartTypes {
    /// An entry of a by-type record: a part's name or `else`.
    typealias Entry<T> = (key: String, value: T)

    /// How a station sets up: one time for any change, by the new type, or from one type to
    /// another (entries may be `else`).
    enum Setup {
        case any(Distribution)
        case byNew([Entry<Distribution>])
        case fromTo([Entry<[Entry<Distribution>]>])
    }

    /// The declared part types, in order.
    static func names(_ interp: Interpreter) -> [String] {
        interp.staticModel?.elements.filter { $0.kind == .part }.map(\.name) ?? []
    }

    /// A part's name given as a value (a part's name evaluates to its name string).
    static func part(_ v: Value, _ property: String, at span: Span, _ interp: Interpreter) throws -> String {
        let parts = names(interp)
        guard case .string(let name) = v else {
            throw Diagnostic("\(property) takes a part type", at: span, label: "this is \(interp.formatter.short(v))",
                             help: parts.isEmpty ? "declare one, such as 'part gear', and name it" : "the parts are \(parts.joined(separator: ", "))")
        }
        try checkKey(name, else: false, at: span, parts)
        return name
    }

    /// A record key that must name a part (or be `else` where allowed).
    static func checkKey(_ key: String, else allowsElse: Bool, at span: Span, _ parts: [String]) throws {
        if parts.contains(key) || (allowsElse && key == "else") { return }
        throw Diagnostic("'\(key)' is not a part type", at: span,
                         label: Suggest.closest(to: key, among: parts).map { "did you mean '\($0)'?" } ?? "not declared with 'part'",
                         help: parts.isEmpty ? "declare it: part \(key)" : "the parts are \(parts.joined(separator: ", "))")
    }

    /// A by-type record's entries, each value converted; keys are parts or `else`.
    static func record<T>(_ v: Value, at span: Span, _ interp: Interpreter, _ convert: (Value) throws -> T) throws -> [Entry<T>]? {
        guard case .record(let r) = v else { return nil }
        let parts = names(interp)
        var out: [Entry<T>] = []
        for (k, x) in zip(r.names, r.values) {
            try checkKey(k, else: true, at: span, parts)
            out.append((k, try convert(x)))
        }
        return out
    }

    /// `mix: {a: 70%, b: 30%}`: known parts, weights >= 0 summing to 1.
    static func mix(_ v: Value, at span: Span, _ interp: Interpreter) throws -> [Entry<Double>] {
        guard case .record(let r) = v, !r.names.isEmpty else {
            throw Diagnostic("mix takes a record of part types and shares, such as {a: 70%, b: 30%}", at: span,
                             label: "this is \(interp.formatter.short(v))")
        }
        let parts = names(interp)
        var out: [Entry<Double>] = []
        for (k, x) in zip(r.names, r.values) {
            try checkKey(k, else: false, at: span, parts)
            guard case .number(let w) = x, w >= 0, w.isFinite else {
                throw Diagnostic("a mix share must be a number >= 0 such as 70%", at: span, label: "'\(k)' is \(interp.formatter.short(x))")
            }
            out.append((k, w))
        }
        let total = out.reduce(0) { $0 + $1.value }
        if abs(total - 1) > 1e-9 {
            let percent = Double(String(format: "%.10g", total * 100)) ?? total * 100
            throw Diagnostic("the mix shares sum to \(ValueFormatter.number(percent))%, not 100%", at: span, label: "shares must add up to 100%")
        }
        return out
    }

    /// `setup:` in any of its three forms.
    static func setup(_ v: Value, at span: Span, _ interp: Interpreter) throws -> Setup {
        guard case .record(let r) = v else { return .any(try ElementDeclNode.distribution(v, at: span, interp)) }
        if r.values.contains(where: { if case .record = $0 { return true } else { return false } }) {
            let table = try record(v, at: span, interp) { inner -> [Entry<Distribution>] in
                guard let row = try record(inner, at: span, interp, { try ElementDeclNode.distribution($0, at: span, interp) }) else {
                    throw Diagnostic("a setup from one type lists the setups to each next type, such as {a: {b: 5min}}", at: span)
                }
                return row
            }
            return .fromTo(table ?? [])
        }
        return .byNew(try record(v, at: span, interp) { try ElementDeclNode.distribution($0, at: span, interp) } ?? [])
    }

    /// The entry for `type` (a part's name, or nil for untyped parts): its own, else `else`.
    static func lookup<T>(_ entries: [Entry<T>], _ type: String?) -> T? {
        if let type, let own = entries.first(where: { $0.key == type }) { return own.value }
        return entries.first { $0.key == "else" }?.value
    }

    /// Which of `keys` serves `type` (nil: untyped): its own, else `else`.
    static func lookupIndex(_ keys: [String], _ type: String?) -> Int? {
        if let type, let k = keys.firstIndex(of: type) { return k }
        return keys.firstIndex(of: "else")
    }

    /// The setup table the core takes, flat by (from, to) type slot.
    static func setupTable(_ s: Setup, types: [String]) -> [Distribution?] {
        let slots: [String?] = types.map { $0 } + [nil]
        var table: [Distribution?] = []
        for from in slots {
            for to in slots {
                guard from != to else { table.append(nil); continue }
                switch s {
                case .any(let d): table.append(d)
                case .byNew(let e): table.append(lookup(e, to))
                case .fromTo(let rows): table.append(lookup(rows, from).flatMap { lookup($0, to) })
                }
            }
        }
        return table
    }

    /// A by-type record as a value, for reading the setting back.
    static func value<T>(_ entries: [Entry<T>], _ convert: (T) -> Value) -> Value {
        .record(RecordValue(names: entries.map(\.key), values: entries.map { convert($0.value) }))
    }
}

/// `shift:` values: a `shift(...)` record or a list of them (their union).
enum Shifts {
    static func parts(_ v: Value, at span: Span, _ interp: Interpreter) throws -> [Shift.Part] {
        let items: [Value]
        if case .list(let l) = v { items = l.items } else { items = [v] }
        guard !items.isEmpty else { throw Diagnostic("shift takes shift(...) or a list of them", at: span, label: "an empty list") }
        return try items.map { item in
            guard case .record(let r) = item, case .duration(let from)? = r.index(of: "from").map({ r.values[$0] }),
                  case .duration(let to)? = r.index(of: "to").map({ r.values[$0] }),
                  case .list(let days)? = r.index(of: "days").map({ r.values[$0] }) else {
                throw Diagnostic("shift takes shift(from: ..., to: ..., days: ...) or a list of them", at: span,
                                 label: "this is \(interp.formatter.short(item))")
            }
            guard from != to, from >= 0, to <= 86_400 else {
                throw Diagnostic("a shift's hours run from 0h to 24h and differ", at: span, label: "this is \(interp.formatter.short(item))")
            }
            return Shift.Part(from: from, to: to, days: days.items.compactMap { if case .number(let d) = $0 { return Int(d) } else { return nil } })
        }
    }

    static func value(_ parts: [Shift.Part]) -> Value {
        let records: [Value] = parts.map {
            .record(RecordValue(names: ["from", "to", "days"],
                                values: [.duration($0.from), .duration($0.to), .list(ListValue($0.days.map { .number(Double($0)) }))]))
        }
        return records.count == 1 ? records[0] : .list(ListValue(records))
    }
}
