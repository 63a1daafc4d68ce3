import TaktCore

/// The structural model checks of docs/model.md, made before any statement runs.
extension Compiler {
    static let rules = ["random", "round_robin", "shortest_queue", "first_available"]

    /// Builds the flow graph from the declarations and `flow` lines and reports shape errors.
    func collectModel(_ statements: [Stmt]) -> StaticModel? {
        let model = StaticModel()
        model.agentNames = agentIndex.sorted { $0.value < $1.value }.map(\.key)
        var perKind: [ElementKind: Int] = [:]
        for s in statements {
            guard case .element(let e) = s.kind, isDeclaration(e.name, e.nameSpan) else { continue }
            let index = perKind[e.kind, default: 0]
            perKind[e.kind] = index + 1
            model.byName[e.name] = model.elements.count
            var element = StaticModel.Element(name: e.name, kind: e.kind, index: index, nameSpan: e.nameSpan, declSpan: s.span)
            element.failureNames = e.failures.filter { !$0.isMaintenance }.enumerated().map { k, f in f.name ?? "failure\(k + 1)" }
            element.maintenanceNames = e.failures.filter(\.isMaintenance).enumerated().map { k, f in f.name ?? "maintenance\(k + 1)" }
            model.elements.append(element)
        }
        var hasFlows = false
        for s in statements {
            guard case .flow(let flow) = s.kind else { continue }
            hasFlows = true
            if model.firstFlowSpan == nil { model.firstFlowSpan = s.span }
            addFlow(flow, statement: s, to: model)
        }
        if model.isEmpty {
            if hasFlows { return model }
            return nil
        }
        if defersModelChecks {
            let before = diagnostics
            diagnostics = []
            checkShape(model)
            model.deferredErrors = diagnostics
            diagnostics = before
        } else {
            checkShape(model)
        }
        return model
    }

    /// The element a flow names, with "did you mean" for a typo.
    func flowElement(_ ref: NameRef, in model: StaticModel) -> StaticModel.Element? {
        if let e = model.element(ref.name) {
            if e.kind == .crew {
                error("'\(ref.name)' is a crew, not a place parts go", at: ref.span,
                      label: "flows connect sources, stations, buffers and sinks", help: "a crew repairs: failure { ...; repair: \(ref.name) }")
                return nil
            }
            if e.kind == .part {
                error("'\(ref.name)' is a part type, not a place parts go", at: ref.span,
                      label: "flows connect sources, stations, buffers and sinks",
                      help: "a source makes parts of a type with 'part: \(ref.name)'; a split by type is '-> {\(ref.name): x, else: y}'")
                return nil
            }
            return e
        }
        if globals[ref.name] != nil || modelNames[ref.name] != nil {
            error("'\(ref.name)' is not an element", at: ref.span, label: "flows connect sources, stations, buffers and sinks")
            return nil
        }
        let suggestion = Suggest.closest(to: ref.name, among: model.elements.map(\.name))
        error("unknown element '\(ref.name)'", at: ref.span, label: suggestion.map { "did you mean '\($0)'?" } ?? "not declared")
        return nil
    }

