import TaktCore

final class ConstantNode: Node {
    let value: Value
    init(_ value: Value, span: Span) {
        self.value = value
        super.init(span: span)
    }
    override func eval(_ f: Frame) throws -> Value { value }
}

/// A local of the running frame; a captured one is read through its cell.
final class LocalGetNode: Node {
    let slot: Int
    init(slot: Int, span: Span) {
        self.slot = slot
        super.init(span: span)
    }
    override func eval(_ f: Frame) throws -> Value {
        let v = f.locals[slot]
        if case .captured(let cell) = v { return cell.value }
        return v
    }
}

final class UpvalueGetNode: Node {
    let index: Int
    init(index: Int, span: Span) {
        self.index = index
        super.init(span: span)
    }
    override func eval(_ f: Frame) throws -> Value {
        f.closure!.captures[index].value
    }
}

final class GlobalGetNode: Node {
    let cell: GlobalCell
    init(cell: GlobalCell, span: Span) {
        self.cell = cell
        super.init(span: span)
    }
    override func eval(_ f: Frame) throws -> Value {
        guard let v = cell.value else {
            throw Diagnostic("'\(cell.name)' is used before its declaration has run", at: span,
                             label: "not yet defined", help: "move the declaration of '\(cell.name)' above this use")
        }
        return v
    }
}

final class NegateNode: Node {
    let operand: Node
    init(_ operand: Node, span: Span) {
        self.operand = operand
        super.init(span: span)
    }
    override func eval(_ f: Frame) throws -> Value {
        switch try operand.eval(f) {
        case .number(let x): return .number(-x)
        case .duration(let x): return .duration(-x)
        case .rate(let x): return .rate(-x)
        case let v: throw Diagnostic("cannot negate a \(v.typeName)", at: span, label: "expected a number, duration or rate")
        }
    }
}

final class NotNode: Node {
    let operand: Node
    init(_ operand: Node, span: Span) {
        self.operand = operand
        super.init(span: span)
    }
    override func eval(_ f: Frame) throws -> Value {
        guard case .bool(let b) = try operand.eval(f) else {
            throw Diagnostic("'not' needs a boolean", at: operand.span, label: "not a boolean")
        }
        return .bool(!b)
    }
}

/// `and` / `or`, short-circuiting; both sides must be booleans (no truthiness).
final class LogicalNode: Node {
    let isAnd: Bool
    let left: Node, right: Node
    init(isAnd: Bool, _ left: Node, _ right: Node, span: Span) {
        self.isAnd = isAnd
        self.left = left
        self.right = right
        super.init(span: span)
    }
    override func eval(_ f: Frame) throws -> Value {
        guard case .bool(let a) = try left.eval(f) else {
            throw Diagnostic("'\(isAnd ? "and" : "or")' needs booleans", at: left.span, label: "not a boolean")
        }
        if isAnd != a { return .bool(a) }
        guard case .bool(let b) = try right.eval(f) else {
            throw Diagnostic("'\(isAnd ? "and" : "or")' needs booleans", at: right.span, label: "not a boolean")
        }
        return .bool(b)
    }
}

/// Binary operators, with fast paths for plain numbers.
final class BinaryNode: Node {
    let op: BinaryOp
    let left: Node, right: Node
    init(_ op: BinaryOp, _ left: Node, _ right: Node, span: Span) {
        self.op = op
        self.left = left
        self.right = right
        super.init(span: span)
    }
    override func eval(_ f: Frame) throws -> Value {
        let a = try left.eval(f)
        let b = try right.eval(f)
        if case .number(let x) = a, case .number(let y) = b, let r = BinaryNode.numbers(op, x, y) {
            return r
        }
        return try Operators.binary(op, a, b, at: span, unit: f.interp.settings.timeUnit)
    }

    /// The result for two plain numbers when it is simple and finite; nil sends the
    /// operands down the general path, which also reports the errors.
    @inline(__always)
    static func numbers(_ op: BinaryOp, _ x: Double, _ y: Double) -> Value? {
        switch op {
        case .add: let r = x + y; return r.isFinite ? .number(r) : nil
        case .subtract: let r = x - y; return r.isFinite ? .number(r) : nil
        case .multiply: let r = x * y; return r.isFinite ? .number(r) : nil
        case .less: return .bool(x < y)
        case .lessEqual: return .bool(x <= y)
        case .greater: return .bool(x > y)
        case .greaterEqual: return .bool(x >= y)
        case .equal: return .bool(x == y)
        case .notEqual: return .bool(x != y)
        default: return nil
        }
    }
}

