import TaktCore
import TaktOptimizer

/// Agents (docs/agents.md): their declarations, the plant state their `observe` and
/// `reward` read, the choices that name them, `train`, `decide`, `policy` and policy files.
extension Compiler {
    static let agentProperties = ["observe", "reward", "learn", "train"]
    static let learnMethods = ["qlearning"]
    static let qlearningSettings = ["explore", "rate", "replay", "trust"]
    static let stationState = ["count", "queue", "busy", "down"]

    // MARK: Declarations

    func compileAgent(name: String, nameSpan: Span, properties: [Property], span: Span) -> StmtNode? {
        guard isDeclaration(name, nameSpan), let index = agentIndex[name] else { return nil }
        var seen: [String: Span] = [:]
        var observe: [StateExpression] = [], labels: [String] = []
        var reward: StateExpression?
        var settings: [(name: String, node: Node, span: Span)] = []
        var train: (episodes: Node, length: Node, span: Span)?
        var ok = true
        for p in properties {
            guard Compiler.agentProperties.contains(p.key) else {
                let suggestion = Suggest.closest(to: p.key, among: Compiler.agentProperties)
                error("an agent has no property '\(p.key)'", at: p.keySpan, label: suggestion.map { "did you mean '\($0)'?" } ?? "unknown property",
                      help: "its properties are observe, reward, learn and train")
                ok = false
                continue
            }
            if let first = seen[p.key] {
                error("'\(p.key)' is set twice", at: p.keySpan, notes: ["first set at \(location(first))"])
                ok = false
                continue
            }
            seen[p.key] = p.keySpan
            switch (p.key, p.value) {
            case ("train", .episodes(let n, let d)):
                train = (compileExpr(n).node, compileExpr(d).node, p.span)
            case ("train", _):
                error("an agent's train is 'N episodes of D'", at: p.span, label: "such as 'train: 200 episodes of 2000min'")
                ok = false
            case (_, .expr(let x)):
                switch p.key {
                case "observe":
                    guard case .list(let items) = x.kind, !items.isEmpty else {
                        error("an observation is a list of numbers", at: x.span, label: "not a list",
                              help: "for example: observe: [fast.count, slow.count]")
                        ok = false
                        continue
                    }
                    for item in items {
                        guard let s = compileState(item) else { ok = false; continue }
                        observe.append(s)
                        labels.append(sourceText(item.span))
                    }
                case "reward":
                    if case .list = x.kind {
                        error("a reward is a number", at: x.span, label: "a list", help: "for example: reward: -wip")
                        ok = false
                    } else if let s = compileState(x, what: "a reward") {
                        if let d = stateDimension(x), d != 0 && d != -1 {
                            error("a reward is a number or a rate", at: x.span, label: d == 1 ? "a duration" : "not a number",
                                  help: "the reward is a rate, integrated over time between decisions: for example -wip")
                            ok = false
                        }
                        reward = s
                    } else {
                        ok = false
                    }
                default: // learn
                    guard let s = compileLearn(x) else { ok = false; continue }
                    settings = s
                }
            case (_, _):
                error("'\(p.key)' takes an expression", at: p.span)
                ok = false
            }
        }
        if seen["observe"] == nil {
            error("the agent '\(name)' has no observe", at: nameSpan, label: "what does it see?",
                  help: "add one, such as 'observe: [fast.count, slow.count]'")
            ok = false
        }
        if seen["reward"] == nil {
            error("the agent '\(name)' has no reward", at: nameSpan, label: "what does it pursue?", help: "add one, such as 'reward: -wip'")
            ok = false
        }
        guard ok, let r = reward else { return nil }
        return AgentDeclNode(AgentDeclNode.Template(name: name, index: index, observe: observe, labels: labels, reward: r,
                                                    settings: settings, train: train, span: span), span: span)
    }

