import TaktCore

/// Assignments: to variables, into lists and records, and to element properties and params.
extension Compiler {
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
                error("'\(name)' is \(kind == "agent" ? "an" : "a") \(kind), which cannot be assigned", at: root.span, label: "not a value",
                      help: kind == "agent" ? "its declaration sets what it observes and how it learns; declare it again to change that"
                          : "declare it again to change it")
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
}
