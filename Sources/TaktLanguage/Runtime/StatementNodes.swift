import TaktCore

/// A run of statements as one node. Fixed small arities keep the children in `let` fields,
/// which the hot path reads without retaining (array elements would be retained).
enum Sequence {
    static func make(_ statements: [StmtNode], span: Span) -> StmtNode {
        switch statements.count {
        case 0: return EmptyNode(span: span)
        case 1: return statements[0]
        case 2: return Sequence2Node(statements[0], statements[1], span: span)
        case 3: return Sequence3Node(statements[0], statements[1], statements[2], span: span)
        default: return SequenceNode(statements, span: span)
        }
    }
}

final class EmptyNode: StmtNode {
    override func exec(_ f: Frame) throws -> Completion { .normal }
}

final class Sequence2Node: StmtNode {
    let s0: StmtNode, s1: StmtNode
    init(_ s0: StmtNode, _ s1: StmtNode, span: Span) {
        self.s0 = s0
        self.s1 = s1
        super.init(span: span)
    }
    override func exec(_ f: Frame) throws -> Completion {
        let r = try s0.exec(f)
        if r != .normal { return r }
        return try s1.exec(f)
    }
}

final class Sequence3Node: StmtNode {
    let s0: StmtNode, s1: StmtNode, s2: StmtNode
    init(_ s0: StmtNode, _ s1: StmtNode, _ s2: StmtNode, span: Span) {
        self.s0 = s0
        self.s1 = s1
        self.s2 = s2
        super.init(span: span)
    }
    override func exec(_ f: Frame) throws -> Completion {
        var r = try s0.exec(f)
        if r != .normal { return r }
        r = try s1.exec(f)
        if r != .normal { return r }
        return try s2.exec(f)
    }
}

/// Longer runs loop over an array (a chain would make recursion as deep as the block is long).
final class SequenceNode: StmtNode {
    let statements: [StmtNode]
    init(_ statements: [StmtNode], span: Span) {
        self.statements = statements
        super.init(span: span)
    }
    override func exec(_ f: Frame) throws -> Completion {
        var i = 0
        while i < statements.count {
            let r = try statements[i].exec(f)
            if r != .normal { return r }
            i += 1
        }
        return .normal
    }
}

final class ExprStmtNode: StmtNode {
    let expr: Node
    init(_ expr: Node) {
        self.expr = expr
        super.init(span: expr.span)
    }
    override func exec(_ f: Frame) throws -> Completion {
        _ = try expr.eval(f)
        return .normal
    }
}

/// A REPL input's expression: its value is printed as `print` would, nothing for nil.
final class PrintValueNode: StmtNode {
    let expr: Node
    init(_ expr: Node) {
        self.expr = expr
        super.init(span: expr.span)
    }
    override func exec(_ f: Frame) throws -> Completion {
        let v = try expr.eval(f)
        if case .nil = v { return .normal }
        f.interp.output(try f.interp.formatter.checkedFormat(v, at: span) + "\n")
        return .normal
    }
}

/// `let`/`var` of a local: a fresh cell each time it runs if a closure captures it, so every
/// loop iteration has its own variable.
final class DeclareLocalNode: StmtNode {
    let variable: LocalVariable
    let value: Node
    init(_ variable: LocalVariable, _ value: Node, span: Span) {
        self.variable = variable
        self.value = value
        super.init(span: span)
    }
    override func exec(_ f: Frame) throws -> Completion {
        let v = try value.eval(f)
        f.locals[variable.slot] = variable.captured ? .captured(Cell(v)) : v
        return .normal
    }
}

/// A local `fn`: its cell exists before the closure is made, so it can call itself.
final class DeclareLocalFunctionNode: StmtNode {
    let variable: LocalVariable
    let function: FunctionNode
    init(_ variable: LocalVariable, _ function: FunctionNode, span: Span) {
        self.variable = variable
        self.function = function
        super.init(span: span)
    }
    override func exec(_ f: Frame) throws -> Completion {
        if variable.captured {
            let cell = Cell(.nil)
            f.locals[variable.slot] = .captured(cell)
            cell.value = .function(function.makeClosure(f))
        } else {
            f.locals[variable.slot] = .function(function.makeClosure(f))
        }
        return .normal
    }
}

