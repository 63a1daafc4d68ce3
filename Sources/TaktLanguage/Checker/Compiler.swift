import TaktCore

/// A checked script, ready to run.
public struct Program {
    let main: FunctionProto
    public let script: Script
    /// The flow graph, when the script declares a model.
    let model: StaticModel?
    /// A model that no statement simulates gets one run at the end (LANGUAGE.md section 5).
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
    var reportedNotAvailable = false
    var staticModel: StaticModel?
    /// Set when the script calls `simulate` or asks what-if, compare, optimize or train.
    var simulates = false
    /// Declared params, by name, with what the checker knows of their declared value's type.
    var params: [String: ParamInfo] = [:]
    /// Top-level `let`s computed from a param, with the param they read (LANGUAGE.md section 6).
    var paramDerived: [String: String] = [:]
    /// Warnings of the script being compiled (LANGUAGE.md section 4).
    var warnings: [Diagnostic] = []
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
        let params: [String: ParamInfo], paramDerived: [String: String]
    }

    func snapshot() -> Snapshot {
        Snapshot(globals: globals, globalTypes: globalTypes, globalSpans: globalSpans, declared: declared,
                 modelNames: modelNames, modelStatements: modelStatements, params: params, paramDerived: paramDerived)
    }

    func restore(_ s: Snapshot) {
        globals = s.globals; globalTypes = s.globalTypes; globalSpans = s.globalSpans
        declared = s.declared; modelNames = s.modelNames; modelStatements = s.modelStatements
        params = s.params; paramDerived = s.paramDerived
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
        reportedNotAvailable = false
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
            case .agent(let name, let span, _): entry = (name, span, false); model = "agent"
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

    func notAvailable(_ what: String, at span: Span) {
        guard !reportedNotAvailable else { return }
        reportedNotAvailable = true
        error("\(what) \(what.hasSuffix("s") ? "are" : "is") not available yet", at: span,
              label: "parsed, but simulation arrives in a later version of Takt",
              help: "this version of Takt runs the general-purpose language; models cannot be simulated yet")
    }

    // MARK: - Statements

    func compileBlock(_ block: Block) -> [StmtNode] {
        ctx.scopes.append([:])
        defer { ctx.scopes.removeLast() }
        return block.statements.compactMap(compileStatement)
    }

    /// A block whose last expression is its value.
    func compileValueBlock(_ block: Block?) -> ([StmtNode], Node?) {
        guard let block = block else { return ([], nil) }
        ctx.scopes.append([:])
        defer { ctx.scopes.removeLast() }
        var statements = block.statements
        guard let last = statements.popLast() else { return ([], nil) }
        let nodes = statements.compactMap(compileStatement)
        if case .expression(let e) = last.kind {
            return (nodes, compileExpr(e).node)
        }
        return (nodes + [compileStatement(last)].compactMap { $0 }, nil)
    }

    func compileStatement(_ s: Stmt) -> StmtNode? {
        let declaration: String?
        switch s.kind {
        case .element(let e): declaration = "'\(e.kind.rawValue)'"
        case .flow: declaration = "'flow'"
        case .config: declaration = "'config'"
        case .agent: declaration = "'agent'"
        case .reward: declaration = "'reward'"
        case .param: declaration = "'param'"
        case .scenario: declaration = "'scenario'"
        default: declaration = nil
        }
        if let what = declaration, !ctx.atGlobalLevel {
            error("\(what) declarations stand at the top level of a script", at: s.span,
                  label: "inside a function, loop or branch", help: "move it out to the top level")
            return nil
        }
        switch s.kind {
        case .expression(let e):
            if ctx.atGlobalLevel, let node = compileOptimizeStatement(e) { return node }
            if printsExpressionValues && ctx.atGlobalLevel {
                return PrintValueNode(compileExpr(e).node)
            }
            if case .if(let node) = e.kind { return compileIfStatement(node, span: e.span) }
            return ExprStmtNode(compileExpr(e).node)

        case .binding(let name, let nameSpan, let mutable, let valueExpr):
            var value: Typed
            if case .function(let decl) = valueExpr.kind {
                // `let double = fn(x) ...` names the function in messages and when printed.
                value = Typed(node: compileFunction(decl, name: name), type: .function)
            } else {
                value = compileExpr(valueExpr)
            }
            if ctx.atGlobalLevel, let shadow = shadowing.removeValue(forKey: name) {
                installShadow(name, shadow)
            }
            if ctx.atGlobalLevel, let cell = globals[name] {
                declared.insert(name)
                if !mutable, let t = value.type { globalTypes[name] = t }
                paramDerived[name] = nil
                if !mutable, let param = paramRead(in: valueExpr) { paramDerived[name] = param }
                return DeclareGlobalNode(cell, value.node, span: s.span)
            }
            if ctx.atGlobalLevel { return nil } // a duplicate, already reported
            guard let v = declareLocal(name, mutable: mutable, span: nameSpan) else { return nil }
            if !mutable { v.staticType = value.type }
            return DeclareLocalNode(v, value.node, span: s.span)

        case .function(let decl):
            let name = decl.name ?? "fn"
            if ctx.atGlobalLevel {
                if let shadow = shadowing.removeValue(forKey: name) { installShadow(name, shadow) }
                guard let cell = globals[name] else { return nil }
                declared.insert(name)
                globalTypes[name] = .function
                return DeclareGlobalNode(cell, compileFunction(decl), span: s.span)
            }
            guard let v = declareLocal(name, mutable: false, span: decl.nameSpan ?? decl.span) else { return nil }
            v.staticType = .function
            return DeclareLocalFunctionNode(v, compileFunction(decl), span: s.span)

        case .assign(let target, let op, let valueExpr):
            return compileAssignment(target: target, op: op, value: valueExpr, span: s.span)

        case .for(let name, let nameSpan, let iterableExpr, let body):
            let iterable = compileExpr(iterableExpr).node
            ctx.scopes.append([:])
            defer { ctx.scopes.removeLast() }
            let v = ctx.declare(name, mutable: false, span: nameSpan)
            ctx.loopDepth += 1
            defer { ctx.loopDepth -= 1 }
            return ForNode(variable: v, iterable: iterable, body: compileBlock(body), span: s.span)

        case .while(let condExpr, let body):
            let cond = compileCondition(condExpr)
            ctx.loopDepth += 1
            defer { ctx.loopDepth -= 1 }
            return WhileNode(condition: cond, body: compileBlock(body), span: s.span)

        case .break, .continue:
            let word = { if case .break = s.kind { return "break" } else { return "continue" } }()
            if ctx.loopDepth == 0 {
                error("'\(word)' outside a loop", at: s.span, label: "not inside 'for' or 'while'",
                      help: ctx.valueIfDepth > 0 ? "an 'if' used as a value cannot leave the loop around it" : nil)
                return nil
            }
            if case .break = s.kind { return BreakNode(span: s.span) }
            return ContinueNode(span: s.span)

        case .return(let valueExpr):
            let value = valueExpr.map { compileExpr($0).node }
            if ctx.isMain {
                error("'return' outside a function", at: s.span, label: "not inside 'fn'")
                return nil
            }
            if ctx.valueIfDepth > 0 {
                error("'return' inside an 'if' used as a value", at: s.span,
                      help: "use an 'if' statement, or return the value of the 'if' expression")
                return nil
            }
            return ReturnNode(value, span: s.span)

        case .assert(let condExpr, let messageExpr):
            return AssertNode(condition: compileCondition(condExpr), message: messageExpr.map { compileExpr($0).node }, span: s.span)

        case .config(let properties):
            return compileConfig(properties, span: s.span)

        case .element(let e):
            return compileElement(e, span: s.span)
        case .flow:
            // The graph was built before anything ran; only split weights compile here, in place.
            for slot in staticModel?.weightsByFlow[ObjectIdentifier(s)] ?? [] {
                slot.node = compileExpr(slot.expr).node
            }
            return nil
        case .agent:
            notAvailable("agents", at: s.span)
        case .reward(let name, _, let valueExpr):
            inReward = true
            let value = compileExpr(valueExpr)
            inReward = false
            if let t = value.type, !(t == .dimension(0) || t == .dimension(1) || t == .dimension(-1)) {
                error("the reward '\(name)' must be a number, a duration or a rate", at: valueExpr.span,
                      label: "this is a \(t.sample(literal: nil).typeName)")
                return nil
            }
            return RewardDeclNode(RewardDefinition(name: name, value: value.node, span: s.span), span: s.span)
        case .param(let name, _, let valueExpr):
            let value = compileExpr(valueExpr)
            if let shadow = shadowing.removeValue(forKey: name) { installShadow(name, shadow) }
            guard let cell = globals[name] else { return nil }
            declared.insert(name)
            params[name] = ParamInfo(name: name, span: s.span, type: value.type, cell: cell)
            paramDerived[name] = nil
            return DeclareParamNode(cell, value.node, span: s.span)
        case .scenario(let name, _, let body):
            guard let changes = compileChanges(body) else { return nil }
            return ScenarioNode(ScenarioDefinition(name: name, changes: changes), span: s.span)
        case .compare(let names):
            simulates = true
            var refs: [(String, Span)] = []
            for n in names {
                if n.name != "baseline" && modelNames[n.name] != "scenario" {
                    let scenarios = modelNames.filter { $0.value == "scenario" }.map(\.key)
                    let suggestion = Suggest.closest(to: n.name, among: scenarios + ["baseline"])
                    error("'\(n.name)' is not a scenario", at: n.span, label: suggestion.map { "did you mean '\($0)'?" } ?? "not a scenario",
                          help: "declare it with 'scenario \(n.name) { ... }'")
                    return nil
                }
                refs.append((n.name, n.span))
            }
            if refs.count < 2 {
                error("compare needs at least two scenarios", at: s.span, help: "write 'compare baseline, NAME'")
                return nil
            }
            return CompareNode(names: refs, span: s.span)
        case .whatIf(let body):
            simulates = true
            guard let changes = compileChanges(body) else { return nil }
            let text = body.map { sourceText($0.span) }.joined(separator: "; ")
            return WhatIfNode(changes: changes, text: text, span: s.span)
        case .train:
            notAvailable("'train'", at: s.span)
        }
        return nil
    }

    func sourceText(_ span: Span) -> String {
        var out = String.UnicodeScalarView()
        let scalars = span.file.scalars
        out.append(contentsOf: scalars[max(0, span.start.offset)..<min(scalars.count, span.end.offset)])
        return String(out)
    }

    /// The assignments of a what-if or scenario: each sets one property of one element.
    func compileChanges(_ body: [Stmt]) -> [ModelChange]? {
        var changes: [ModelChange] = []
        for st in body {
            if case .flow(let flow) = st.kind {
                guard let change = routingChange(flow, span: st.span) else { return nil }
                changes.append(change)
                continue
            }
            guard case .assign(let target, let op, let valueExpr) = st.kind, op == .assign else {
                error("a what-if or scenario sets element properties, such as 'm2.servers = 2', or redeclares a split or choice",
                      at: st.span)
                return nil
            }
            var fields: [(String, Span)] = []
            var root = target
            while case .member(let inner, let key, let keySpan) = root.kind {
                fields.insert((key, keySpan), at: 0)
                root = inner
            }
            if case .identifier(let name) = root.kind, fields.isEmpty, case .global(let cell)? = resolve(name), params[name] != nil {
                changes.append(.param(cell: cell, value: compileExpr(valueExpr).node))
                continue
            }
            guard case .identifier(let name) = root.kind, !fields.isEmpty else {
                error("a what-if or scenario sets params and element properties, such as 'm2.servers = 2'", at: st.span)
                return nil
            }
            guard case .model(let kind)? = resolve(name), let element = ElementKind(rawValue: kind) else {
                if resolve(name) == nil { unknownName(name, at: root.span) } else {
                    error("'\(name)' is not an element", at: root.span, label: "what-ifs change sources, stations, buffers and sinks")
                }
                return nil
            }
            let value = symbolValue(fields, valueExpr) ?? compileExpr(valueExpr).node
            guard let change = modelChange(name, element, fields, value, at: target.span) else { return nil }
            changes.append(change)
        }
        return changes
    }

    /// `src.when_full = lose`: the bare words a property takes, as in its declaration.
    func symbolValue(_ fields: [(String, Span)], _ e: Expr) -> Node? {
        guard fields.count == 1, fields[0].0 == "when_full", case .identifier(let word) = e.kind,
              word == "lose" || word == "wait" else { return nil }
        return ConstantNode(.string(word), span: e.span)
    }

    /// Checks the property path of an assignment to an element — `m2.servers`, or a failure's
    /// `press.wear.up` — and makes the change it describes.
    func modelChange(_ name: String, _ element: ElementKind, _ fields: [(String, Span)], _ value: Node, at span: Span) -> ModelChange? {
        let kind = element.rawValue
        let allowed = ElementProperties.allowed(element)
        if fields.count == 2 && element == .station && !allowed.contains(fields[0].0) {
            let (key, keySpan) = fields[1]
            guard ElementProperties.failureChanges.contains(key) else {
                let suggestion = Suggest.closest(to: key, among: ElementProperties.failureChanges)
                error("a failure has no property '\(key)' to change", at: keySpan, label: suggestion.map { "did you mean '\($0)'?" } ?? "unknown property",
                      help: "a failure's up, down and every can be changed")
                return nil
            }
            if let names = staticModel?.element(name)?.failureNames, !names.contains(fields[0].0) {
                error(ElementDeclNode.unknownFailure(fields[0].0, of: name, among: names, at: fields[0].1))
                return nil
            }
            return .property(element: name, failure: (fields[0].0, fields[0].1), key: key, value: value)
        }
        guard fields.count == 1 else {
            let failureHint = element == .station ? ", or one of a failure's, such as '\(name).wear.up = ...'" : ""
            error("assign one property of an element, such as '\(name).\(allowed.first ?? "name") = ...'\(failureHint)", at: span)
            return nil
        }
        let (key, keySpan) = fields[0]
        guard allowed.contains(key) else {
            let suggestion = Suggest.closest(to: key, among: allowed)
            error("a \(kind) has no property '\(key)'", at: keySpan, label: suggestion.map { "did you mean '\($0)'?" } ?? "unknown property",
                  help: allowed.isEmpty ? nil : "\(kind) properties are \(allowed.joined(separator: ", "))")
            return nil
        }
        return .property(element: name, failure: nil, key: key, value: value)
    }

    func installShadow(_ name: String, _ shadow: (cell: GlobalCell, span: Span)) {
        globals[name] = shadow.cell
        globalSpans[name] = shadow.span
        globalTypes[name] = nil
    }

    func declareLocal(_ name: String, mutable: Bool, span: Span) -> LocalVariable? {
        if let existing = ctx.scopes[ctx.scopes.count - 1][name] {
            error("'\(name)' is already declared in this block", at: span, label: "declared again here",
                  help: "assign with '=' to change a 'var', or choose another name",
                  notes: ["first declared at \(location(existing.span))"])
            return nil
        }
        return ctx.declare(name, mutable: mutable, span: span)
    }

    func compileCondition(_ e: Expr) -> Node {
        let c = compileExpr(e)
        if let t = c.type, t != .bool {
            error("a condition must be a boolean", at: e.span, label: "this is not a boolean",
                  help: "Takt has no truthiness: compare explicitly, e.g. 'x != 0'")
        }
        return c.node
    }

    func compileIfStatement(_ node: IfNode, span: Span) -> StmtNode {
        let cond = compileCondition(node.condition)
        let then = compileBlock(node.then)
        let otherwise = node.otherwise.map(compileBlock) ?? []
        return IfStmtNode(condition: cond, then: then, otherwise: otherwise, span: span)
    }

    func compileFunction(_ decl: FunctionDecl, name: String? = nil) -> FunctionNode {
        let outer = ctx!
        ctx = FunctionContext(parent: outer)
        ctx.scopes.append([:])
        let params = decl.params.map { ctx.declare($0.name, mutable: true, span: $0.span) }
        let body = decl.body.statements.compactMap(compileStatement)
        let proto = FunctionProto(name: decl.name ?? name, arity: decl.params.count, frameSize: ctx.nextSlot,
                                  body: body, params: params, captures: ctx.captures, span: decl.span)
        ctx = outer
        return FunctionNode(proto, span: decl.span)
    }

    // MARK: - Assignment

    func compileAssignment(target: Expr, op: AssignOp, value valueExpr: Expr, span: Span) -> StmtNode? {
        var path: [PathStep] = []
        var root = target
        while true {
            switch root.kind {
            case .index(let t, let i):
                path.append(.index(compileExpr(i).node))
                root = t
                continue
            case .member(let t, let name, let nameSpan):
                path.append(.field(name, nameSpan))
                root = t
                continue
            default:
                break
            }
            break
        }
        path.reverse()
        // `src.when_full = lose` takes a bare word, which must not be resolved as a name.
        var symbolPath: [(String, Span)] = []
        if case .identifier(let n) = root.kind, case .model? = resolve(n), path.count == 1, case .field(let key, let span) = path[0] {
            symbolPath = [(key, span)]
        }
        let value = symbolValue(symbolPath, valueExpr).map { Typed(node: $0, type: nil, literal: nil) } ?? compileExpr(valueExpr)
        guard case .identifier(let name) = root.kind else {
            error("cannot assign to this expression", at: root.span, label: "not a variable")
            return nil
        }
        let ref: VariableRef
        switch resolve(name) {
        case .local(let v)?:
            guard v.mutable else { letError(name, v.span, at: root.span); return nil }
            ref = .local(v.slot)
            if path.isEmpty { v.staticType = nil }
        case .upvalue(let i, let v)?:
            guard v.mutable else { letError(name, v.span, at: root.span); return nil }
            ref = .upvalue(i)
        case .global(let cell)?:
            guard cell.mutable else { letError(name, globalSpans[name], at: root.span); return nil }
            if params[name] != nil && !ctx.isMain {
                error("a param cannot be assigned inside a function", at: root.span, label: "'\(name)' is a param",
                      help: "assign it at the top level, where it changes the model: \(name) = ...")
                return nil
            }
            if ctx.isMain && !declared.contains(name) {
                error("'\(name)' is assigned before its declaration", at: root.span, label: "declared further down")
                return nil
            }
            ref = .global(cell)
        case .builtin?:
            error("cannot assign to the built-in '\(name)'", at: root.span, label: "a built-in function")
            return nil
        case .model(let kind)?:
            guard let element = ElementKind(rawValue: kind) else {
                notAvailable("assignments to \(kind)s", at: span)
                return nil
            }
            var fields: [(String, Span)] = []
            for component in path {
                guard case .field(let key, let keySpan) = component else { fields = []; break }
                fields.append((key, keySpan))
            }
            guard !fields.isEmpty, op == .assign else {
                error("assign one property of an element, such as '\(name).\(ElementProperties.allowed(element).first ?? "name") = ...'",
                      at: target.span)
                return nil
            }
            guard case .property(let name, let failure, let key, let value)? = modelChange(name, element, fields, value.node, at: target.span)
            else { return nil }
            return SetElementPropertyNode(element: name, failure: failure, key: key, value: value, span: span)
        case nil:
            unknownName(name, at: root.span)
            return nil
        }
        if path.isEmpty, op != .assign, let lt = staticType(ofVariable: name), value.type != nil {
            let binary: BinaryOp = op == .add ? .add : op == .subtract ? .subtract : op == .multiply ? .multiply : .divide
            checkBinary(binary, Typed(node: value.node, type: lt, literal: nil), value, span: span)
        }
        return AssignNode(target: ref, path: path, op: op, value: value.node, span: span)
    }

    func staticType(ofVariable name: String) -> StaticType? {
        switch resolve(name) {
        case .local(let v)?, .upvalue(_, let v)?: return v.mutable ? nil : v.staticType
        default: return nil
        }
    }

    func letError(_ name: String, _ declaredAt: Span?, at span: Span) {
        error("cannot assign to '\(name)': it is declared with 'let'", at: span, label: "immutable",
              help: "declare it with 'var' to change it", notes: declaredAt.map { ["declared at \(location($0))"] } ?? [])
    }

    // MARK: - Config

    func compileConfig(_ properties: [Property], span: Span) -> StmtNode? {
        var settings: [ConfigNode.Setting] = []
        var seen: [String: Span] = [:]
        for p in properties {
            if let first = seen[p.key] {
                error("'\(p.key)' is set twice in this config", at: p.keySpan, notes: ["first set at \(location(first))"])
                continue
            }
            seen[p.key] = p.keySpan
            guard case .expr(let e) = p.value else {
                error("'\(p.key)' takes a plain value here", at: p.span)
                continue
            }
            switch p.key {
            case "time_unit":
                var unitName: String? = nil
                switch e.kind {
                case .identifier(let n): unitName = n
                case .string(let parts): if parts.count == 1, case .text(let t) = parts[0] { unitName = t }
                default: break
                }
                guard let n = unitName, let unit = TimeUnit(rawValue: n) else {
                    error("time_unit must be one of ms, s, min, h, d, w", at: e.span, label: "not a time unit")
                    continue
                }
                settings.append(.timeUnit(unit))
            case "horizon", "warmup", "replications", "seed", "crn", "max_parts":
                settings.append(.value(p.key, compileExpr(e).node))
            default:
                let keys = ["horizon", "warmup", "replications", "seed", "time_unit", "crn", "max_parts"]
                let suggestion = Suggest.closest(to: p.key, among: keys)
                error("unknown config setting '\(p.key)'", at: p.keySpan, label: suggestion.map { "did you mean '\($0)'?" } ?? "unknown",
                      help: "settings are \(keys.joined(separator: ", "))")
            }
        }
        return ConfigNode(settings, span: span)
    }

    // MARK: - Expressions

    struct Typed {
        var node: Node
        var type: StaticType?
        var literal: Double?
    }

    func checkBinary(_ op: BinaryOp, _ a: Typed, _ b: Typed, span: Span) {
        guard let ta = a.type, let tb = b.type else { return }
        if ta == .function || tb == .function { return }
        if let d = Operators.dimensionError(op, ta.sample(literal: a.literal), tb.sample(literal: b.literal), at: span, unit: .min) {
            error(d.message, at: d.span ?? span, label: d.label, help: d.help)
        }
    }

    func compileExpr(_ e: Expr) -> Typed {
        switch e.kind {
        case .number(let x):
            return Typed(node: ConstantNode(.number(x), span: e.span), type: .dimension(0), literal: x)
        case .duration(let x):
            return Typed(node: ConstantNode(.duration(x), span: e.span), type: .dimension(1), literal: x)
        case .bool(let b):
            return Typed(node: ConstantNode(.bool(b), span: e.span), type: .bool)
        case .nil:
            return Typed(node: ConstantNode(.nil, span: e.span), type: nil)
        case .string(let parts):
            if parts.count == 1, case .text(let t) = parts[0] {
                return Typed(node: ConstantNode(.string(t), span: e.span), type: .string)
            }
            let compiled: [InterpolationNode.Part] = parts.map {
                switch $0 {
                case .text(let t): return .text(t)
                case .expr(let x): return .expr(compileExpr(x).node)
                }
            }
            return Typed(node: InterpolationNode(compiled, span: e.span), type: .string)
        case .identifier(let name):
            return compileName(name, span: e.span)
        case .list(let items):
            return Typed(node: ListNode(items.map { compileExpr($0).node }, span: e.span), type: .list)
        case .record(let fields):
            return Typed(node: RecordNode(names: fields.map(\.name), values: fields.map { compileExpr($0.value).node }, span: e.span), type: .record)
        case .unary(let op, let operandExpr):
            let operand = compileExpr(operandExpr)
            switch op {
            case .negate:
                if let t = operand.type, case .dimension = t {} else if let t = operand.type, t != .function {
                    error("cannot negate a \(t.sample(literal: nil).typeName)", at: e.span, label: "expected a number, duration or rate")
                }
                return Typed(node: NegateNode(operand.node, span: e.span), type: operand.type, literal: operand.literal.map { -$0 })
            case .not:
                if let t = operand.type, t != .bool, t != .function {
                    error("'not' needs a boolean", at: operandExpr.span, label: "not a boolean")
                }
                return Typed(node: NotNode(operand.node, span: e.span), type: .bool)
            }
        case .binary(let op, let l, let r):
            let a = compileExpr(l), b = compileExpr(r)
            checkBinary(op, a, b, span: e.span)
            switch op {
            case .and, .or:
                return Typed(node: LogicalNode(isAnd: op == .and, a.node, b.node, span: e.span), type: .bool)
            case .less, .lessEqual, .greater, .greaterEqual, .equal, .notEqual:
                return Typed(node: binaryNode(op, a, b, span: e.span), type: .bool)
            case .add, .subtract, .multiply, .divide, .remainder:
                var type: StaticType? = nil
                if case .dimension(let da)? = a.type, case .dimension(let db)? = b.type {
                    let d = op == .multiply ? da + db : op == .divide ? da - db : da
                    if d >= -1 && d <= 1 { type = .dimension(d) }
                } else if op == .add, let ta = a.type, ta == b.type, ta == .string || ta == .list {
                    type = ta
                }
                return Typed(node: binaryNode(op, a, b, span: e.span), type: type)
            }
        case .range(let lo, let hi, let closed):
            return Typed(node: RangeNode(compileExpr(lo).node, compileExpr(hi).node, closed: closed, span: e.span), type: .range)
        case .call(let calleeExpr, let args):
            let callee = compileExpr(calleeExpr)
            let argNodes = args.map { compileExpr($0.value).node }
            if case .identifier(let name) = calleeExpr.kind, case .builtin(let b)? = resolve(name) {
                if let d = b.arityError(args.count, at: e.span) { error(d.message, at: e.span, label: d.label) }
                var seen: Set<String> = []
                for a in args {
                    if let label = a.label, !b.labels.contains(label) {
                        error("'\(name)' has no argument named '\(label)'", at: a.labelSpan ?? e.span, label: "unknown argument name")
                    } else if let label = a.label, !seen.insert(label).inserted {
                        error(Builtin.repeatedArgument(label, at: a.labelSpan ?? e.span))
                    }
                }
            } else if let t = callee.type, t != .function {
                error("cannot call a \(t.sample(literal: nil).typeName)", at: calleeExpr.span, label: "not a function")
            }
            let node = CallNode(callee: callee.node, args: argNodes, labels: args.map(\.label), labelSpans: args.map(\.labelSpan), span: e.span)
            return Typed(node: node, type: nil)
        case .index(let t, let i):
            return Typed(node: IndexNode(compileExpr(t).node, compileExpr(i).node, span: e.span), type: nil)
        case .member(let t, let name, let nameSpan):
            return Typed(node: MemberNode(compileExpr(t).node, name: name, nameSpan: nameSpan, span: e.span), type: nil)
        case .function(let decl):
            return Typed(node: compileFunction(decl), type: .function)
        case .if(let node):
            let cond = compileCondition(node.condition)
            let savedLoops = ctx.loopDepth
            ctx.loopDepth = 0
            ctx.valueIfDepth += 1
            defer {
                ctx.loopDepth = savedLoops
                ctx.valueIfDepth -= 1
            }
            let (thenStatements, thenValue) = compileValueBlock(node.then)
            let (elseStatements, elseValue) = compileValueBlock(node.otherwise)
            return Typed(node: IfExprNode(condition: cond, then: thenStatements, thenValue: thenValue,
                                          otherwise: elseStatements, otherwiseValue: elseValue, span: e.span), type: nil)
        case .optimize, .pareto:
            return Typed(node: compileOptimize(e) ?? ConstantNode(.nil, span: e.span), type: e.kind.isPareto ? .list : .record)
        }
    }

    func binaryNode(_ op: BinaryOp, _ a: Typed, _ b: Typed, span: Span) -> Node {
        let generic = BinaryNode(op, a.node, b.node, span: span)
        if let local = a.node as? LocalGetNode, let c = b.node as? ConstantNode, case .number(let y) = c.value {
            return LocalConstantBinaryNode(op, slot: local.slot, constant: y, generic: generic)
        }
        return generic
    }

    func compileName(_ name: String, span: Span) -> Typed {
        switch resolve(name) {
        case .local(let v)?:
            return Typed(node: LocalGetNode(slot: v.slot, span: span), type: v.mutable ? nil : v.staticType)
        case .upvalue(let i, let v)?:
            return Typed(node: UpvalueGetNode(index: i, span: span), type: v.mutable ? nil : v.staticType)
        case .global(let cell)?:
            if ctx.isMain && !declared.contains(name) {
                error("'\(name)' is used before its declaration", at: span, label: "declared further down",
                      help: "move the declaration of '\(name)' above this line")
            }
            return Typed(node: GlobalGetNode(cell: cell, span: span), type: cell.mutable ? nil : globalTypes[name])
        case .builtin(let b)?:
            if b.builtinName == "simulate" { simulates = true }
            return Typed(node: ConstantNode(.function(b), span: span), type: .function)
        case .model(let kind)?:
            if let element = ElementKind(rawValue: kind) {
                return Typed(node: ElementNode(ElementRef(name: name, kind: element), span: span), type: nil)
            }
            if kind == "reward" {
                if inReward { return Typed(node: RewardReadNode(name, span: span), type: nil) }
                error("'\(name)' is a reward, computed for each replication", at: span, label: "not a value here",
                      help: "read its estimate from results, simulate().\(name), or use it in another reward")
                return Typed(node: ConstantNode(.nil, span: span), type: nil)
            }
            if kind == "scenario" {
                error("'\(name)' is a scenario", at: span, label: "not a value", help: "compare it: compare baseline, \(name)")
                return Typed(node: ConstantNode(.nil, span: span), type: nil)
            }
            notAvailable("\(kind)s", at: span)
        case nil:
            if ReplicationRead.plantResults.contains(name) {
                if inReward { return Typed(node: PlantResultNode(name, span: span), type: nil) }
                error("'\(name)' is a plant result, which a reward reads", at: span, label: "not a name here",
                      help: "read it from results, simulate().\(name), or declare 'reward NAME = ... \(name) ...'")
            } else {
                unknownName(name, at: span)
            }
        }
        return Typed(node: ConstantNode(.nil, span: span), type: nil)
    }
}