    func addFlow(_ flow: FlowDecl, statement: Stmt, to model: StaticModel) {
        let span = statement.span
        var names: [NameRef] = flow.path
        switch flow.tail {
        case .none: break
        case .split(let branches): names += branches.map(\.target)
        case .choice(let targets, _, _): names += targets
        }
        var ok = true
        for n in names where flowElement(n, in: model) == nil { ok = false }
        guard ok else { return }
        func setRoute(_ from: NameRef, _ route: StaticModel.Route) {
            if let first = model.routeSpans[from.name] {
                error("'\(from.name)' already has a successor", at: from.span, label: "a second way out of '\(from.name)'",
                      help: "use a split '-> { 90%: a, 10%: b }' or a choice '-> [a, b] by rule' for several successors",
                      notes: ["its successor is set at \(location(first))"])
                return
            }
            let kind = model.element(from.name)!.kind
            if kind == .sink {
                error("the sink '\(from.name)' cannot have outgoing flows", at: from.span, label: "parts leave the model at a sink")
                return
            }
            model.routes[from.name] = route
            model.routeSpans[from.name] = span
        }
        func addEdge(_ from: NameRef, _ to: NameRef) {
            if model.element(to.name)!.kind == .source {
                error("the source '\(to.name)' cannot have incoming flows", at: to.span, label: "parts enter the model at a source")
                return
            }
            model.predecessors[to.name, default: []].append((from.name, span))
        }
        for i in 0..<(flow.path.count - 1) {
            setRoute(flow.path[i], .next(flow.path[i + 1].name))
            addEdge(flow.path[i], flow.path[i + 1])
        }
        guard let last = flow.path.last else { return }
        switch flow.tail {
        case .none:
            break
        case .split(let branches) where branches.contains(where: { isTypeKey($0.typeKey, model) }):
            guard let route = typeSplit(branches, model) else { return }
            setRoute(last, route)
            for b in branches { addEdge(last, b.target) }
        case .split(let branches):
            var seen = Set<String>()
            for b in branches where !seen.insert(b.target.name).inserted {
                error("'\(b.target.name)' appears twice in the split", at: b.target.span)
            }
            let slots = weightSlots[ObjectIdentifier(statement)] ?? branches.map { StaticModel.WeightSlot($0.weight) }
            weightSlots[ObjectIdentifier(statement)] = slots
            model.weightsByFlow[ObjectIdentifier(statement)] = slots
            setRoute(last, .split(zip(slots, branches).map { (weight: $0.0, target: $0.1.target.name) }))
            for b in branches { addEdge(last, b.target) }
        case .choice(let targets, let rule, let agent):
            guard let r = routingRule(rule, agent: agent, model: model) else { return }
            if let agent { noteAgentChoice(agent.name, targets: targets.map(\.name), span: span, in: model) }
            setRoute(last, .rule(r, targets.map(\.name)))
            for t in targets { addEdge(last, t) }
        }
    }

    /// Whether a split's key makes a type branch: `else`, or a part's name.
    func isTypeKey(_ key: NameRef?, _ model: StaticModel) -> Bool {
        guard let key else { return false }
        return key.name == "else" || model.element(key.name)?.kind == .part
    }

    /// `-> {a: x, b: y, else: z}`: every key a part or `else`, each once.
    func typeSplit(_ branches: [SplitBranch], _ model: StaticModel) -> StaticModel.Route? {
        var seen = Set<String>()
        var out: [(key: String, target: String)] = []
        var ok = true
        for b in branches {
            guard let key = b.typeKey, isTypeKey(key, model) else {
                let parts = model.elements.filter { $0.kind == .part }.map(\.name)
                if let key = b.typeKey, let guess = Suggest.closest(to: key.name, among: parts) {
                    error("'\(key.name)' is not a part type", at: key.span, label: "did you mean '\(guess)'?")
                } else {
                    error("a split has weights or part types, not both", at: b.weight.span, label: "a weight in a split by type",
                          help: "split by type with part names and 'else' as keys, such as '-> {a: x, else: y}'")
                }
                // The route still stands, so that the graph's other checks do not follow
                // from this one.
                ok = false
                out.append(("", b.target.name))
                continue
            }
            if !seen.insert(key.name).inserted {
                error("'\(key.name)' appears twice in the split", at: key.span)
                ok = false
            }
            out.append((key.name, b.target.name))
        }
        return ok || !defersModelChecks ? .byType(out) : nil
    }

    /// The rule a choice names, or nil after reporting why there is none.
    func routingRule(_ rule: NameRef, agent: NameRef?, model: StaticModel? = nil) -> RoutingRule? {
        switch rule.name {
        case "random": return .random
        case "round_robin": return .roundRobin
        case "shortest_queue": return .shortestQueue
        case "first_available": return .firstAvailable
        case "agent":
            return agentRule(agent, model: model)
        default:
            let suggestion = Suggest.closest(to: rule.name, among: Compiler.rules)
            error("unknown routing rule '\(rule.name)'", at: rule.span, label: suggestion.map { "did you mean '\($0)'?" } ?? "unknown rule",
                  help: "rules are random, round_robin, shortest_queue, first_available and agent NAME")
            return nil
        }
    }

