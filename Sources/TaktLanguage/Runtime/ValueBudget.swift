import TaktCore

/// Bounds on the size of script values, so that a loop growing a list or a string ends in a
/// located error instead of the allocator aborting. Fixed caps keep sizes sane everywhere;
/// large values are also checked against the memory the process may still take.
enum ValueBudget {
    static let maxStringBytes = 256 << 20
    static let maxListItems = 50_000_000
    /// One value's text in `print` or interpolation: more is no use to a reader, and lists
    /// that share their parts can describe far more text than memory holds.
    static let maxPrintedBytes = 64 << 20
    /// Below this many bytes a value is not worth a look at the memory left.
    static let checkAbove = 16 << 20

    /// For a value growing in place from `old` to `new` units: the memory is looked at only
    /// when the size crosses a power of two, as the storage then grows.
    static func string(growingFrom old: Int, to new: Int, at span: Span) throws {
        if new > maxStringBytes || crossesPowerOfTwo(old, new) { try string(bytes: new, at: span) }
    }

    static func list(growingFrom old: Int, to new: Int, at span: Span) throws {
        if new > maxListItems || crossesPowerOfTwo(old, new) { try list(items: new, at: span) }
    }

    private static func crossesPowerOfTwo(_ old: Int, _ new: Int) -> Bool {
        new > old && old.leadingZeroBitCount != new.leadingZeroBitCount
    }

    static func string(bytes: Int, at span: Span) throws {
        if bytes > maxStringBytes {
            throw Diagnostic("this string would be \(RunDiagnostics.bytes(bytes)) long; a string may be at most \(RunDiagnostics.bytes(maxStringBytes))",
                             at: span, label: "too large")
        }
        try memory(bytes, "a string of \(RunDiagnostics.bytes(bytes))", at: span)
    }

    static func list(items: Int, at span: Span) throws {
        if items > maxListItems {
            throw Diagnostic("this list would hold \(RunDiagnostics.grouped(items)) items; a list may hold at most \(RunDiagnostics.grouped(maxListItems))",
                             at: span, label: "too large")
        }
        try memory(items * MemoryLayout<Value>.stride, "a list of \(RunDiagnostics.grouped(items)) items", at: span)
    }

    /// A new value is built beside its operands, so it needs twice its size free.
    private static func memory(_ bytes: Int, _ what: String, at span: Span) throws {
        guard bytes > checkAbove else { return }
        let room = MemoryBudget.available(reservingStacks: 0)
        if 2 * bytes > room {
            throw Diagnostic("not enough memory for \(what): it needs \(RunDiagnostics.bytes(2 * bytes)) and \(RunDiagnostics.bytes(room)) is available",
                             at: span, label: "too large")
        }
    }
}
