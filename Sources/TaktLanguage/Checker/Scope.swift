/// The checker's view of one function being compiled: its block scopes and captures.
final class FunctionContext {
    let parent: FunctionContext?
    /// Where the closure finds each captured variable, in capture-index order.
    var captures: [CaptureSource] = []
    var scopes: [[String: LocalVariable]] = []
    var nextSlot = 0
    var localCaptures: [ObjectIdentifier: Int] = [:]
    var upvalueCaptures: [Int: Int] = [:]
    var loopDepth = 0
    /// Inside an `if` in value position, which cannot `return`, `break` or `continue`.
    var valueIfDepth = 0

    init(parent: FunctionContext?) {
        self.parent = parent
    }

    var isMain: Bool { parent == nil }
    /// At the script's top level, declarations are globals.
    var atGlobalLevel: Bool { isMain && scopes.isEmpty }

    func declare(_ name: String, mutable: Bool, span: Span) -> LocalVariable {
        let v = LocalVariable(name: name, slot: nextSlot, mutable: mutable, span: span)
        nextSlot += 1
        scopes[scopes.count - 1][name] = v
        return v
    }

    func captureIndex(local v: LocalVariable) -> Int {
        if let i = localCaptures[ObjectIdentifier(v)] { return i }
        captures.append(.local(v.slot))
        localCaptures[ObjectIdentifier(v)] = captures.count - 1
        return captures.count - 1
    }

    func captureIndex(upvalue i: Int) -> Int {
        if let k = upvalueCaptures[i] { return k }
        captures.append(.upvalue(i))
        upvalueCaptures[i] = captures.count - 1
        return captures.count - 1
    }
}

/// What a name refers to.
enum Resolution {
    case local(LocalVariable)
    case upvalue(Int, LocalVariable)
    case global(GlobalCell)
    case builtin(Builtin)
    /// A model element, agent, reward or scenario.
    case model(String)
}
