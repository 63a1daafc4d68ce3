/// What a node needs to run: the interpreter, this call's local slots and the running closure.
struct Frame {
    unowned(unsafe) let interp: Interpreter
    let locals: UnsafeMutablePointer<Value>
    unowned(unsafe) let closure: Closure?
}

/// How a statement finished; `return` leaves its value in `Interpreter.returnValue`.
enum Completion {
    case normal, breakLoop, continueLoop, returned
}

/// An expression of the executable tree.
class Node {
    let span: Span
    init(span: Span) { self.span = span }
    func eval(_ f: Frame) throws -> Value {
        throw Diagnostic("internal error: expression node without evaluation", at: span)
    }
}

/// A statement of the executable tree.
class StmtNode {
    let span: Span
    init(span: Span) { self.span = span }
    func exec(_ f: Frame) throws -> Completion {
        throw Diagnostic("internal error: statement node without execution", at: span)
    }
}

/// Compile-time facts about a local variable, shared with the nodes that use it.
final class LocalVariable {
    let name: String
    let slot: Int
    let mutable: Bool
    let span: Span
    /// Set when a closure refers to it; then the slot holds a `.captured` cell.
    var captured = false
    var used = false
    /// Known at check time, for dimension errors (`let` only).
    var staticType: StaticType?

    init(name: String, slot: Int, mutable: Bool, span: Span) {
        self.name = name
        self.slot = slot
        self.mutable = mutable
        self.span = span
    }
}

/// Where a closure finds a captured variable when it is created.
enum CaptureSource {
    case local(Int)
    case upvalue(Int)
}

/// The static part of a function: its code and frame layout. Immutable, so the hot path
/// reads it without retaining its arrays.
final class FunctionProto {
    let name: String?
    let arity: Int
    let frameSize: Int
    /// The top-level statements, one by one (for the REPL and the main program).
    let statements: [StmtNode]
    let body: StmtNode
    let params: [LocalVariable]
    /// Slots of parameters that closures capture; they start life in a cell.
    let capturedParamSlots: [Int]
    let captures: [CaptureSource]
    let span: Span

    init(name: String?, arity: Int, frameSize: Int, body: [StmtNode], params: [LocalVariable],
         captures: [CaptureSource], span: Span) {
        self.name = name
        self.arity = arity
        self.frameSize = frameSize
        statements = body
        self.body = Sequence.make(body, span: span)
        self.params = params
        capturedParamSlots = params.filter(\.captured).map(\.slot)
        self.captures = captures
        self.span = span
    }
}