/// `local OP number`, the commonest shape in loops and recursion (`n - 1`, `i < 10`):
/// one node instead of three.
final class LocalConstantBinaryNode: Node {
    let op: BinaryOp
    let slot: Int
    let constant: Double
    let generic: BinaryNode
    init(_ op: BinaryOp, slot: Int, constant: Double, generic: BinaryNode) {
        self.op = op
        self.slot = slot
        self.constant = constant
        self.generic = generic
        super.init(span: generic.span)
    }
    override func eval(_ f: Frame) throws -> Value {
        if case .number(let x) = f.locals[slot], let r = BinaryNode.numbers(op, x, constant) {
            return r
        }
        return try generic.eval(f)
    }
}

final class RangeNode: Node {
    let lower: Node, upper: Node
    let closed: Bool
    init(_ lower: Node, _ upper: Node, closed: Bool, span: Span) {
        self.lower = lower
        self.upper = upper
        self.closed = closed
        super.init(span: span)
    }
    override func eval(_ f: Frame) throws -> Value {
        let lo = try bound(lower, f), hi = try bound(upper, f)
        return .range(RangeValue(lower: lo, upper: hi, closed: closed))
    }
    func bound(_ node: Node, _ f: Frame) throws -> Int {
        let v = try node.eval(f)
        guard case .number(let x) = v, let n = Operators.wholeNumber(x) else {
            var label = "this is a \(v.typeName)"
            if case .number(let x) = v { label = x == x.rounded() ? "beyond 2^53, where doubles skip whole numbers" : "this is not whole" }
            throw Diagnostic("range bounds must be whole numbers from -2^53 to 2^53", at: node.span, label: label)
        }
        return n
    }
}

final class ListNode: Node {
    let items: [Node]
    init(_ items: [Node], span: Span) {
        self.items = items
        super.init(span: span)
    }
    override func eval(_ f: Frame) throws -> Value {
        var values: [Value] = []
        values.reserveCapacity(items.count)
        for item in items { values.append(try item.eval(f)) }
        let l = ListValue(values)
        guard l.depth <= maxValueDepth else { throw tooDeep(span) }
        return .list(l)
    }
}

func tooDeep(_ span: Span) -> Diagnostic {
    Diagnostic("lists and records nest too deeply (more than \(maxValueDepth) levels)", at: span, label: "value built here")
}

final class RecordNode: Node {
    let names: [String]
    let values: [Node]
    init(names: [String], values: [Node], span: Span) {
        self.names = names
        self.values = values
        super.init(span: span)
    }
    override func eval(_ f: Frame) throws -> Value {
        var vs: [Value] = []
        vs.reserveCapacity(values.count)
        for v in values { vs.append(try v.eval(f)) }
        let r = RecordValue(names: names, values: vs)
        guard r.depth <= maxValueDepth else { throw tooDeep(span) }
        return .record(r)
    }
}

final class InterpolationNode: Node {
    enum Part { case text(String), expr(Node) }
    let parts: [Part]
    init(_ parts: [Part], span: Span) {
        self.parts = parts
        super.init(span: span)
    }
    override func eval(_ f: Frame) throws -> Value {
        var out = ""
        let formatter = f.interp.formatter
        for part in parts {
            switch part {
            case .text(let s): out += s
            case .expr(let e):
                out += try formatter.checkedFormat(try e.eval(f), at: e.span)
                try ValueBudget.string(bytes: out.utf8.count, at: span)
            }
        }
        return .string(out)
    }
}

final class IndexNode: Node {
    let target: Node, index: Node
    init(_ target: Node, _ index: Node, span: Span) {
        self.target = target
        self.index = index
        super.init(span: span)
    }
    override func eval(_ f: Frame) throws -> Value {
        let t = try target.eval(f)
        let i = try index.eval(f)
        return try Access.get(t, i, indexSpan: index.span, span: span)
    }
}

final class MemberNode: Node {
    let target: Node
    let name: String
    let nameSpan: Span
    init(_ target: Node, name: String, nameSpan: Span, span: Span) {
        self.target = target
        self.name = name
        self.nameSpan = nameSpan
        super.init(span: span)
    }
    override func eval(_ f: Frame) throws -> Value {
        let t = try target.eval(f)
        switch t {
        case .element(let e): return try Access.elementProperty(e, name, nameSpan: nameSpan, f.interp)
        case .result(let r): return try r.member(name, at: nameSpan)
        case .estimate(let e): return try e.member(name, at: nameSpan)
        default: return try Access.member(t, name, nameSpan: nameSpan)
        }
    }
}