    /// `qlearning` or `qlearning(explore: 0.1, rate: 0.05)`: the settings' value nodes.
    func compileLearn(_ x: Expr) -> [(name: String, node: Node, span: Span)]? {
        var method: NameRef
        var arguments: [CallArgument] = []
        switch x.kind {
        case .identifier(let m): method = NameRef(name: m, span: x.span)
        case .call(let callee, let args):
            guard case .identifier(let m) = callee.kind else { fallthrough }
            method = NameRef(name: m, span: callee.span)
            arguments = args
        default:
            error("learn names a method, such as qlearning or qlearning(explore: 0.1)", at: x.span)
            return nil
        }
        guard Compiler.learnMethods.contains(method.name) else {
            let suggestion = Suggest.closest(to: method.name, among: Compiler.learnMethods)
            error("unknown learning method '\(method.name)'", at: method.span, label: suggestion.map { "did you mean '\($0)'?" } ?? "unknown method",
                  help: "the methods are \(Compiler.learnMethods.joined(separator: ", "))")
            return nil
        }
        var out: [(name: String, node: Node, span: Span)] = []
        for a in arguments {
            guard let label = a.label, let labelSpan = a.labelSpan else {
                error("a learning setting is named, such as explore: 0.1", at: a.value.span, label: "no name")
                return nil
            }
            guard Compiler.qlearningSettings.contains(label) else {
                let suggestion = Suggest.closest(to: label, among: Compiler.qlearningSettings)
                error("qlearning has no setting '\(label)'", at: labelSpan, label: suggestion.map { "did you mean '\($0)'?" } ?? "unknown setting",
                      help: "its settings are \(Compiler.qlearningSettings.joined(separator: ", "))")
                return nil
            }
            if out.contains(where: { $0.name == label }) {
                error("'\(label)' is set twice", at: labelSpan)
                return nil
            }
            out.append((label, compileExpr(a.value).node, a.value.span))
        }
        return out
    }

    /// `part` in an agent's expression: the part being routed, unless a name `part` is declared.
    func isRoutedPart(_ e: Expr) -> Bool {
        guard case .identifier("part") = e.kind else { return false }
        return resolve("part") == nil
    }

    func isPartType(_ e: Expr) -> Bool {
        if case .member(let t, "type", _) = e.kind { return isRoutedPart(t) }
        return false
    }

    /// An expression over the plant's state now, or nil after reporting why it is not one.
    func compileState(_ e: Expr, what: String = "an observation") -> StateExpression? {
        func fail(_ label: String) -> StateExpression? {
            error("\(what) reads the plant's state, numbers, params and lets", at: e.span, label: label,
                  help: "for example: station.count, station.queue, station.busy, station.down, buffer.level, wip, now")
            return nil
        }
        switch e.kind {
        case .number(let x): return .constant(x)
        case .bool(let b): return .constant(b ? 1 : 0)
        case .duration(let s): return .seconds(s)
        case .identifier(let name):
            if name == "wip" { return .wip }
            if name == "now" { return .now }
            switch resolve(name) {
            case .global(let cell)?:
                if !declared.contains(name) {
                    error("'\(name)' is used before its declaration", at: e.span, label: "declared further down",
                          help: "move the declaration of '\(name)' above the agent")
                    return nil
                }
                return .global(.init(cell: cell, span: e.span))
            case .model(let kind)?:
                return fail("'\(name)' is a \(kind); read one of its properties, such as \(name).count")
            case nil:
                unknownName(name, at: e.span)
                return nil
            default:
                return fail("not a param, let or plant state")
            }
        case .member(let target, let property, _) where isRoutedPart(target):
            guard property != "type" else {
                return fail("part.type is a name: compare it, such as part.type == \"a\"")
            }
            return .partAttribute(.init(name: property, span: e.span))
        case .binary(let op, let a, let b) where (op == .equal || op == .notEqual) && (isPartType(a) || isPartType(b)):
            let other = isPartType(a) ? b : a
            let parts = staticModel?.elements.filter { $0.kind == .part }.map(\.name) ?? []
            let type: Int?
            switch other.kind {
            case .nil: type = nil
            case .string(let pieces) where pieces.count <= 1:
                var text = ""
                if case .text(let t)? = pieces.first { text = t }
                guard let k = parts.firstIndex(of: text) else { return fail("'\(text)' is not a part type") }
                type = k
            case .identifier(let name) where parts.contains(name):
                type = parts.firstIndex(of: name)
            default:
                return fail("part.type is compared with a part's name, or nil for untyped parts")
            }
            let test = StateExpression.partTypeIs(type)
            return op == .equal ? test : .not(test)
        case .member(let target, let property, let propertySpan):
            guard case .identifier(let name) = target.kind, let element = staticModel?.element(name) else {
                return fail("not an element's state")
            }
            switch element.kind {
            case .station:
                switch property {
                case "count": return .count(station: element.index)
                case "queue": return .queue(station: element.index)
                case "busy": return .busy(station: element.index)
                case "down": return .down(station: element.index)
                default:
                    let suggestion = Suggest.closest(to: property, among: Compiler.stationState)
                    error("an agent reads a station's count, queue, busy or down", at: propertySpan,
                          label: suggestion.map { "did you mean '\($0)'?" } ?? "not a station's state")
                    return nil
                }
            case .buffer:
                guard property == "level" else {
                    error("an agent reads a buffer's level", at: propertySpan, label: "did you mean 'level'?")
                    return nil
                }
                return .level(buffer: element.index)
            case .source, .sink, .crew, .part:
                return fail("a \(element.kind.rawValue) has no state an agent reads")
            }
        case .unary(let op, let x):
            guard let inner = compileState(x, what: what) else { return nil }
            return op == .negate ? .negate(inner) : .not(inner)
        case .binary(let op, let a, let b):
            guard let x = compileState(a, what: what), let y = compileState(b, what: what) else { return nil }
            return .binary(op, x, y)
        case .call(let callee, let args):
            guard case .identifier(let f) = callee.kind, ["min", "max", "abs"].contains(f), resolve(f).map({
                if case .builtin = $0 { return true } else { return false }
            }) ?? false, args.allSatisfy({ $0.label == nil }) else {
                return fail("a call other than min, max or abs")
            }
            var xs: [StateExpression] = []
            for a in args {
                guard let x = compileState(a.value, what: what) else { return nil }
                xs.append(x)
            }
            switch f {
            case "abs":
                guard xs.count == 1 else { return fail("abs takes one argument") }
                return .absolute(xs[0])
            case "min": return xs.isEmpty ? fail("min of nothing") : .minimum(xs)
            default: return xs.isEmpty ? fail("max of nothing") : .maximum(xs)
            }
        case .list:
            return fail("a list inside \(what)")
        case .string:
            return fail("a string")
        default:
            return fail("not a number the plant's state gives")
        }
    }

