import TaktCore

/// A model declaration running: evaluates its properties in order, checks each against its
/// domain, and records the element's settings in the interpreter's model.
final class ElementDeclNode: StmtNode {
    enum PropertyValueNode {
        case value(Node)
        case parts(Node)
        case symbol(String)
    }
    struct PropertyNode {
        let key: String
        let value: PropertyValueNode
        let span: Span
        let valueSpan: Span
        /// `every: 200 parts`.
        var isParts: Bool { if case .parts = value { return true } else { return false } }
        /// The params its expression reads, named in its errors: the text alone does not say
        /// which values a configuration gave them.
        var params: [GlobalCell] = []

        /// `d` with a note of the params' values, when the property reads any.
        func noting(_ d: Diagnostic, _ interp: Interpreter) -> Diagnostic {
            guard !params.isEmpty else { return d }
            var out = d
            out.notes.append("where " + params.map { "\($0.name) = \($0.value.map { interp.formatter.short($0) } ?? "nil")" }
                .joined(separator: ", "))
            return out
        }
    }
    struct FailureNode {
        let name: String
        let properties: [PropertyNode]
        let span: Span
    }

    let name: String
    let kind: ElementKind
    let properties: [PropertyNode]
    let failures: [FailureNode]
    let maintenance: [FailureNode]

    init(name: String, kind: ElementKind, properties: [PropertyNode], failures: [FailureNode], maintenance: [FailureNode] = [], span: Span) {
        self.name = name
        self.kind = kind
        self.properties = properties
        self.failures = failures
        self.maintenance = maintenance
        super.init(span: span)
    }

    /// Checks the declaration's values where it stands, then keeps it as a template.
    override func exec(_ f: Frame) throws -> Completion {
        _ = try evaluate(f)
        f.interp.register(self)
        return .normal
    }

    /// The element's settings from its property expressions as they evaluate now.
    func evaluate(_ f: Frame) throws -> ElementState {
        let state = ElementState(name: name, kind: kind)
        for p in properties {
            do {
                try ElementDeclNode.apply(p.key, value: try ElementDeclNode.evaluate(p.value, f), to: state, at: p.valueSpan, f.interp)
            } catch let d as Diagnostic {
                throw p.noting(d, f.interp)
            }
            state.spans[p.key] = p.span
        }
        if failures.count > 255 {
            throw Diagnostic("a station has at most 255 failure blocks", at: failures[255].span)
        }
        for (k, fn) in failures.enumerated() {
            var failure = FailureState(name: fn.name.isEmpty ? "failure\(k + 1)" : fn.name, up: nil, down: nil, clock: .busy)
            var every: Int? = nil
            var counts: FailureClock? = nil
            for p in fn.properties {
                do {
                    try ElementDeclNode.applyFailureProperty(p, to: &failure, every: &every, counts: &counts, f)
                } catch let d as Diagnostic {
                    throw p.noting(d, f.interp)
                }
            }
            if let log = fn.properties.first(where: { $0.key == "from_log" }) {
                if let other = fn.properties.first(where: { ["up", "down", "every"].contains($0.key) }) {
                    throw Diagnostic("a failure fitted 'from_log' takes no '\(other.key)'", at: other.span,
                                     label: "the log gives it", help: "leave '\(other.key)' out, or 'from_log'")
                }
                if counts == .busy {
                    throw Diagnostic("a failure fitted 'from_log' counts on the clock", at: fn.properties.first { $0.key == "counts" }?.span ?? log.span,
                                     label: "a log's up spells are clock time")
                }
                failure.clock = .clock
                state.failures.append(failure)
                continue
            }
            if let n = every {
                if failure.up != nil {
                    throw Diagnostic("a failure takes either 'up' or 'every', not both", at: fn.span)
                }
                if counts != nil {
                    throw Diagnostic("'counts' does not apply to a failure every N parts", at: fn.span)
                }
                failure.clock = .parts(n)
            } else {
                guard failure.up != nil else {
                    throw Diagnostic("a failure needs 'up' (time to failure) or 'every: N parts'", at: fn.span,
                                     help: "for example: failure { up: exponential(100min), down: exponential(10min) }")
                }
                failure.clock = counts ?? .busy
            }
            guard failure.down != nil else {
                throw Diagnostic("a failure needs 'down' (the repair time)", at: fn.span)
            }
            state.failures.append(failure)
        }
        for (k, mn) in maintenance.enumerated() {
            var stop = MaintenanceState(name: mn.name.isEmpty ? "maintenance\(k + 1)" : mn.name)
            for p in mn.properties {
                do {
                    try ElementDeclNode.applyToMaintenance(p.key, value: try ElementDeclNode.evaluate(p.value, f), parts: p.isParts,
                                                           to: &stop, at: p.valueSpan, f.interp)
                } catch let d as Diagnostic {
                    throw p.noting(d, f.interp)
                }
            }
            guard stop.every != nil, stop.duration != nil else {
                throw Diagnostic("a maintenance needs 'every' (8h, or 200 parts) and 'duration'", at: mn.span,
                                 help: "for example: maintenance { every: 8h, duration: 30min }")
            }
            state.maintenance.append(stop)
        }
        try ElementDeclNode.checkComplete(state, at: span)
        return state
    }