/// Reading and writing inside lists and records, shared by expressions and assignments.
enum Access {
    static func listIndex(_ i: Value, count: Int, at span: Span, of what: String = "list") throws -> Int {
        guard case .number(let x) = i else {
            throw Diagnostic("a \(what) index must be a number, not a \(i.typeName)", at: span, label: "not a number")
        }
        guard let n = Operators.wholeNumber(x) else {
            throw Diagnostic("a \(what) index must be a whole number", at: span, label: "\(ValueFormatter.number(x)) is not whole")
        }
        guard n >= 0 && n < count else {
            throw Diagnostic("index \(n) is out of range for a \(what) of length \(count)", at: span,
                             label: "out of range", help: count == 0 ? "the \(what) is empty" : "valid indices are 0 to \(count - 1)")
        }
        return n
    }

    static func get(_ t: Value, _ i: Value, indexSpan: Span, span: Span) throws -> Value {
        switch t {
        case .list(let l):
            return l.items[try listIndex(i, count: l.items.count, at: indexSpan)]
        case .record:
            guard case .string(let name) = i else {
                throw Diagnostic("a record is indexed by a field name string, not a \(i.typeName)", at: indexSpan)
            }
            return try member(t, name, nameSpan: indexSpan)
        case .string(let s):
            let scalars = Array(s.unicodeScalars)
            let n = try listIndex(i, count: scalars.count, at: indexSpan, of: "string")
            return .string(String(scalars[n]))
        default:
            throw Diagnostic("cannot index a \(t.typeName)", at: span, label: "not a list, record or string")
        }
    }

    /// `m1.servers`: the declared setting.
    static func elementProperty(_ e: ElementRef, _ name: String, nameSpan: Span, _ interp: Interpreter) throws -> Value {
        if name == "name" { return .string(e.name) }
        if name == "kind" { return .string(e.kind.rawValue) }
        if let r = interp.replicationContext, let v = ReplicationRead.element(e, name, r) { return v }
        let state = try interp.currentState(e.name)
        // A station's failure by name (an unnamed one is failureN): a record of its settings.
        if let failure = state?.failures.first(where: { $0.name == name }) {
            return failureRecord(failure)
        }
        let allowed = ElementProperties.allowed(e.kind)
        guard allowed.contains(name) || (e.kind == .station && name == "failures") else {
            let failures = state?.failures.map(\.name) ?? []
            let suggestion = Suggest.closest(to: name, among: allowed + ["name"] + failures)
            let failureHelp = failures.isEmpty ? "" : "; its failures are \(failures.joined(separator: ", "))"
            throw Diagnostic("a \(e.kind.rawValue) has no property '\(name)'", at: nameSpan,
                             label: suggestion.map { "did you mean '\($0)'?" } ?? "unknown property",
                             help: "\(e.kind.rawValue) properties are \((allowed + ["name"]).joined(separator: ", "))\(failureHelp)")
        }
        guard let s = state else {
            throw Diagnostic("'\(e.name)' is used before its declaration has run", at: nameSpan)
        }
        if let property = ElementProperties.property(e.kind, name) { return property.read(s) }
        return .number(Double(s.failures.count))   // `failures`, the one name the guard above lets through besides the table's
    }

    /// `press.wear`: `{name, up, down, every, counts}`, nil where the failure does not use one.
    static func failureRecord(_ f: FailureState) -> Value {
        func dist(_ d: Distribution?, _ fit: FitInfo?) -> Value {
            guard let d else { return .nil }
            if let fit, fit.candidate.distribution(unit: fit.unit) == d { return .distribution(DistributionValue(d, fit: fit)) }
            return .distribution(DistributionValue(d))
        }
        let every: Value, counts: String
        switch f.clock {
        case .busy: every = .nil; counts = "busy"
        case .clock: every = .nil; counts = "clock"
        case .parts(let n): every = .number(Double(n)); counts = "parts"
        }
        return .record(RecordValue(names: ["name", "up", "down", "every", "counts"],
                                   values: [.string(f.name), dist(f.up, f.fitted?.up), dist(f.down, f.fitted?.down), every, .string(counts)]))
    }

