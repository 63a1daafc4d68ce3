/// A user function with the cells it captured.
final class Closure: Callable {
    let proto: FunctionProto
    let captures: ContiguousArray<Cell>

    init(proto: FunctionProto, captures: ContiguousArray<Cell>) {
        self.proto = proto
        self.captures = captures
    }

    override var name: String? { proto.name }

    /// Evaluates the arguments straight into the new frame's slots, then runs the body.
    override func invoke(_ f: Frame, _ call: CallNode) throws -> Value {
        let interp = f.interp
        let proto = self.proto
        if call.hasLabels {
            throw Diagnostic("'\(proto.name ?? "this function")' takes no named arguments", at: call.span,
                             label: "named argument here")
        }
        guard call.args.count == proto.arity else {
            throw Diagnostic("'\(proto.name ?? "this function")' takes \(proto.arity) argument\(proto.arity == 1 ? "" : "s") but \(call.args.count) \(call.args.count == 1 ? "was" : "were") given",
                             at: call.span, label: "wrong number of arguments")
        }
        guard interp.callDepth < Interpreter.maxCallDepth, !interp.stackGuard.exhausted else {
            throw Diagnostic("calls nested too deeply (more than \(Interpreter.maxCallDepth))", at: call.span,
                             label: "limit reached at this call", help: "is a recursion missing its base case?")
        }
        try interp.checkInterrupt()
        let size = proto.frameSize
        guard interp.sp + size <= Interpreter.stackCapacity else {
            throw Diagnostic("out of room for local variables in nested calls", at: call.span, label: "at this call")
        }
        let sp0 = interp.sp
        let base = interp.stack + sp0
        var n = 0
        let args = call.args
        do {
            while n < args.count {
                let v = try args[n].eval(f)
                (base + n).initialize(to: v)
                n += 1
                interp.sp += 1
            }
        } catch {
            base.deinitialize(count: n)
            interp.sp = sp0
            throw error
        }
        (base + n).initialize(repeating: .nil, count: size - n)
        interp.sp = sp0 + size
        if !proto.capturedParamSlots.isEmpty {
            for slot in proto.capturedParamSlots { base[slot] = .captured(Cell(base[slot])) }
        }
        interp.callDepth += 1
        defer {
            interp.callDepth -= 1
            base.deinitialize(count: size)
            interp.sp = sp0
        }
        let frame = Frame(interp: interp, locals: base, closure: self)
        do {
            if try proto.body.exec(frame) == .returned {
                var v = Value.nil
                swap(&v, &interp.returnValue)
                return v
            }
        } catch var d as Diagnostic {
            if d.notes.count < 10 {
                let at = call.span
                d.notes.append("in \(proto.name.map { "'\($0)'" } ?? "an anonymous fn"), called at \(at.file.name):\(at.start.line):\(at.start.column)")
            }
            throw d
        }
        return .nil
    }
}