final class DeclareGlobalNode: StmtNode {
    let cell: GlobalCell
    let value: Node
    init(_ cell: GlobalCell, _ value: Node, span: Span) {
        self.cell = cell
        self.value = value
        super.init(span: span)
    }
    override func exec(_ f: Frame) throws -> Completion {
        cell.value = try value.eval(f)
        return .normal
    }
}

/// Where an assignment writes.
enum VariableRef {
    case local(Int)
    case upvalue(Int)
    case global(GlobalCell)
}

enum PathStep {
    case index(Node)
    case field(String, Span)
}

/// `x = v`, `x += v`, `xs[i].f = v`: evaluates indices and value, then updates in place
/// (the variable is moved out while it changes, so its array is not copied).
final class AssignNode: StmtNode {
    let target: VariableRef
    let path: [PathStep]
    let op: AssignOp
    let value: Node
    let opSpan: Span
    init(target: VariableRef, path: [PathStep], op: AssignOp, value: Node, span: Span) {
        self.target = target
        self.path = path
        self.op = op
        self.value = value
        opSpan = span
        super.init(span: span)
    }

    override func exec(_ f: Frame) throws -> Completion {
        switch path.count {
        case 0:
            let rhs = try value.eval(f)
            // `i += 1` on a plain number: no copies, no calls.
            if case .number(let y) = rhs {
                switch target {
                case .local(let slot):
                    if case .number(let x) = f.locals[slot], let r = arithmetic(x, y) {
                        f.locals[slot] = .number(r)
                        return .normal
                    }
                case .global(let cell):
                    if case .number(let x)? = cell.value, let r = arithmetic(x, y) {
                        cell.value = .number(r)
                        return .normal
                    }
                case .upvalue:
                    break
                }
            }
            try modify(f) { v, unit in try self.applyLeaf(&v, rhs: rhs, unit: unit) }
        case 1:
            let key = try key(0, f)
            let rhs = try value.eval(f)
            if rhs.nestingDepth + 1 > maxValueDepth { throw tooDeep(span) }
            try modify(f) { v, unit in try self.update(&v, key: key, stepIndex: 0, rest: [], rhs: rhs, unit: unit) }
        default:
            var keys: [Value] = []
            keys.reserveCapacity(path.count)
            for i in path.indices { keys.append(try key(i, f)) }
            let rhs = try value.eval(f)
            if rhs.nestingDepth + path.count > maxValueDepth { throw tooDeep(span) }
            try modify(f) { v, unit in
                try self.update(&v, key: keys[0], stepIndex: 0, rest: keys[1...], rhs: rhs, unit: unit)
            }
        }
        return .normal
    }

    /// The finite result of `x op= y`, or nil to take the general path (which reports errors).
    @inline(__always)
    func arithmetic(_ x: Double, _ y: Double) -> Double? {
        let r: Double
        switch op {
        case .assign: r = y
        case .add: r = x + y
        case .subtract: r = x - y
        case .multiply: r = x * y
        case .divide: r = y == 0 ? .nan : x / y
        }
        return r.isFinite ? r : nil
    }

    @inline(__always)
    func key(_ i: Int, _ f: Frame) throws -> Value {
        switch path[i] {
        case .index(let n): return try n.eval(f)
        case .field(let name, _): return .string(name)
        }
    }

    /// Runs `change` on the target variable in place.
    @inline(__always)
    func modify(_ f: Frame, _ change: (inout Value, TimeUnit) throws -> Void) throws {
        let unit = f.interp.settings.timeUnit
        switch target {
        case .local(let slot):
            if case .captured(let cell) = f.locals[slot] {
                try change(&cell.value, unit)
            } else {
                try change(&f.locals[slot], unit)
            }
        case .upvalue(let i):
            try change(&f.closure!.captures[i].value, unit)
        case .global(let cell):
            guard var v = cell.value else {
                throw Diagnostic("'\(cell.name)' is assigned before its declaration has run", at: span)
            }
            cell.value = .nil
            defer { cell.value = v }
            try change(&v, unit)
        }
    }