    static func member(_ t: Value, _ name: String, nameSpan: Span) throws -> Value {
        switch t {
        case .record(let r):
            if let i = r.index(of: name) { return r.values[i] }
            let suggestion = Suggest.closest(to: name, among: r.names)
            throw Diagnostic("the record has no field '\(name)'", at: nameSpan,
                             label: suggestion.map { "did you mean '\($0)'?" } ?? "unknown field",
                             help: r.names.isEmpty ? nil : "its fields are \(r.names.joined(separator: ", "))")
        case .range(let r) where name == "lower": return .number(Double(r.lower))
        case .range(let r) where name == "upper": return .number(Double(r.upper))
        case .distribution(let d) where name == "mean":
            let mean = d.distribution.mean
            guard mean.isFinite else {
                throw Diagnostic("the mean of \(ValueFormatter().describe(d.distribution)) is too large to represent", at: nameSpan,
                                 label: "not finite", help: "a weibull with a very small shape has an enormous mean")
            }
            return .duration(mean)
        case .distribution(let d) where d.fit != nil:
            if let v = d.fitMember(name) { return v }
            throw Diagnostic("a fitted distribution has no property '\(name)'", at: nameSpan, label: "unknown property",
                             help: "its properties are mean, family, n, loglik, aic, ks, candidates")
        default:
            throw Diagnostic("a \(t.typeName) has no property '\(name)'", at: nameSpan, label: "unknown property")
        }
    }
}

/// A call. The callee decides how arguments are evaluated (`Callable.invoke`).
final class CallNode: Node {
    let callee: Node
    let args: [Node]
    let labels: [String?]
    let labelSpans: [Span?]
    let hasLabels: Bool
    init(callee: Node, args: [Node], labels: [String?], labelSpans: [Span?], span: Span) {
        self.callee = callee
        self.args = args
        self.labels = labels
        self.labelSpans = labelSpans
        hasLabels = labels.contains { $0 != nil }
        super.init(span: span)
    }
    override func eval(_ f: Frame) throws -> Value {
        let c = try callee.eval(f)
        guard case .function(let fn) = c else {
            throw Diagnostic("cannot call a \(c.typeName)", at: callee.span, label: "not a function")
        }
        return try fn.invoke(f, self)
    }
}

/// `fn (...) { ... }`: creates a closure over the cells it refers to.
final class FunctionNode: Node {
    let proto: FunctionProto
    init(_ proto: FunctionProto, span: Span) {
        self.proto = proto
        super.init(span: span)
    }
    override func eval(_ f: Frame) throws -> Value {
        .function(makeClosure(f))
    }
    func makeClosure(_ f: Frame) -> Closure {
        var cells = ContiguousArray<Cell>()
        cells.reserveCapacity(proto.captures.count)
        for source in proto.captures {
            switch source {
            case .local(let slot):
                if case .captured(let cell) = f.locals[slot] {
                    cells.append(cell)
                } else {
                    // The variable's declaration has not run yet: give it its cell now.
                    let cell = Cell(f.locals[slot])
                    f.locals[slot] = .captured(cell)
                    cells.append(cell)
                }
            case .upvalue(let i):
                cells.append(f.closure!.captures[i])
            }
        }
        return Closure(proto: proto, captures: cells)
    }
}

/// `if` in value position: a branch gives its last expression, or nil.
final class IfExprNode: Node {
    let condition: Node
    let then: StmtNode, thenValue: Node?
    let otherwise: StmtNode, otherwiseValue: Node?
    init(condition: Node, then: [StmtNode], thenValue: Node?, otherwise: [StmtNode], otherwiseValue: Node?, span: Span) {
        self.condition = condition
        self.then = Sequence.make(then, span: span)
        self.thenValue = thenValue
        self.otherwise = Sequence.make(otherwise, span: span)
        self.otherwiseValue = otherwiseValue
        super.init(span: span)
    }
    override func eval(_ f: Frame) throws -> Value {
        let c = try condition.eval(f)
        guard case .bool(let b) = c else { throw conditionError(c, condition.span) }
        _ = try b ? then.exec(f) : otherwise.exec(f)
        return try (b ? thenValue : otherwiseValue)?.eval(f) ?? .nil
    }
}

func conditionError(_ v: Value, _ span: Span) -> Diagnostic {
    Diagnostic("a condition must be a boolean, not a \(v.typeName)", at: span, label: "not a boolean",
               help: "Takt has no truthiness: compare explicitly, e.g. 'x != 0' or 'len(xs) > 0'")
}