    /// Sets one property of a planned stop: `every` (a duration, or N parts), `duration`, `repair`.
    static func applyToMaintenance(_ key: String, value v: Value, parts: Bool, to stop: inout MaintenanceState, at span: Span,
                                   _ interp: Interpreter) throws {
        switch key {
        case "every":
            if parts {
                stop.every = .parts(try count(v, "every", atLeast: 1, at: span))
            } else {
                guard case .duration(let t) = v, t > 0, t.isFinite else {
                    throw Diagnostic("a maintenance's every is a duration > 0 such as 8h, or a count of parts such as 200 parts", at: span,
                                     label: "this is \(interp.formatter.short(v))")
                }
                stop.every = .clock(t)
            }
        case "duration":
            stop.duration = try distribution(v, at: span, interp)
        case "repair":
            stop.crew = try crew(v, at: span)
        default:
            throw Diagnostic("a maintenance has no property '\(key)'", at: span, help: "a maintenance takes every, duration and repair")
        }
    }

    /// One property of a failure block as its declaration gives it.
    static func applyFailureProperty(_ p: PropertyNode, to failure: inout FailureState, every: inout Int?, counts: inout FailureClock?,
                                     _ f: Frame) throws {
        let v = try evaluate(p.value, f)
        switch p.key {
        case "up": failure.up = try distribution(v, at: p.valueSpan, f.interp)
        case "down": failure.down = try distribution(v, at: p.valueSpan, f.interp)
        case "counts":
            guard case .string(let s) = v, s == "busy" || s == "clock" else {
                throw Diagnostic("counts must be busy or clock", at: p.valueSpan, label: "not busy or clock")
            }
            counts = s == "busy" ? .busy : .clock
        case "repair":
            failure.crew = try crew(v, at: p.valueSpan)
        case "from_log":
            let fits = try Diagnostic.reading(at: p.valueSpan) { try MachineLogs.failure(v, at: p.valueSpan, f.interp) }
            failure.fitted = fits
            failure.up = fits.up.candidate.distribution(unit: fits.up.unit)
            failure.down = fits.down.candidate.distribution(unit: fits.down.unit)
        default: // every: N parts
            every = try count(v, "every", atLeast: 1, at: p.valueSpan)
        }
    }

    static func evaluate(_ p: PropertyValueNode, _ f: Frame) throws -> Value {
        switch p {
        case .value(let n), .parts(let n): return try n.eval(f)
        case .symbol(let s): return .string(s)
        }
    }

