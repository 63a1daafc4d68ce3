/// Params and the warning about `let`s computed from them (docs/optimization.md).
extension Compiler {
    /// Calls `visit` with every name an expression reads, outside the bodies of functions and
    /// branches (what it reads when evaluated as written).
    func names(in e: Expr, _ visit: (String, Span) -> Void) {
        switch e.kind {
        case .number, .duration, .bool, .nil, .function: return
        case .identifier(let n): visit(n, e.span)
        case .string(let parts):
            for case .expr(let x) in parts { names(in: x, visit) }
        case .list(let items): for x in items { names(in: x, visit) }
        case .record(let fields): for f in fields { names(in: f.value, visit) }
        case .unary(_, let x): names(in: x, visit)
        case .binary(_, let a, let b), .range(let a, let b, _), .index(let a, let b):
            names(in: a, visit); names(in: b, visit)
        case .call(let callee, let args):
            names(in: callee, visit)
            for a in args { names(in: a.value, visit) }
        case .member(let t, _, _): names(in: t, visit)
        case .if(let node): names(in: node.condition, visit)
        case .optimize, .pareto, .train: return
        }
    }

    /// The param an expression's value comes from, directly or through other such `let`s.
    func paramRead(in e: Expr) -> String? {
        var found: String? = nil
        names(in: e) { name, _ in
            guard found == nil, case .global? = resolve(name) else { return }
            if params[name] != nil { found = name } else if let p = paramDerived[name] { found = p }
        }
        return found
    }

    /// The params an expression reads directly, for errors that must say their values.
    func paramsRead(in e: Expr) -> [GlobalCell] {
        var cells: [GlobalCell] = []
        names(in: e) { name, _ in
            if case .global(let cell)? = resolve(name), params[name] != nil, !cells.contains(where: { $0 === cell }) { cells.append(cell) }
        }
        return cells
    }

    /// Warns where an element property reads a `let` computed from a param: the template is
    /// evaluated again for each model, but that `let` keeps the value it was given.
    func warnAboutParamCopies(in e: Expr) {
        names(in: e) { name, span in
            guard case .global? = resolve(name), let param = paramDerived[name] else { return }
            warning(Diagnostic("'\(name)' is computed from the param '\(param)' once, so this property does not follow later changes of '\(param)'",
                               at: span, label: "a copy of '\(param)' made when '\(name)' was declared",
                               help: "read '\(param)' in the property itself, or make '\(name)' a function: fn \(name)() { ... }"))
        }
    }

    /// At most 20, and one per message and place.
    func warning(_ d: Diagnostic) {
        var w = d
        w.severity = .warning
        if warnings.contains(where: { $0.message == w.message && $0.span?.start == w.span?.start }) { return }
        if warnings.count < 20 { warnings.append(w) }
    }
}

/// `param NAME = EXPR` running: its value, or the one `--set` gave for it.
final class DeclareParamNode: StmtNode {
    let cell: GlobalCell
    let value: Node
    init(_ cell: GlobalCell, _ value: Node, span: Span) {
        self.cell = cell
        self.value = value
        super.init(span: span)
    }
    override func exec(_ f: Frame) throws -> Completion {
        let declared = try value.eval(f)
        if let given = f.interp.paramSettings[cell.name] {
            // The checker compared kinds when it knew the declared one; here the value tells.
            guard ParamSetting.kind(of: given) == ParamSetting.kind(of: declared) else {
                throw UsageError("--set \(cell.name): the param '\(cell.name)' is a \(ParamSetting.kind(of: declared)), not a \(ParamSetting.kind(of: given))")
            }
            cell.value = given
        } else {
            cell.value = declared
        }
        return .normal
    }
}

/// A wrong use of the command line found while running (exit status 2).
public struct UsageError: Error {
    public let message: String
    public init(_ message: String) { self.message = message }
}

/// `--set NAME=VALUE`: the literal parsed, and checked against the script's params.
public enum ParamSetting {
    static func kind(of v: Value) -> String {
        switch v {
        case .number: return "number"
        case .duration: return "duration"
        case .rate: return "rate"
        case .string: return "string"
        case .bool: return "boolean"
        default: return v.typeName
        }
    }

    /// Parses `NAME=VALUE` items against the declared params; the message of a usage error otherwise.
    public static func parse(_ items: [String], params: [ParamInfo]) -> Result<[String: Value], UsageError> {
        var out: [String: Value] = [:]
        for item in items {
            guard let eq = item.firstIndex(of: "="), eq != item.startIndex else {
                return .failure(UsageError("--set takes NAME=VALUE, such as --set speed=1.2 (got '\(item)')"))
            }
            let name = String(item[..<eq]), text = String(item[item.index(after: eq)...])
            guard let param = params.first(where: { $0.name == name }) else {
                let suggestion = Suggest.closest(to: name, among: params.map(\.name))
                let known = params.isEmpty ? "the script declares no params" : "its params are " + params.map(\.name).joined(separator: ", ")
                return .failure(UsageError("--set \(name): the script has no param '\(name)'"
                                           + (suggestion.map { "; did you mean '\($0)'?" } ?? "") + " (\(known))"))
            }
            if out[name] != nil { return .failure(UsageError("--set \(name) is given twice")) }
            guard let v = literal(text, expecting: param.kind) else {
                return .failure(UsageError("--set \(name): '\(text)' is not a literal (a number, a duration such as 5min, a string or true/false)"))
            }
            if let k = param.kind, k != kind(of: v) {
                return .failure(UsageError("--set \(name): the param '\(name)' is a \(k), not a \(kind(of: v)) ('\(text)')"))
            }
            out[name] = v
        }
        return .success(out)
    }

    /// A number (maybe negative), a duration, `true`/`false`, a quoted string, or bare text
    /// when the param is a string.
    static func literal(_ text: String, expecting kind: String?) -> Value? {
        var lexer = Lexer(file: SourceFile(name: "<--set>", text: text))
        let tokens = lexer.tokenize().filter { !$0.isNewline && !$0.isEOF }
        if lexer.diagnostics.isEmpty {
            var negative = false
            var rest = tokens[...]
            if case .symbol(.minus)? = rest.first?.kind { negative = true; rest = rest.dropFirst() }
            if rest.count == 1, let t = rest.first {
                switch t.kind {
                case .number(let x): return .number(negative ? -x : x)
                case .duration(let x): return .duration(negative ? -x : x)
                case .keyword(.true) where !negative: return .bool(true)
                case .keyword(.false) where !negative: return .bool(false)
                case .string(let segments) where !negative:
                    if segments.count == 1, case .text(let s) = segments[0] { return .string(s) }
                    if segments.isEmpty { return .string("") }
                default: break
                }
            }
        }
        return kind == "string" ? .string(text) : nil
    }
}
