import TaktCore

/// An interactive session: inputs compiled one after another against the same bindings and
/// model. A failed input leaves the session as it was. Output goes to the caller's sink.
public final class Session {
    let compiler = Compiler()
    let interpreter: Interpreter
    private var inputs = 0
    /// The file last loaded, for `:reload`.
    public private(set) var loadedPath: String?
    /// Told the checker's warnings about each input before it runs, and the model's when a
    /// simulation meets them.
    public var warnings: ([Diagnostic]) -> Void = { _ in } {
        didSet { interpreter.warningSink = warnings }
    }
    /// Where optimizations show progress; nil for none.
    public var progress: ((String?) -> Void)? {
        get { interpreter.progress }
        set { interpreter.progress = newValue }
    }

    /// `--trace` and `--report` of `takt repl`: kept by the REPL across loads.
    public var trace: TraceFile? {
        get { interpreter.trace }
        set { interpreter.trace = newValue }
    }
    public var report: Report? {
        get { interpreter.report }
        set { interpreter.report = newValue }
    }

    public init(output: @escaping (String) -> Void, overrides: @escaping (inout RunSettings) -> Void = { _ in }) {
        interpreter = Interpreter(output: output)
        interpreter.overrides = overrides
        compiler.sessionMode = true
        compiler.printsExpressionValues = true
        compiler.defersModelChecks = true
    }

    /// Whether `text` leaves a bracket open, so the REPL should read another line.
    public static func needsMoreInput(_ text: String) -> Bool {
        var lexer = Lexer(file: SourceFile(name: "<repl>", text: text))
        _ = lexer.tokenize()
        return lexer.diagnostics.contains { $0.message.hasPrefix("unclosed '") }
    }

    /// Compiles and runs one input on a large stack.
    public func evaluate(_ text: String) -> RunOutcome {
        inputs += 1
        let file = SourceFile(name: "<repl>", text: text)
        return execute(file, printing: true)
    }

    /// A new session holding the file's bindings and model, or the file's errors.
    public static func load(path: String, output: @escaping (String) -> Void,
                            overrides: @escaping (inout RunSettings) -> Void = { _ in },
                            warnings: @escaping ([Diagnostic]) -> Void = { _ in }) -> Result<Session, Diagnostics> {
        let file: SourceFile
        switch ScriptRunner.load(path: path) {
        case .failure(let d): return .failure(Diagnostics([d]))
        case .success(let f): file = f
        }
        let session = Session(output: output, overrides: overrides)
        session.warnings = warnings
        session.loadedPath = path
        switch session.execute(file, printing: false) {
        case .success: return .success(session)
        case .failure(let d): return .failure(Diagnostics(d))
        case .interrupted: return .failure(Diagnostics([Diagnostic("loading '\(path)' was interrupted", at: nil)]))
        case .usage(let message): return .failure(Diagnostics([Diagnostic(message, at: nil)]))
        }
    }

    private func execute(_ file: SourceFile, printing: Bool) -> RunOutcome {
        compiler.printsExpressionValues = printing
        compiler.defersModelChecks = printing
        interruptRequested.store(false, ordering: .relaxed)
        return LargeStack.run {
            let program: Program
            let parsed = Parser.parse(file)
            if interruptRequested.exchange(false, ordering: .relaxed) { return .interrupted }
            switch parsed {
            case .failure(let d): return .failure(d.items)
            case .success(let script):
                switch self.compiler.compile(script) {
                case .failure(let d):
                    // A failed compile restored the session. A successful one runs even after a
                    // Ctrl-C (stopping at the interpreter's first check, if it meets one), so
                    // that the bindings it declared are never left without values.
                    return interruptRequested.exchange(false, ordering: .relaxed) ? .interrupted : .failure(d.items)
                case .success(let p): program = p
                }
            }
            if !program.warnings.isEmpty { self.warnings(program.warnings) }
            return ScriptRunner.execute(program, on: self.interpreter)
        }
    }

    // MARK: What the REPL shows and completes