    func combine(_ old: Value, _ rhs: Value, unit: TimeUnit) throws -> Value {
        switch op {
        case .assign: return rhs
        case .add: return try Operators.binary(.add, old, rhs, at: span, unit: unit)
        case .subtract: return try Operators.binary(.subtract, old, rhs, at: span, unit: unit)
        case .multiply: return try Operators.binary(.multiply, old, rhs, at: span, unit: unit)
        case .divide: return try Operators.binary(.divide, old, rhs, at: span, unit: unit)
        }
    }

    /// The final step: `=` replaces; `+=` on a list or string appends in place.
    func applyLeaf(_ v: inout Value, rhs: Value, unit: TimeUnit) throws {
        if op == .add {
            if case .list(let r) = rhs, case .list(let old) = v {
                try ValueBudget.list(growingFrom: old.items.count, to: old.items.count + r.items.count, at: span)
            }
            if case .string(let r) = rhs, case .string(let old) = v {
                try ValueBudget.string(growingFrom: old.utf8.count, to: old.utf8.count + r.utf8.count, at: span)
            }
            if case .list(let r) = rhs, var l = takeList(&v) {
                l.items.append(contentsOf: r.items)
                l.depth = max(l.depth, r.depth)
                v = .list(l)
                return
            }
            if case .string(let r) = rhs, case .string = v {
                var taken = Value.nil
                swap(&taken, &v)
                if case .string(var s) = consume taken {
                    s += r
                    v = .string(s)
                }
                return
            }
        }
        v = try combine(v, rhs, unit: unit)
    }

    /// One step into a list or record, then the rest of the path.
    func update(_ v: inout Value, key: Value, stepIndex: Int, rest: ArraySlice<Value>, rhs: Value, unit: TimeUnit) throws {
        @inline(__always) func next(_ child: inout Value) throws {
            if let k = rest.first {
                try update(&child, key: k, stepIndex: stepIndex + 1, rest: rest.dropFirst(), rhs: rhs, unit: unit)
            } else {
                try applyLeaf(&child, rhs: rhs, unit: unit)
            }
        }
        func stepSpan() -> Span {
            switch path[stepIndex] {
            case .index(let n): return n.span
            case .field(_, let s): return s
            }
        }
        if var l = takeList(&v) {
            defer { v = .list(l) }
            let i = try Access.listIndex(key, count: l.items.count, at: stepSpan())
            try next(&l.items[i])
            l.depth = max(l.depth, l.items[i].nestingDepth + 1)
            return
        }
        if var r = takeRecord(&v) {
            defer { v = .record(r) }
            guard case .string(let name) = key else {
                throw Diagnostic("a record is indexed by a field name string, not a \(key.typeName)", at: stepSpan())
            }
            if let i = r.index(of: name) {
                try next(&r.values[i])
                r.depth = max(r.depth, r.values[i].nestingDepth + 1)
            } else if rest.isEmpty && op == .assign {
                r.names.append(name)
                r.values.append(rhs)
                r.depth = max(r.depth, rhs.nestingDepth + 1)
            } else {
                let suggestion = Suggest.closest(to: name, among: r.names)
                throw Diagnostic("the record has no field '\(name)'", at: stepSpan(),
                                 label: suggestion.map { "did you mean '\($0)'?" } ?? "unknown field")
            }
            return
        }
        throw Diagnostic("cannot assign into a \(v.typeName)", at: stepSpan(), label: "not a list or record")
    }
}

/// Moves a list out of `v` (leaving nil) so that changing it does not copy its storage.
@inline(__always)
func takeList(_ v: inout Value) -> ListValue? {
    guard case .list = v else { return nil }
    var taken = Value.nil
    swap(&taken, &v)
    switch consume taken {
    case .list(let l): return l
    default: return nil
    }
}

@inline(__always)
func takeRecord(_ v: inout Value) -> RecordValue? {
    guard case .record = v else { return nil }
    var taken = Value.nil
    swap(&taken, &v)
    switch consume taken {
    case .record(let r): return r
    default: return nil
    }
}

