/// What the checker knows of an expression's type before running, for early dimension errors.
enum StaticType: Equatable {
    case dimension(Int)
    case string, bool, list, record, function, range, distribution

    /// A value of this type to run the shared operator checks on.
    func sample(literal: Double?) -> Value {
        switch self {
        case .dimension(let d): return Operators.make(literal ?? 1, d)
        case .string: return .string("")
        case .bool: return .bool(true)
        case .list: return .list(ListValue([]))
        case .record: return .record(RecordValue(names: [], values: []))
        case .function: return .nil
        case .range: return .range(RangeValue(lower: 0, upper: 0, closed: true))
        case .distribution: return .distribution(DistributionValue(.constant(0)))
        }
    }
}