    /// A `flow` line in a what-if or scenario: new split weights or a new rule for the way out
    /// of one node, over the destinations it already has, so the plant keeps its shape.
    func routingChange(_ flow: FlowDecl, span: Span) -> ModelChange? {
        guard let model = staticModel, flow.path.count == 1, let from = flow.path.first else {
            error("a what-if's flow gives one node a new split or choice, such as 'flow m1 -> { 80%: a, 20%: b }'", at: span)
            return nil
        }
        guard flowElement(from, in: model) != nil else { return nil }
        guard let old = model.routes[from.name] else {
            error("'\(from.name)' has no flow out of it to change", at: from.span)
            return nil
        }
        let oldTargets = old.targets
        let route: StaticModel.Route
        let newTargets: [NameRef]
        switch flow.tail {
        case .none:
            error("a what-if's flow gives one node a new split or choice, such as 'flow m1 -> { 80%: a, 20%: b }'", at: span)
            return nil
        case .split(let branches) where branches.contains(where: { isTypeKey($0.typeKey, model) }):
            guard let r = typeSplit(branches, model) else { return nil }
            route = r
            newTargets = branches.map(\.target)
        case .split(let branches):
            let slots = branches.map { b -> StaticModel.WeightSlot in
                let slot = StaticModel.WeightSlot(b.weight)
                slot.node = compileExpr(b.weight).node
                return slot
            }
            route = .split(zip(slots, branches).map { (weight: $0.0, target: $0.1.target.name) })
            newTargets = branches.map(\.target)
        case .choice(let targets, let rule, let agent):
            guard let r = routingRule(rule, agent: agent) else { return nil }
            if let agent, let first = model.agentChoices[agent.name]?.first, first.targets.count != targets.count {
                error("the agent '\(agent.name)' decides among \(first.targets.count) destinations elsewhere, and \(targets.count) here",
                      at: span, label: "another number of destinations", notes: ["its first choice is at \(location(first.span))"])
                return nil
            }
            route = .rule(r, targets.map(\.name))
            newTargets = targets
        }
        for t in newTargets where flowElement(t, in: model) == nil { return nil }
        guard newTargets.count == oldTargets.count, Set(newTargets.map(\.name)) == Set(oldTargets) else {
            error("a what-if keeps the destinations of '\(from.name)': \(oldTargets.joined(separator: ", "))", at: span,
                  label: "other destinations", help: "change the split weights or the rule; the plant keeps the shape it is declared with")
            return nil
        }
        return .routing(element: from.name, route: route, span: span)
    }

    func checkShape(_ model: StaticModel) {
        guard let first = model.elements.first else { return }
        if !model.elements.contains(where: { $0.kind == .sink }) {
            error("the model has no sink", at: first.declSpan, label: "parts need a sink to leave by",
                  help: "declare one: 'sink done', and flow into it")
        }
        if !model.elements.contains(where: { $0.kind == .source }) {
            error("the model has no source", at: first.declSpan, label: "parts need a source to enter by")
        }
        for e in model.elements where e.kind != .sink && e.kind != .crew && e.kind != .part && model.routes[e.name] == nil {
            error("'\(e.name)' has no outgoing flow", at: e.nameSpan, label: "parts that reach it cannot leave",
                  help: "add a flow such as 'flow \(e.name) -> ...'")
        }
        // Reachability from the sources.
        var reached = Set<String>()
        var stack = model.elements.filter { $0.kind == .source }.map(\.name)
        while let n = stack.popLast() {
            guard reached.insert(n).inserted else { continue }
            stack += model.routes[n]?.targets ?? []
        }
        for e in model.elements where !reached.contains(e.name) && e.kind != .source && e.kind != .crew && e.kind != .part {
            error("no source reaches '\(e.name)'", at: e.nameSpan, label: "unreachable", help: "add a flow into it, or remove it")
        }
        // A station fed by a buffer takes all its input through buffers.
        for e in model.elements where e.kind == .station {
            let preds = model.predecessors[e.name] ?? []
            let fromBuffer = preds.contains { model.element($0.from)?.kind == .buffer }
            if fromBuffer {
                for p in preds where model.element(p.from)?.kind != .buffer {
                    error("'\(e.name)' is fed by a buffer, so '\(p.from)' must send its parts into that buffer", at: p.span,
                          label: "a direct flow into a buffer-fed station", help: "send this flow into the buffer before '\(e.name)'")
                }
            }
        }
    }
}

