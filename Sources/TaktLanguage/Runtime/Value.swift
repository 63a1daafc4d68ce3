import TaktCore

/// A Takt value. Lists and records are Swift arrays, so they copy on assignment for free.
public enum Value {
    case `nil`
    case bool(Bool)
    case number(Double)
    /// Seconds.
    case duration(Double)
    /// Per second.
    case rate(Double)
    case string(String)
    case list(ListValue)
    case record(RecordValue)
    case range(RangeValue)
    case function(Callable)
    case distribution(DistributionValue)
    /// A model element: `station m1`.
    case element(ElementRef)
    /// A simulation's results.
    case result(ResultValue)
    /// A quantity estimated across replications.
    case estimate(EstimateValue)
    /// A local variable that a closure captured: the frame slot holds the shared cell.
    /// Only the variable nodes of the executable tree see this case.
    case captured(Cell)

    var typeName: String {
        switch self {
        case .nil: return "nil"
        case .bool: return "boolean"
        case .number: return "number"
        case .duration: return "duration"
        case .rate: return "rate"
        case .string: return "string"
        case .list: return "list"
        case .record: return "record"
        case .range: return "range"
        case .function: return "function"
        case .distribution: return "distribution"
        case .element(let e): return e.kind.rawValue
        case .result: return "result"
        case .estimate: return "estimate"
        case .captured(let c): return c.value.typeName
        }
    }

    /// Nesting depth of lists and records, bounded so printing, `==` and teardown stay shallow.
    var nestingDepth: Int {
        switch self {
        case .list(let l): return l.depth
        case .record(let r): return r.depth
        default: return 0
        }
    }
}

/// Lists and records may nest at most this deep.
let maxValueDepth = 1000

public struct ListValue {
    /// (Any change forgets where the items came from.)
    public var items: [Value] { didSet { origin = nil } }
    public var depth: Int
    /// The CSV cells the items were read from, if they were.
    var origin: CSVOrigin?

    init(_ items: [Value]) {
        self.items = items
        var d = 0
        for v in items { d = max(d, v.nestingDepth) }
        depth = d + 1
    }
}

public struct RecordValue {
    public var names: [String]
    public var values: [Value] { didSet { origin = nil } }
    public var depth: Int
    /// The CSV row the values were read from, if they were (one cell a field).
    var origin: CSVOrigin?

    init(names: [String], values: [Value]) {
        self.names = names
        self.values = values
        var d = 0
        for v in values { d = max(d, v.nestingDepth) }
        depth = d + 1
    }

    func index(of name: String) -> Int? { names.firstIndex(of: name) }
}

public final class RangeValue {
    public let lower: Int
    public let upper: Int
    public let closed: Bool

    init(lower: Int, upper: Int, closed: Bool) {
        self.lower = lower
        self.upper = upper
        self.closed = closed
    }

    /// One past the last element; never traps.
    var end: Int { closed ? (upper == Int.max ? upper : upper + 1) : upper }
    var count: Int { end > lower ? end - lower : 0 }
}

public final class DistributionValue {
    public let distribution: Distribution
    /// Set for the result of `fit` and its candidates.
    let fit: FitInfo?
    init(_ d: Distribution, fit: FitInfo? = nil) {
        distribution = d
        self.fit = fit
    }
}

/// A variable cell shared between a frame and the closures that capture it.
public final class Cell {
    var value: Value
    init(_ value: Value) { self.value = value }
}

/// A global binding, resolved once at check time: reads go straight to the cell.
final class GlobalCell {
    let name: String
    let mutable: Bool
    /// `nil` until the declaration has run.
    var value: Value?
    init(name: String, mutable: Bool) {
        self.name = name
        self.mutable = mutable
    }
}

/// Something that can be called: a user function (closure) or a built-in.
public class Callable {
    var name: String? { nil }

    func invoke(_ f: Frame, _ call: CallNode) throws -> Value {
        throw Diagnostic("internal error: value cannot be called", at: call.span)
    }
}
