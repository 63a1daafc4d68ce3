import TaktCore

/// A checked script, ready to run.
public struct Program {
    let main: FunctionProto
    public let script: Script
    /// The flow graph, when the script declares a model.
    let model: StaticModel?
    /// A model that no statement simulates gets one run at the end (docs/runs.md).
    public let needsImplicitRun: Bool
    /// Declares elements or flows, so cached results of the model are stale.
    let changesModel: Bool
    /// The params the script declares, for `--set`.
    public let params: [ParamInfo]
    /// Warnings found by the checker; the program runs all the same.
    public let warnings: [Diagnostic]
}

/// A declared param: its name, where, and its value's kind when the checker can tell.
public struct ParamInfo {
    public let name: String
    public let span: Span
    let type: StaticType?
    let cell: GlobalCell

    /// The kind `--set` must match: number, duration, string or boolean (nil when unknown).
    public var kind: String? {
        switch type {
        case .dimension(0)?: return "number"
        case .dimension(1)?: return "duration"
        case .dimension(-1)?: return "rate"
        case .string?: return "string"
        case .bool?: return "boolean"
        default: return nil
        }
    }
}

/// The checker: resolves every name to a slot, cell or built-in, checks what can be checked
/// before running (unknown names, duplicates, assignment to `let`, built-in arity, dimensions,
/// misplaced `return`/`break`), and builds the executable tree. It keeps its globals, so a
/// session can compile one script after another against the same state.
public final class Compiler {
    var globals: [String: GlobalCell] = [:]
    var globalTypes: [String: StaticType] = [:]
    var globalSpans: [String: Span] = [:]
    /// Globals whose declaration the top level has already passed.
    var declared: Set<String> = []
    var modelNames: [String: String] = [:]
    var diagnostics: [Diagnostic] = []
    var ctx: FunctionContext!
    var staticModel: StaticModel?
    /// Set when the script calls `simulate` or asks what-if, compare, optimize or train.
    var simulates = false
    /// Declared params, by name, with what the checker knows of their declared value's type.
    var params: [String: ParamInfo] = [:]
    /// Their names in the order they were declared (across a session's inputs).
    var paramOrder: [String] = []
    /// Top-level `let`s computed from a param, with the param they read (docs/optimization.md).
    var paramDerived: [String: String] = [:]
    /// Warnings of the script being compiled (docs/model.md).
    var warnings: [Diagnostic] = []
    /// Agents by name: the index of the core's decider each one is (kept across a session's inputs).
    var agentIndex: [String: Int] = [:]
    /// Compiling a reward's expression: plant results such as `throughput` are names there.
    var inReward = false

    /// A session (the REPL): each input is compiled against what earlier inputs declared, a
    /// new `let`, `var` or `fn` may shadow an earlier one, and a redeclared element replaces
    /// the old one.
    public var sessionMode = false
    /// Print the value of each top-level expression statement (REPL input, not loaded files).
    public var printsExpressionValues = false
    /// Defer the model's shape checks to the first simulation (the REPL builds a model piece by piece).
    public var defersModelChecks = false
    /// In a session, the element and flow statements of all inputs so far.
    var modelStatements: [Stmt] = []
    /// Globals of an earlier input that this input redeclares, installed at their declaration.
    var shadowing: [String: (cell: GlobalCell, span: Span)] = [:]
    /// Compiled split weights by flow statement, kept across inputs.
    var weightSlots: [ObjectIdentifier: [StaticModel.WeightSlot]] = [:]

    public init() {}

    /// What a failed input must not change.
    struct Snapshot {
        let globals: [String: GlobalCell], globalTypes: [String: StaticType], globalSpans: [String: Span]
        let declared: Set<String>, modelNames: [String: String], modelStatements: [Stmt]
        let params: [String: ParamInfo], paramDerived: [String: String], paramOrder: [String]
    }

    func snapshot() -> Snapshot {
        Snapshot(globals: globals, globalTypes: globalTypes, globalSpans: globalSpans, declared: declared,
                 modelNames: modelNames, modelStatements: modelStatements, params: params, paramDerived: paramDerived,
                 paramOrder: paramOrder)
    }

    func restore(_ s: Snapshot) {
        globals = s.globals; globalTypes = s.globalTypes; globalSpans = s.globalSpans
        declared = s.declared; modelNames = s.modelNames; modelStatements = s.modelStatements
        params = s.params; paramDerived = s.paramDerived; paramOrder = s.paramOrder
    }

    /// Whether this span is the declaration that `name` is bound to.
    func isDeclaration(_ name: String, _ span: Span) -> Bool {
        guard let d = globalSpans[name] else { return false }
        return d.file === span.file && d.start == span.start
    }

    public func compile(_ script: Script) -> Result<Program, Diagnostics> {
        let before = snapshot()
        let result = compileScript(script)
        if case .failure = result, sessionMode { restore(before) }
        return result
    }