extension Compiler {
    /// A `source`/`station`/`buffer`/`sink` declaration: property names are checked here,
    /// values when it runs.
    func compileElement(_ e: ElementDecl, span: Span) -> StmtNode? {
        guard isDeclaration(e.name, e.nameSpan) else { return nil }
        let allowed = ElementProperties.allowed(e.kind)
        func properties(_ props: [Property], allowed: [String], context: String, failure: Bool, stop: Bool = false) -> [ElementDeclNode.PropertyNode] {
            var seen: [String: Span] = [:]
            var out: [ElementDeclNode.PropertyNode] = []
            for p in props {
                if e.kind == .part && !failure {
                    // A part's properties are its attributes: any name but `type`.
                    if p.key == "type" {
                        error("a part attribute cannot be named 'type'", at: p.keySpan, label: "the part's type is its name",
                              help: "an agent reads it as part.type")
                        continue
                    }
                } else if !allowed.contains(p.key) {
                    let suggestion = Suggest.closest(to: p.key, among: allowed)
                    error("\(context) has no property '\(p.key)'", at: p.keySpan, label: suggestion.map { "did you mean '\($0)'?" } ?? "unknown property",
                          help: allowed.isEmpty ? "a sink takes no properties" : "its properties are \(allowed.joined(separator: ", "))")
                    continue
                }
                if let first = seen[p.key] {
                    error("'\(p.key)' is set twice", at: p.keySpan, notes: ["first set at \(location(first))"])
                    continue
                }
                seen[p.key] = p.keySpan
                switch p.value {
                case .expr(let x):
                    if failure && p.key == "counts" {
                        guard case .identifier(let sym) = x.kind, sym == "busy" || sym == "clock" else {
                            error("counts must be busy or clock", at: x.span, label: "not busy or clock")
                            continue
                        }
                        out.append(.init(key: p.key, value: .symbol(sym), span: p.span, valueSpan: x.span))
                    } else if !failure && p.key == "discipline", case .identifier(let sym) = x.kind, resolve(sym) == nil {
                        let words = Compiler.symbols["discipline"] ?? []
                        guard words.contains(sym) else {
                            error("unknown discipline '\(sym)'", at: x.span,
                                  label: Suggest.closest(to: sym, among: words).map { "did you mean '\($0)'?" } ?? "not a discipline",
                                  help: "disciplines are \(words.joined(separator: ", "))")
                            continue
                        }
                        out.append(.init(key: p.key, value: .symbol(sym), span: p.span, valueSpan: x.span))
                    } else if !failure && p.key == "when_full" {
                        guard case .identifier(let sym) = x.kind, sym == "lose" || sym == "wait" else {
                            error("when_full must be lose or wait", at: x.span, label: "not lose or wait")
                            continue
                        }
                        out.append(.init(key: p.key, value: .symbol(sym), span: p.span, valueSpan: x.span))
                    } else if failure && !stop && p.key == "every" {
                        error("a failure's 'every' counts parts", at: x.span, label: "write 'every: 500 parts'",
                              help: "for a time between failures use 'up: exponential(100min)'")
                    } else {
                        warnAboutParamCopies(in: x)
                        out.append(.init(key: p.key, value: .value(compileExpr(x).node), span: p.span, valueSpan: x.span,
                                         params: paramsRead(in: x)))
                    }
                case .parts(let x):
                    guard failure && p.key == "every" else {
                        error("'parts' only counts parts in a failure's 'every'", at: p.span)
                        continue
                    }
                    out.append(.init(key: p.key, value: .parts(compileExpr(x).node), span: p.span, valueSpan: x.span,
                                     params: paramsRead(in: x)))
                case .episodes:
                    error("'episodes of' belongs to an agent's 'train'", at: p.span)
                }
            }
            return out
        }
        let props = properties(e.properties, allowed: allowed, context: "a \(e.kind.rawValue)", failure: false)
        var failures: [ElementDeclNode.FailureNode] = [], stops: [ElementDeclNode.FailureNode] = []
        for f in e.failures where !f.isMaintenance {
            failures.append(.init(name: f.name ?? "", properties: properties(f.properties, allowed: ElementProperties.failure,
                                                                             context: "a failure", failure: true), span: f.span))
        }
        for f in e.failures where f.isMaintenance {
            stops.append(.init(name: f.name ?? "", properties: properties(f.properties, allowed: ElementProperties.maintenance,
                                                                          context: "a maintenance", failure: true, stop: true), span: f.span))
        }
        return ElementDeclNode(name: e.name, kind: e.kind, properties: props, failures: failures, maintenance: stops, span: span)
    }
}
