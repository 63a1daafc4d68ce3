import TaktCore

/// One settable property of a kind of element. The table below is the one place a property's
/// name, its check and write, its value when a script reads it and its text in `:model` are
/// defined: declarations, assignments, what-ifs and reads all go through it.
struct ElementProperty {
    let kind: ElementKind
    let name: String
    /// Checks a value against the property's domain, then sets it in the configuration.
    let write: (ElementState, Value, Span, Interpreter) throws -> Void
    /// The setting as a script value (`nil` when unset).
    let read: (ElementState) -> Value
    /// The setting as `:model` shows it, or nil when it shows nothing.
    let describe: (ElementState, ValueFormatter) -> String?
}

enum ElementProperties {
    static let table: [ElementProperty] = [
        ElementProperty(kind: .source, name: "every",
                        write: { s, v, span, i in s.interarrival = try ElementDeclNode.distribution(v, at: span, i) },
                        read: { distribution($0.interarrival) },
                        describe: { s, f in s.interarrival.map { "every: \(f.describe($0))" } }),
        ElementProperty(kind: .source, name: "saturated",
                        write: { s, v, span, _ in
                            guard case .bool(let b) = v else { throw Diagnostic("saturated must be true or false", at: span, label: "a \(v.typeName)") }
                            s.saturated = b
                        },
                        read: { .bool($0.saturated) },
                        describe: { s, _ in s.saturated ? "saturated: true" : nil }),
        ElementProperty(kind: .source, name: "limit",
                        write: { s, v, span, _ in s.limit = try ElementDeclNode.count(v, "limit", atLeast: 0, at: span) },
                        read: { count($0.limit) },
                        describe: { s, _ in s.limit.map { "limit: \($0)" } }),
        ElementProperty(kind: .source, name: "when_full",
                        write: { s, v, span, _ in
                            guard case .string(let mode) = v, mode == "lose" || mode == "wait" else {
                                throw Diagnostic("when_full must be lose or wait", at: span, label: "not lose or wait")
                            }
                            s.losesWhenFull = mode == "lose"
                        },
                        read: { .string($0.losesWhenFull ? "lose" : "wait") },
                        describe: { s, _ in s.losesWhenFull ? "when_full: lose" : nil }),
        ElementProperty(kind: .station, name: "servers",
                        // Each server is simulated on its own; beyond this a station is better modelled otherwise.
                        write: { s, v, span, _ in s.servers = try ElementDeclNode.count(v, "servers", atLeast: 1, atMost: 100_000, at: span) },
                        read: { .number(Double($0.servers)) },
                        describe: { s, _ in "servers: \(s.servers)" }),
        ElementProperty(kind: .source, name: "part",
                        write: { s, v, span, i in s.mix = [(try PartTypes.part(v, "part", at: span, i), 1)] },
                        read: { $0.mix.count == 1 ? .string($0.mix[0].key) : .nil },
                        describe: { s, _ in s.mix.count == 1 && s.spans["mix"] == nil ? "part: \(s.mix[0].key)" : nil }),
        ElementProperty(kind: .source, name: "arrivals",
                        write: { s, v, span, i in s.arrivals = try Diagnostic.reading(at: span) { try SourceTraces.arrivals(v, at: span, i) } },
                        read: { s in s.arrivals.map { .list(ListValue($0.map(Value.duration))) } ?? .nil },
                        describe: { s, _ in s.arrivals.map { "arrivals: \($0.count) times" } }),
        ElementProperty(kind: .source, name: "parts",
                        write: { s, v, span, i in s.arrivalParts = try Diagnostic.reading(at: span) { try SourceTraces.parts(v, at: span, i) } },
                        read: { s in s.arrivalParts.map { .list(ListValue($0.map(Value.string))) } ?? .nil },
                        describe: { s, _ in s.arrivalParts.map { "parts: \($0.count) types" } }),
        ElementProperty(kind: .source, name: "mix",
                        write: { s, v, span, i in s.mix = try PartTypes.mix(v, at: span, i) },
                        read: { $0.mix.isEmpty ? .nil : PartTypes.value($0.mix) { .number($0) } },
                        describe: { s, f in
                            s.spans["mix"] == nil ? nil : "mix: {" + s.mix.map { "\($0.key): \(f.short(.number($0.value)))" }.joined(separator: ", ") + "}"
                        }),
        ElementProperty(kind: .station, name: "process",
                        write: { s, v, span, i in
                            if let byType = try PartTypes.record(v, at: span, i, { try ElementDeclNode.distribution($0, at: span, i) }) {
                                s.processByType = byType
                                s.process = PartTypes.lookup(byType, nil)
                            } else {
                                s.processByType = nil
                                s.process = try ElementDeclNode.distribution(v, at: span, i)
                            }
                        },
                        read: { s in s.processByType.map { PartTypes.value($0, distribution) } ?? distribution(s.process) },
                        describe: { s, f in
                            if let t = s.processByType { return "process: {" + t.map { "\($0.key): \(f.describe($0.value))" }.joined(separator: ", ") + "}" }
                            return s.process.map { "process: \(f.describe($0))" }
                        }),
        ElementProperty(kind: .station, name: "setup",
                        write: { s, v, span, i in s.setup = try PartTypes.setup(v, at: span, i) },
                        read: { s in
                            switch s.setup {
                            case nil: return .nil
                            case .any(let d): return distribution(d)
                            case .byNew(let e): return PartTypes.value(e, distribution)
                            case .fromTo(let rows): return PartTypes.value(rows) { PartTypes.value($0, distribution) }
                            }
                        },
                        describe: { s, f in s.setup == nil ? nil : "setup: \(f.short(read(s, "setup")))" }),
        ElementProperty(kind: .station, name: "queue_capacity",
                        write: { s, v, span, _ in s.queueCapacity = try ElementDeclNode.count(v, "queue_capacity", atLeast: 0, at: span) },
                        read: { count($0.queueCapacity) },
                        describe: { s, _ in s.queueCapacity.map { "queue_capacity: \($0)" } }),
        ElementProperty(kind: .station, name: "scrap",
                        write: { s, v, span, i in
                            func chance(_ v: Value) throws -> Double {
                                guard case .number(let p) = v, p >= 0, p <= 1 else {
                                    throw Diagnostic("scrap must be a probability from 0 to 1, such as 2%", at: span, label: "this is \(ValueFormatter().short(v))")
                                }
                                return p
                            }
                            s.scrapByType = try PartTypes.record(v, at: span, i, chance)
                            s.scrap = try s.scrapByType.map { PartTypes.lookup($0, nil) ?? 0 } ?? chance(v)
                        },
                        read: { s in s.scrapByType.map { PartTypes.value($0) { .number($0) } } ?? .number(s.scrap) },
                        describe: { s, f in
                            s.scrapByType != nil || s.scrap > 0 ? "scrap: \(f.short(read(s, "scrap")))" : nil
                        }),
        discipline(.station),
        shift(.station),
        ElementProperty(kind: .station, name: "assemble",
                        write: { s, v, span, i in
                            guard case .record(let r) = v, !r.names.isEmpty else {
                                throw Diagnostic("assemble takes a record of part types and counts, such as {frame: 1, wheel: 4}", at: span,
                                                 label: "this is \(ValueFormatter().short(v))")
                            }
                            let parts = PartTypes.names(i)
                            s.assemble = try zip(r.names, r.values).map { key, x in
                                try PartTypes.checkKey(key, else: false, at: span, parts)
                                return (key, try ElementDeclNode.count(x, "a set count", atLeast: 1, atMost: ModelSpec.maxBatch, at: span))
                            }
                        },
                        read: { s in s.assemble.isEmpty ? .nil : PartTypes.value(s.assemble) { .number(Double($0)) } },
                        describe: { s, f in s.assemble.isEmpty ? nil : "assemble: \(f.short(PartTypes.value(s.assemble) { .number(Double($0)) }))" }),
        ElementProperty(kind: .station, name: "makes",
                        write: { s, v, span, i in s.makes = try PartTypes.part(v, "makes", at: span, i) },
                        read: { s in s.makes.map { .string($0) } ?? .nil },
                        describe: { s, _ in s.makes.map { "makes: \($0)" } }),
        ElementProperty(kind: .station, name: "operator",
                        write: { s, v, span, _ in s.operatorCrew = try ElementDeclNode.crew(v, at: span, property: "operator") },
                        read: { s in s.operatorCrew.map { .string($0) } ?? .nil },
                        describe: { s, _ in s.operatorCrew.map { "operator: \($0)" } }),
        ElementProperty(kind: .station, name: "batch",
                        write: { s, v, span, _ in s.batch = try ElementDeclNode.count(v, "batch", atLeast: 1, atMost: ModelSpec.maxBatch, at: span) },
                        read: { .number(Double($0.batch)) },
                        describe: { s, _ in s.batch > 1 ? "batch: \(s.batch)" : nil }),
        shift(.source),
        shift(.crew),
        ElementProperty(kind: .crew, name: "size",
                        write: { s, v, span, _ in s.size = try ElementDeclNode.count(v, "size", atLeast: 1, atMost: 1_000_000, at: span) },
                        read: { .number(Double($0.size)) },
                        describe: { s, _ in "size: \(s.size)" }),
        ElementProperty(kind: .buffer, name: "capacity",
                        write: { s, v, span, _ in s.capacity = try ElementDeclNode.count(v, "capacity", atLeast: 0, at: span) },
                        read: { count($0.capacity) },
                        describe: { s, _ in "capacity: \(s.capacity.map(String.init) ?? "unlimited")" }),
        discipline(.buffer),
        ElementProperty(kind: .buffer, name: "delay",
                        write: { s, v, span, i in s.delay = try ElementDeclNode.distribution(v, at: span, i) },
                        read: { distribution($0.delay) },
                        describe: { s, f in s.delay.map { "delay: \(f.describe($0))" } }),
    ]