    private func compileScript(_ script: Script) -> Result<Program, Diagnostics> {
        diagnostics = []
        warnings = []
        ctx = FunctionContext(parent: nil)
        simulates = false
        shadowing = [:]
        collectGlobals(script.statements)
        if sessionMode {
            for s in script.statements {
                switch s.kind {
                case .element(let e):
                    // A redeclared element replaces the old declaration.
                    modelStatements.removeAll {
                        if case .element(let old) = $0.kind { return old.name == e.name }
                        return false
                    }
                    modelStatements.append(s)
                case .flow:
                    modelStatements.append(s)
                default:
                    break
                }
            }
            staticModel = collectModel(modelStatements)
        } else {
            staticModel = collectModel(script.statements)
        }
        var body: [StmtNode] = []
        for s in script.statements {
            if interruptRequested.load(ordering: .relaxed) {
                error("interrupted", at: s.span)
                break
            }
            if let node = compileStatement(s) { body.append(node) }
        }
        let start = SourceLocation(offset: 0, line: 1, column: 1)
        let proto = FunctionProto(name: nil, arity: 0, frameSize: ctx.nextSlot, body: body, params: [], captures: [],
                                  span: Span(file: script.file, start: start, end: start))
        ctx = nil
        if !diagnostics.isEmpty { return .failure(Diagnostics(diagnostics)) }
        let implicit = !(staticModel?.isEmpty ?? true) && !simulates && !sessionMode
        let changes = script.statements.contains {
            switch $0.kind {
            case .element, .flow: return true
            default: return false
            }
        }
        let declaredParams = script.statements.compactMap { s -> ParamInfo? in
            if case .param(let name, _, _) = s.kind { return params[name] }
            return nil
        }
        return .success(Program(main: proto, script: script, model: staticModel, needsImplicitRun: implicit, changesModel: changes,
                                params: declaredParams, warnings: warnings))
    }

    func error(_ message: String, at span: Span, label: String = "", help: String? = nil, notes: [String] = []) {
        error(Diagnostic(message, at: span, label: label, help: help, notes: notes))
    }

    /// At most 20, and one per message and place.
    func error(_ d: Diagnostic) {
        if diagnostics.contains(where: { $0.message == d.message && $0.span?.start == d.span?.start }) { return }
        if diagnostics.count < 20 { diagnostics.append(d) }
    }

    func location(_ span: Span) -> String { "\(span.file.name):\(span.start.line):\(span.start.column)" }

    // MARK: - Globals

    /// Binds the names of the top level before anything runs, so functions may refer to
    /// globals declared further down and flows to elements declared later.
    func collectGlobals(_ statements: [Stmt]) {
        var thisInput = Set<String>()
        for s in statements {
            var entry: (String, Span, Bool)? = nil
            var model: String? = nil
            switch s.kind {
            case .binding(let name, let span, let mutable, _): entry = (name, span, mutable)
            case .param(let name, let span, _): entry = (name, span, true)
            case .function(let decl): if let n = decl.name, let sp = decl.nameSpan { entry = (n, sp, false) }
            case .element(let e): entry = (e.name, e.nameSpan, false); model = e.kind.rawValue
            case .agent(let name, let span, _):
                entry = (name, span, false)
                model = "agent"
                if agentIndex[name] == nil { agentIndex[name] = agentIndex.count }
            case .reward(let name, let span, _): entry = (name, span, false); model = "reward"
            case .scenario(let name, let span, _): entry = (name, span, false); model = "scenario"
            default: break
            }
            guard let (name, span, mutable) = entry else { continue }
            if sessionMode, globalSpans[name] != nil, !thisInput.contains(name) {
                thisInput.insert(name)
                if model.flatMap(ElementKind.init(rawValue:)) == nil, let kind = modelNames[name], ElementKind(rawValue: kind) != nil {
                    // The model's flows name it: anything but an element of that name would leave them dangling.
                    error("'\(name)' is a \(kind) of the model", at: span, label: "already a \(kind)",
                          help: "choose another name; an element can be redeclared only as an element")
                    continue
                }
                if model == nil {
                    // `let t = t + 1` shadows an earlier input's `t`: the old binding stays visible
                    // until the new declaration is reached.
                    shadowing[name] = (GlobalCell(name: name, mutable: mutable), span)
                    continue
                }
                globals[name] = nil
                modelNames[name] = nil
                globalTypes[name] = nil
                declared.remove(name)
                globalSpans[name] = nil
            }
            thisInput.insert(name)
            if let first = globalSpans[name] {
                error("'\(name)' is already declared", at: span, label: "declared again here",
                      help: "choose another name", notes: ["first declared at \(location(first))"])
                continue
            }
            globalSpans[name] = span
            if let kind = model {
                modelNames[name] = kind
            } else {
                globals[name] = GlobalCell(name: name, mutable: mutable)
            }
        }
    }

    // MARK: - Names

    func resolve(_ name: String) -> Resolution? {
        resolve(name, in: ctx)
    }

    private func resolve(_ name: String, in c: FunctionContext) -> Resolution? {
        for scope in c.scopes.reversed() {
            if let v = scope[name] { return .local(v) }
        }
        if let parent = c.parent {
            guard let r = resolve(name, in: parent) else { return nil }
            switch r {
            case .local(let v):
                v.captured = true
                return .upvalue(c.captureIndex(local: v), v)
            case .upvalue(let i, let v):
                return .upvalue(c.captureIndex(upvalue: i), v)
            default:
                return r
            }
        }
        if let cell = globals[name] { return .global(cell) }
        if let kind = modelNames[name] { return .model(kind) }
        if let b = Builtins.all[name] { return .builtin(b) }
        return nil
    }

    func visibleNames() -> [String] {
        var names = Set(globals.keys).union(modelNames.keys).union(Builtins.all.keys)
        var c: FunctionContext? = ctx
        while let cur = c {
            for scope in cur.scopes { names.formUnion(scope.keys) }
            c = cur.parent
        }
        return names.sorted()
    }

    func unknownName(_ name: String, at span: Span) {
        let suggestion = Suggest.closest(to: name, among: visibleNames())
        error("unknown name '\(name)'", at: span, label: suggestion.map { "did you mean '\($0)'?" } ?? "not declared")
    }
}
