/// `maximize`, `minimize` and `pareto` blocks: what the checker can tell before anything runs
/// (docs/optimization.md). Values (ranges, budgets) are checked when the block runs, still
/// before any simulation.
extension Compiler {
    static let optimizeSettings = ["budget", "replications"]

    /// An optimization standing as a statement prints its summary.
    func compileOptimizeStatement(_ e: Expr) -> StmtNode? {
        switch e.kind {
        case .optimize, .pareto:
            guard let node = compileOptimize(e) else { return nil }
            return OptimizeStatementNode(node)
        case .train:
            guard let node = compileAgentExpression(e)?.node as? TrainNode else { return nil }
            return TrainStatementNode(node)
        default:
            return nil
        }
    }

    func compileOptimize(_ e: Expr) -> OptimizeNode? {
        simulates = true
        var objectives: [OptimizeNode.Objective] = []
        let body: OptimizeBody
        let pareto: Bool
        switch e.kind {
        case .optimize(let direction, let reward, let rewardSpan, let b):
            objectives = [.init(direction: direction, name: reward, span: rewardSpan)]
            body = b
            pareto = false
        case .pareto(let list, let b):
            objectives = list.map { .init(direction: $0.0, name: $0.1.name, span: $0.1.span) }
            body = b
            pareto = true
            if list.count < 2 {
                error("a pareto search needs at least two objectives", at: e.span,
                      help: "for example: pareto { maximize parts; minimize cost; vary m2.servers in 1...3 }")
                return nil
            }
        default:
            return nil
        }
        var ok = true
        let rewardNames = modelNames.filter { $0.value == "reward" }.map(\.key).sorted()
        var seenObjectives = Set<String>()
        for o in objectives {
            guard modelNames[o.name] == "reward" else {
                let suggestion = Suggest.closest(to: o.name, among: rewardNames)
                error("'\(o.name)' is not a reward", at: o.span, label: suggestion.map { "did you mean '\($0)'?" } ?? "not a reward",
                      help: "declare it with 'reward \(o.name) = ...'")
                ok = false
                continue
            }
            if !seenObjectives.insert(o.name).inserted {
                error("'\(o.name)' is an objective twice", at: o.span)
                ok = false
            }
        }
        if body.vary.isEmpty {
            error("nothing is varied", at: e.span, label: "no 'vary' line", help: "add one, such as 'vary m2.servers in 1...3'")
            ok = false
        }
        var vary: [OptimizeNode.Vary] = []
        var seen: [String: Span] = [:]
        for clause in body.vary {
            guard let target = varyTarget(clause.target) else { ok = false; continue }
            let name = sourceText(clause.target.span).filter { !$0.isWhitespace }
            if let first = seen[name] {
                error("'\(name)' is varied twice", at: clause.target.span, notes: ["first varied at \(location(first))"])
                ok = false
                continue
            }
            seen[name] = clause.target.span
            if clause.step != nil, case .list = clause.domain.kind {
                error("'step' applies to a range low...high, not to a list", at: clause.step!.span, label: "a step on a list")
                ok = false
                continue
            }
            if let step = clause.step, case .number(let k) = step.kind, k < 1 || k.rounded() != k {
                error("step must be a whole number >= 1", at: step.span, label: "this is \(ValueFormatter.number(k))")
                ok = false
                continue
            }
            vary.append(.init(name: name, target: target, domain: compileExpr(clause.domain).node,
                              step: clause.step.map { compileExpr($0).node }, span: clause.span))
        }
        var constraints: [Node] = []
        for c in body.constraints {
            let t = compileExpr(c)
            if let type = t.type, type != .bool {
                error("'subject to' needs a boolean condition", at: c.span, label: "not a boolean",
                      help: "compare, such as 'subject to b1.capacity + b2.capacity <= 16'")
                ok = false
            }
            constraints.append(t.node)
        }
        var settings: [String: (Node, Span)] = [:]
        for p in body.properties {
            guard Compiler.optimizeSettings.contains(p.key) else {
                let suggestion = Suggest.closest(to: p.key, among: Compiler.optimizeSettings)
                error("unknown setting '\(p.key)'", at: p.keySpan, label: suggestion.map { "did you mean '\($0)'?" } ?? "unknown",
                      help: "an optimization takes vary, subject to, budget and replications")
                ok = false
                continue
            }
            if let first = settings[p.key] {
                error("'\(p.key)' is set twice", at: p.keySpan, notes: ["first set at \(location(first.1))"])
                ok = false
                continue
            }
            guard case .expr(let x) = p.value else { continue }
            settings[p.key] = (compileExpr(x).node, x.span)
        }
        guard ok else { return nil }
        return OptimizeNode(objectives: objectives, pareto: pareto, vary: vary, constraints: constraints,
                            budget: settings["budget"], replications: settings["replications"], span: e.span)
    }

    /// A varied name: a param, or a declared element property (`b1.capacity`, `press.wear.up`).
    func varyTarget(_ target: Expr) -> OptimizeNode.Target? {
        let (root, fields) = memberPath(target)
        guard case .identifier(let name) = root.kind else {
            error("vary a param or an element property, such as 'vary m2.servers in 1...3'", at: target.span)
            return nil
        }
        switch resolve(name) {
        case .global(let cell)? where params[name] != nil && fields.isEmpty:
            return .param(cell)
        case .model(let kind)?:
            guard let element = ElementKind(rawValue: kind), !fields.isEmpty else { break }
            guard case .property(let e, let failure, let key, _)? = modelChange(name, element, fields, ConstantNode(.nil, span: target.span),
                                                                                 at: target.span) else { return nil }
            return .property(element: e, failure: failure, key: key)
        case nil:
            unknownName(name, at: root.span)
            return nil
        default:
            break
        }
        error("'\(sourceText(target.span))' is neither a param nor an element property", at: target.span, label: "cannot be varied",
              help: "vary a 'param', or a property such as 'm2.servers' or 'b1.capacity'")
        return nil
    }
}
