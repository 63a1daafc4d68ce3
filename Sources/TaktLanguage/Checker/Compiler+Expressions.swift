import TaktCore

/// Expressions: static types for early dimension errors, names, calls and literals.
extension Compiler {
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
        if let agentExpression = compileAgentExpression(e) { return agentExpression }
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
        case .train:
            return Typed(node: ConstantNode(.nil, span: e.span), type: nil)
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
            // A part's name is its name string, so that `part.type == a` and `== "a"` agree.
            if kind == ElementKind.part.rawValue { return Typed(node: ConstantNode(.string(name), span: span), type: nil) }
            if let element = ElementKind(rawValue: kind) {
                return Typed(node: ElementNode(ElementRef(name: name, kind: element), span: span), type: nil)
            }
            if kind == "reward" {
                if inReward { return Typed(node: RewardReadNode(name, span: span), type: nil) }
                error("'\(name)' is a reward, computed for each replication", at: span, label: "not a value here",
                      help: "read its estimate from results, simulate().\(name), or use it in another reward")
                return Typed(node: ConstantNode(.nil, span: span), type: nil)
            }
            if kind == "agent" {
                error("'\(name)' is an agent", at: span, label: "not a value",
                      help: "read \(name).policy, or ask \(name).decide([...])")
                return Typed(node: ConstantNode(.nil, span: span), type: nil)
            }
            if kind == "scenario" {
                error("'\(name)' is a scenario", at: span, label: "not a value", help: "compare it: compare baseline, \(name)")
                return Typed(node: ConstantNode(.nil, span: span), type: nil)
            }
            error("'\(name)' is \(kind == "agent" ? "an" : "a") \(kind)", at: span, label: "not a value")
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