/// `if` as a statement: its branches may `return`, `break` or `continue`.
final class IfStmtNode: StmtNode {
    let condition: Node
    let then: StmtNode
    let otherwise: StmtNode
    init(condition: Node, then: [StmtNode], otherwise: [StmtNode], span: Span) {
        self.condition = condition
        self.then = Sequence.make(then, span: span)
        self.otherwise = Sequence.make(otherwise, span: span)
        super.init(span: span)
    }
    override func exec(_ f: Frame) throws -> Completion {
        let c = try condition.eval(f)
        guard case .bool(let b) = c else { throw conditionError(c, condition.span) }
        return try b ? then.exec(f) : otherwise.exec(f)
    }
}

final class WhileNode: StmtNode {
    let condition: Node
    let body: StmtNode
    init(condition: Node, body: [StmtNode], span: Span) {
        self.condition = condition
        self.body = Sequence.make(body, span: span)
        super.init(span: span)
    }
    override func exec(_ f: Frame) throws -> Completion {
        while true {
            let c = try condition.eval(f)
            guard case .bool(let b) = c else { throw conditionError(c, condition.span) }
            if !b { return .normal }
            try f.interp.checkInterrupt()
            switch try body.exec(f) {
            case .normal, .continueLoop: continue
            case .breakLoop: return .normal
            case .returned: return .returned
            }
        }
    }
}

final class ForNode: StmtNode {
    let variable: LocalVariable
    let iterable: Node
    let body: StmtNode
    init(variable: LocalVariable, iterable: Node, body: [StmtNode], span: Span) {
        self.variable = variable
        self.iterable = iterable
        self.body = Sequence.make(body, span: span)
        super.init(span: span)
    }

    /// Runs the body once; nil means go on with the next iteration.
    @inline(__always)
    func iteration(_ f: Frame, _ v: Value) throws -> Completion? {
        f.locals[variable.slot] = variable.captured ? .captured(Cell(v)) : v
        switch try body.exec(f) {
        case .normal, .continueLoop: return nil
        case .breakLoop: return .normal
        case .returned: return .returned
        }
    }

    override func exec(_ f: Frame) throws -> Completion {
        let seq = try iterable.eval(f)
        switch seq {
        case .range(let r):
            var i = r.lower
            let end = r.end
            while i < end {
                try f.interp.checkInterrupt()
                if let c = try iteration(f, .number(Double(i))) { return c }
                i += 1
            }
        case .list(let l):
            for item in l.items {
                try f.interp.checkInterrupt()
                if let c = try iteration(f, item) { return c }
            }
        case .string(let s):
            for ch in s.unicodeScalars {
                try f.interp.checkInterrupt()
                if let c = try iteration(f, .string(String(ch))) { return c }
            }
        default:
            throw Diagnostic("cannot loop over a \(seq.typeName)", at: iterable.span,
                             label: "not a list, range or string")
        }
        return .normal
    }
}

final class BreakNode: StmtNode {
    override func exec(_ f: Frame) throws -> Completion { .breakLoop }
}

final class ContinueNode: StmtNode {
    override func exec(_ f: Frame) throws -> Completion { .continueLoop }
}

final class ReturnNode: StmtNode {
    let value: Node
    init(_ value: Node?, span: Span) {
        self.value = value ?? ConstantNode(.nil, span: span)
        super.init(span: span)
    }
    override func exec(_ f: Frame) throws -> Completion {
        f.interp.returnValue = try value.eval(f)
        return .returned
    }
}

final class AssertNode: StmtNode {
    let condition: Node
    let message: Node?
    init(condition: Node, message: Node?, span: Span) {
        self.condition = condition
        self.message = message
        super.init(span: span)
    }
    override func exec(_ f: Frame) throws -> Completion {
        let c = try condition.eval(f)
        guard case .bool(let b) = c else { throw conditionError(c, condition.span) }
        if b { return .normal }
        let text = try message.map { try f.interp.formatter.checkedFormat(try $0.eval(f), at: $0.span) }
        throw Diagnostic(text.map { "assertion failed: \($0)" } ?? "assertion failed", at: span, label: "this assertion is false")
    }
}