    /// The time dimension of a state expression where the checker can tell it (1 a duration,
    /// -1 a rate, 0 a number), nil where it reads a param or let of unknown kind.
    func stateDimension(_ e: Expr) -> Int? {
        switch e.kind {
        case .number, .bool, .member: return 0
        case .duration: return 1
        case .identifier(let name):
            if name == "wip" || name == "now" { return name == "now" ? 1 : 0 }
            guard case .global(let cell)? = resolve(name), !cell.mutable || params[name] != nil else { return nil }
            switch globalTypes[name] ?? params[name]?.type {
            case .dimension(let d)?: return d
            case .bool?: return 0
            default: return nil
            }
        case .unary(let op, let x): return op == .not ? 0 : stateDimension(x)
        case .binary(let op, let a, let b):
            switch op {
            case .less, .lessEqual, .greater, .greaterEqual, .equal, .notEqual, .and, .or: return 0
            case .add, .subtract, .remainder:
                guard let x = stateDimension(a), let y = stateDimension(b) else { return nil }
                return x == y ? x : nil
            case .multiply:
                guard let x = stateDimension(a), let y = stateDimension(b) else { return nil }
                return x + y
            case .divide:
                guard let x = stateDimension(a), let y = stateDimension(b) else { return nil }
                return x - y
            }
        case .call(_, let args):
            return args.first.flatMap { stateDimension($0.value) }
        default: return nil
        }
    }

    // MARK: Choices

    /// The decider of `by agent NAME`, or nil after reporting why there is none.
    func agentRule(_ ref: NameRef?, model: StaticModel? = nil) -> RoutingRule? {
        guard let ref else { return nil }
        if modelNames[ref.name] == "agent", let k = agentIndex[ref.name] { return .decider(k) }
        if defersModelChecks, let model, resolve(ref.name) == nil {
            // The REPL takes a model piece by piece: the agent may be declared by a later input.
            if agentIndex[ref.name] == nil { agentIndex[ref.name] = agentIndex.count }
            model.deferredErrors.append(Diagnostic("unknown agent '\(ref.name)'", at: ref.span, label: "not declared",
                                                   help: "declare it with 'agent \(ref.name) { observe: [...]; reward: ... }'"))
            if model.agentNames.count <= agentIndex[ref.name]! { model.agentNames.append(ref.name) }
            return .decider(agentIndex[ref.name]!)
        }
        let agents = modelNames.filter { $0.value == "agent" }.map(\.key).sorted()
        if resolve(ref.name) != nil {
            error("'\(ref.name)' is not an agent", at: ref.span, label: "declare it with 'agent \(ref.name) { ... }'")
        } else {
            let suggestion = Suggest.closest(to: ref.name, among: agents)
            error("unknown agent '\(ref.name)'", at: ref.span, label: suggestion.map { "did you mean '\($0)'?" } ?? "not declared",
                  help: "declare it with 'agent \(ref.name) { observe: [...]; reward: ... }'")
        }
        return nil
    }