    static func checkComplete(_ state: ElementState, at span: Span) throws {
        switch state.kind {
        case .source:
            try SourceTraces.checkComplete(state, at: span)
            if state.interarrival == nil && !state.saturated && state.arrivals == nil {
                throw Diagnostic("the source '\(state.name)' needs 'every', 'saturated: true' or 'arrivals'", at: span,
                                 help: "for example: source \(state.name) { every: exponential(2min) }")
            }
            if state.interarrival != nil && state.saturated {
                throw Diagnostic("a saturated source takes no 'every'", at: state.spans["every"] ?? span)
            }
            if state.losesWhenFull && state.saturated {
                throw Diagnostic("a saturated source takes no 'when_full'", at: state.spans["when_full"] ?? span,
                                 help: "it makes a part only when its station can take one")
            }
        case .station:
            if state.makes != nil && state.assemble.isEmpty {
                throw Diagnostic("'makes' without 'assemble'", at: state.spans["makes"] ?? span, label: "only an assembly makes a part",
                                 help: "add the set it consumes, such as assemble: {frame: 1, wheel: 4}")
            }
            if !state.assemble.isEmpty && state.batch > 1 {
                throw Diagnostic("a station takes 'batch' or 'assemble', not both", at: state.spans["batch"] ?? span)
            }
            if !state.assemble.isEmpty && state.discipline == .spt {
                throw Diagnostic("spt with an assembly", at: state.spans["discipline"] ?? span,
                                 label: "an assembly's time is drawn for its product", help: "use fifo, lifo, priority or edd")
            }
            if state.process == nil && state.processByType == nil {
                throw Diagnostic("the station '\(state.name)' needs a 'process' time", at: span,
                                 help: "for example: process: exponential(1min)")
            }
        case .buffer, .sink, .crew, .part:
            break
        }
    }

    /// Sets one property after checking its value; shared by declarations and assignments.
    static func apply(_ key: String, value v: Value, to state: ElementState, at span: Span, _ interp: Interpreter) throws {
        if state.kind == .part {
            try setAttribute(key, v, of: state, at: span)
            return
        }
        guard let property = ElementProperties.property(state.kind, key) else {
            throw Diagnostic("'\(state.kind.rawValue)' has no property '\(key)'", at: span)
        }
        try property.write(state, v, span, interp)
    }

    /// Checked before anything runs where the declaration is known, and again when applied.
    static func unknownFailure(_ name: String, of station: String, among names: [String], at span: Span) -> Diagnostic {
        Diagnostic("the station '\(station)' has no failure '\(name)'", at: span,
                   label: Suggest.closest(to: name, among: names).map { "did you mean '\($0)'?" } ?? "unknown failure",
                   help: names.isEmpty ? "it declares no failures"
                       : "its failures are \(names.joined(separator: ", ")) (an unnamed one is failureN, by position)")
    }

    /// A copy of `old` with one property changed (of the element, or of its failure named
    /// `failure`) and the whole element checked again.
    static func changed(_ old: ElementState, failure: (name: String, span: Span)? = nil, _ key: String, to v: Value,
                        at span: Span, _ interp: Interpreter) throws -> ElementState {
        let state = old.copy()
        if let (name, _) = failure, let k = state.maintenance.firstIndex(where: { $0.name == name }) {
            // As for failures, a what-if's plain number of `every` counts parts.
            var parts = false
            if key == "every", case .number = v { parts = true }
            try applyToMaintenance(key, value: v, parts: parts, to: &state.maintenance[k], at: span, interp)
        } else if let (name, nameSpan) = failure {
            guard let k = state.failures.firstIndex(where: { $0.name == name }) else {
                throw unknownFailure(name, of: state.name, among: state.failures.map(\.name), at: nameSpan)
            }
            try applyToFailure(key, value: v, to: &state.failures[k], at: span, interp)
        } else {
            try apply(key, value: v, to: state, at: span, interp)
        }
        try checkComplete(state, at: span)
        return state
    }