    /// `shift: shift(from: 6h, to: 22h, days: 1...5)` or a list of them.
    static func shift(_ kind: ElementKind) -> ElementProperty {
        ElementProperty(kind: kind, name: "shift",
                        write: { s, v, span, i in s.shift = try Shifts.parts(v, at: span, i) },
                        read: { s in s.shift.map(Shifts.value) ?? .nil },
                        describe: { s, f in s.shift.map { "shift: \(f.short(Shifts.value($0)))" } })
    }

    /// `discipline: spt`, on stations and buffers alike.
    static func discipline(_ kind: ElementKind) -> ElementProperty {
        ElementProperty(kind: kind, name: "discipline",
                        write: { s, v, span, _ in
                            let words = Discipline.allCases.map(\.name)
                            guard case .string(let word) = v, let d = Discipline.allCases.first(where: { $0.name == word }) else {
                                throw Diagnostic("discipline must be one of \(words.joined(separator: ", "))", at: span,
                                                 label: "this is \(ValueFormatter().short(v))")
                            }
                            s.discipline = d
                        },
                        read: { .string($0.discipline.name) },
                        describe: { s, _ in s.discipline == .fifo ? nil : "discipline: \(s.discipline.name)" })
    }

    /// The property of that name for that kind of element, if there is one.
    static func property(_ kind: ElementKind, _ name: String) -> ElementProperty? {
        table.first { $0.kind == kind && $0.name == name }
    }

    /// Names of the properties each kind of element accepts, in the table's order.
    static func allowed(_ kind: ElementKind) -> [String] {
        table.filter { $0.kind == kind }.map(\.name)
    }

    static let failure = ["up", "down", "counts", "every", "repair", "from_log"]
    /// What a `maintenance { }` block takes, and what an assignment may change in one.
    static let maintenance = ["every", "duration", "repair"]
    /// What an assignment may change in a declared failure.
    static let failureChanges = ["up", "down", "every", "repair"]

    /// A property's setting as a script reads it.
    static func read(_ s: ElementState, _ name: String) -> Value { property(s.kind, name)?.read(s) ?? .nil }

    private static func distribution(_ d: Distribution?) -> Value { d.map { .distribution(DistributionValue($0)) } ?? .nil }
    private static func count(_ n: Int?) -> Value { n.map { .number(Double($0)) } ?? .nil }
}