    /// An agent serves several choices only when they list as many destinations.
    func noteAgentChoice(_ agent: String, targets: [String], span: Span, in model: StaticModel) {
        if let first = model.agentChoices[agent]?.first, first.targets.count != targets.count {
            error("the agent '\(agent)' decides among \(first.targets.count) destinations elsewhere, and \(targets.count) here",
                  at: span, label: "another number of destinations",
                  help: "an agent serves several choices only if they list the same number of destinations",
                  notes: ["its first choice is at \(location(first.span))"])
            return
        }
        model.agentChoices[agent, default: []].append((targets, span))
    }

    // MARK: Expressions

    /// `train`, `A.policy`, `A.decide(...)`, `save_policy(A, path)` and `load_policy(A, path)`;
    /// nil for any other expression.
    func compileAgentExpression(_ e: Expr) -> Typed? {
        switch e.kind {
        case .train(let names):
            simulates = true
            var agents: [String] = []
            for n in names {
                guard modelNames[n.name] == "agent" else {
                    if resolve(n.name) != nil {
                        error("'\(n.name)' is not an agent", at: n.span, label: "train takes agents")
                    } else {
                        let suggestion = Suggest.closest(to: n.name, among: modelNames.filter { $0.value == "agent" }.map(\.key).sorted())
                        error("unknown agent '\(n.name)'", at: n.span, label: suggestion.map { "did you mean '\($0)'?" } ?? "not declared")
                    }
                    return Typed(node: ConstantNode(.nil, span: e.span), type: nil)
                }
                guard staticModel?.agentChoices[n.name] != nil || defersModelChecks else {
                    error("no choice names the agent '\(n.name)'", at: n.span, label: "it would decide nothing",
                          help: "name it at a choice: flow src -> [a, b] by agent \(n.name)")
                    return Typed(node: ConstantNode(.nil, span: e.span), type: nil)
                }
                if agents.contains(n.name) {
                    error("'\(n.name)' is named twice", at: n.span)
                    return Typed(node: ConstantNode(.nil, span: e.span), type: nil)
                }
                agents.append(n.name)
            }
            return Typed(node: TrainNode(agents: agents, span: e.span), type: .record)
        case .member(let target, "policy", _):
            guard let agent = agentName(target) else { return nil }
            return Typed(node: AgentPolicyNode(agent: agent, span: e.span), type: .string)
        case .call(let callee, let args):
            if case .member(let target, "decide", _) = callee.kind, let agent = agentName(target) {
                guard args.count == 1, args[0].label == nil else {
                    error("decide takes one observation, a list of numbers", at: e.span, help: "for example: \(agent).decide([2, 0])")
                    return Typed(node: ConstantNode(.nil, span: e.span), type: nil)
                }
                return Typed(node: AgentDecideNode(agent: agent, observation: compileExpr(args[0].value).node, span: e.span), type: .string)
            }
            guard case .identifier(let f) = callee.kind, f == "save_policy" || f == "load_policy", resolve(f) == nil else { return nil }
            guard args.count == 2, args.allSatisfy({ $0.label == nil }) else {
                error("\(f) takes an agent and a file name", at: e.span, help: "for example: \(f)(dispatcher, \"policy.json\")")
                return Typed(node: ConstantNode(.nil, span: e.span), type: nil)
            }
            guard let agent = agentName(args[0].value) else {
                error("\(f) takes an agent first", at: args[0].value.span, label: "not an agent")
                return Typed(node: ConstantNode(.nil, span: e.span), type: nil)
            }
            return Typed(node: PolicyFileNode(agent: agent, saves: f == "save_policy", path: compileExpr(args[1].value).node, span: e.span),
                         type: f == "save_policy" ? nil : nil)
        default:
            return nil
        }
    }

    private func agentName(_ e: Expr) -> String? {
        guard case .identifier(let name) = e.kind, modelNames[name] == "agent", case .model? = resolve(name) else { return nil }
        return name
    }
}