    /// Sets `up`, `down` or `every` of a declared failure. Setting `up` makes a failure by parts
    /// count busy time instead; setting `every` makes a timed failure one by parts.
    static func applyToFailure(_ key: String, value v: Value, to failure: inout FailureState, at span: Span,
                               _ interp: Interpreter) throws {
        switch key {
        case "up":
            failure.up = try distribution(v, at: span, interp)
            if case .parts = failure.clock { failure.clock = .busy }
        case "down":
            failure.down = try distribution(v, at: span, interp)
        case "every":
            failure.clock = .parts(try count(v, "every", atLeast: 1, at: span))
            failure.up = nil
        case "repair":
            failure.crew = try crew(v, at: span)
        default:
            throw Diagnostic("a failure has no property '\(key)' to change", at: span, help: "a what-if can change up, down, every and repair")
        }
    }

    /// A part type's attribute: a number, string, bool or duration, named anything but `type`.
    static func setAttribute(_ key: String, _ v: Value, of state: ElementState, at span: Span) throws {
        switch v {
        case .number, .string, .bool, .duration: break
        default:
            throw Diagnostic("a part attribute is a number, a string, a bool or a duration", at: span, label: "this is a \(v.typeName)")
        }
        state.attributes.removeAll { $0.name == key }
        state.attributes.append((key, v))
    }

    /// `repair: NAME`: the crew's name.
    static func crew(_ v: Value, at span: Span, property: String = "repair") throws -> String {
        guard case .element(let e) = v, e.kind == .crew else {
            throw Diagnostic("\(property) takes a crew", at: span, label: "this is \(ValueFormatter().short(v))",
                             help: "declare one, such as 'crew fitters { size: 2 }', and name it: \(property): fitters")
        }
        return e.name
    }

    /// A whole-number property from `minimum` to `maximum`; past the maximum, the error names it.
    static func count(_ v: Value, _ key: String, atLeast minimum: Int, atMost maximum: Int = 1_000_000_000,
                      at span: Span) throws -> Int {
        let label = "this is \(ValueFormatter().short(v))"
        guard case .number(let x) = v, x.rounded() == x, x >= Double(minimum) else {
            throw Diagnostic("\(key) must be a whole number >= \(minimum)", at: span, label: label)
        }
        guard x <= Double(maximum), let n = Operators.wholeNumber(x) else {
            throw Diagnostic("\(key) must be at most \(maximum)", at: span, label: label)
        }
        return n
    }

    static func distribution(_ v: Value, at span: Span, _ interp: Interpreter) throws -> Distribution {
        switch v {
        case .distribution(let d): return d.distribution
        case .duration(let x):
            guard x >= 0 else { throw Diagnostic("a time must be >= 0", at: span, label: "negative") }
            return .constant(x)
        case .number:
            throw Diagnostic("a time property needs a duration or a distribution, not a plain number", at: span,
                             label: "a plain number", help: Operators.unitHelp(v, unit: interp.settings.timeUnit))
        default:
            throw Diagnostic("a time property needs a duration or a distribution, not a \(v.typeName)", at: span)
        }
    }
}

/// `m2.servers = 2` (or `press.wear.up = ...`) at the top level: changes the declared model.
final class SetElementPropertyNode: StmtNode {
    let element: String
    let failure: (name: String, span: Span)?
    let key: String
    let value: Node
    init(element: String, failure: (name: String, span: Span)?, key: String, value: Node, span: Span) {
        self.element = element
        self.failure = failure
        self.key = key
        self.value = value
        super.init(span: span)
    }
    override func exec(_ f: Frame) throws -> Completion {
        guard let template = f.interp.templates[element], let old = try f.interp.currentState(element) else {
            throw Diagnostic("'\(element)' is changed before its declaration has run", at: span)
        }
        let v = try value.eval(f)
        // Checked now, so a bad value is reported here and not at the next simulation.
        _ = try ElementDeclNode.changed(old, failure: failure, key, to: v, at: value.span, f.interp)
        template.assignments.append(.init(failure: failure, key: key, value: v, span: value.span))
        return .normal
    }
}

/// An element named in an expression.
final class ElementNode: Node {
    let ref: ElementRef
    init(_ ref: ElementRef, span: Span) {
        self.ref = ref
        super.init(span: span)
    }
    override func eval(_ f: Frame) throws -> Value { .element(ref) }
}
