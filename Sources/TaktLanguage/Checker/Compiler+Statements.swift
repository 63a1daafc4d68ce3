import TaktCore

/// Statements: declarations, control flow, what-ifs and scenarios, and the function bodies
/// they hold, compiled to executable nodes.
extension Compiler {
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
        case .agent(let name, let nameSpan, let properties):
            return compileAgent(name: name, nameSpan: nameSpan, properties: properties, span: s.span)
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
            paramOrder.removeAll { $0 == name }
            paramOrder.append(name)
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
                    let scenarios = modelNames.filter { $0.value == "scenario" }.map(\.key).sorted()
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
        }
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
            let (root, fields) = memberPath(target)
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

    /// `press.wear.up` as its root expression and the names after it, in order.
    func memberPath(_ e: Expr) -> (root: Expr, fields: [(String, Span)]) {
        var fields: [(String, Span)] = []
        var root = e
        while case .member(let inner, let key, let keySpan) = root.kind {
            fields.insert((key, keySpan), at: 0)
            root = inner
        }
        return (root, fields)
    }

    /// `src.when_full = lose`, `m.discipline = spt`: the bare words a property takes, as in
    /// its declaration.
    func symbolValue(_ fields: [(String, Span)], _ e: Expr) -> Node? {
        guard fields.count == 1, case .identifier(let word) = e.kind,
              Compiler.symbols[fields[0].0]?.contains(word) == true else { return nil }
        return ConstantNode(.string(word), span: e.span)
    }

    /// The properties that take bare words, and their words.
    static let symbols: [String: [String]] = [
        "when_full": ["lose", "wait"],
        "discipline": Discipline.allCases.map(\.name),
    ]

    /// Checks the property path of an assignment to an element — `m2.servers`, or a failure's
    /// `press.wear.up` — and makes the change it describes.
    func modelChange(_ name: String, _ element: ElementKind, _ fields: [(String, Span)], _ value: Node, at span: Span) -> ModelChange? {
        let kind = element.rawValue
        let allowed = ElementProperties.allowed(element)
        if fields.count == 2 && element == .station, let stops = staticModel?.element(name)?.maintenanceNames, stops.contains(fields[0].0) {
            let (key, keySpan) = fields[1]
            guard ElementProperties.maintenance.contains(key) else {
                error("a maintenance has no property '\(key)' to change", at: keySpan,
                      label: Suggest.closest(to: key, among: ElementProperties.maintenance).map { "did you mean '\($0)'?" } ?? "unknown property",
                      help: "a maintenance's every, duration and repair can be changed")
                return nil
            }
            return .property(element: name, failure: (fields[0].0, fields[0].1), key: key, value: value)
        }
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
}