    /// `:model`: the elements with their settings, then the flows.
    public func modelDescription() -> String {
        guard let model = interpreter.staticModel, !model.isEmpty else { return "no model declared yet" }
        let f = interpreter.formatter
        var lines: [String] = []
        // Params first, in declaration order, with their current values.
        for name in compiler.paramOrder {
            if let value = compiler.params[name]?.cell.value { lines.append("param \(name) = \(f.short(value))") }
        }
        for e in model.elements {
            var settings: [String] = []
            if let s = try? interpreter.currentState(e.name) {
                for p in ElementProperties.table where p.kind == e.kind {
                    if let text = p.describe(s, f) { settings.append(text) }
                }
                for fl in s.failures { settings.append("failure \(fl.name)") }
            } else {
                settings.append("declaration not run")
            }
            lines.append("\(e.kind.rawValue) \(e.name)" + (settings.isEmpty ? "" : " { " + settings.joined(separator: ", ") + " }"))
        }
        for e in model.elements {
            switch model.routes[e.name] {
            case .next(let t)?: lines.append("flow \(e.name) -> \(t)")
            case .split(let branches)?: lines.append("flow \(e.name) -> { " + branches.map { "\($0.target)" }.joined(separator: ", ") + " } (split)")
            case .byType(let branches)?:
                lines.append("flow \(e.name) -> { " + branches.map { "\($0.key): \($0.target)" }.joined(separator: ", ") + " } (by type)")
            case .rule(.decider(let k), let targets)?:
                let agent = k < model.agentNames.count ? model.agentNames[k] : "#\(k)"
                lines.append("flow \(e.name) -> [\(targets.joined(separator: ", "))] by agent \(agent)")
            case .rule(let r, let targets)?: lines.append("flow \(e.name) -> [\(targets.joined(separator: ", "))] by \(Session.ruleName(r))")
            case nil: break
            }
        }
        for name in model.agentNames {
            guard let agent = interpreter.agents[name] else { continue }
            let state = agent.policy.map { "trained, \($0.observations.count) observations" } ?? "untrained"
            lines.append("agent \(name) { observe: [\(agent.template.labels.joined(separator: ", "))] } (\(state))")
        }
        return lines.joined(separator: "\n")
    }

    static func ruleName(_ r: RoutingRule) -> String {
        switch r {
        case .random: return "random"
        case .roundRobin: return "round_robin"
        case .shortestQueue: return "shortest_queue"
        case .firstAvailable: return "first_available"
        case .decider: return "agent"
        }
    }

    /// Names worth completing: keywords, built-ins and everything declared.
    public var names: [String] {
        var all = Set(Keyword.allCases.map(\.rawValue)).union(Builtins.all.keys).union(compiler.globals.keys).union(compiler.modelNames.keys)
        all.formUnion(["baseline", "save_policy", "load_policy"])
        return all.sorted()
    }

    /// Properties after a dot: an element's settings, a record's fields, results' members.
    public func properties(of name: String) -> [String] {
        if compiler.modelNames[name] == "agent" { return ["decide", "policy"] }
        if let kind = compiler.modelNames[name], let k = ElementKind(rawValue: kind) {
            // A station's failures too, by name, for what-ifs such as `press.wear.up = ...`.
            let failures = (try? interpreter.currentState(name))?.failures.map(\.name) ?? []
            return (ElementProperties.allowed(k) + ["name"] + failures).sorted()
        }
        guard let cell = compiler.globals[name], let v = cell.value else { return [] }
        switch v {
        case .record(let r): return r.names.sorted()
        case .result(let r):
            return (["throughput", "wip", "cycle_time"] + r.rewards.map(\.name) + r.spec.sources.map(\.name) + r.spec.stations.map(\.name)
                    + r.spec.buffers.map(\.name) + r.spec.sinks.map(\.name)).sorted()
        case .estimate: return ["ci", "high", "low", "mean", "n", "values"]
        case .element(let e): return (ElementProperties.allowed(e.kind) + ["name"]).sorted()
        default: return []
        }
    }
}
