import TaktCore

/// An agent's `observe` item or `reward`: an expression over the plant's state now. Checked and
/// built by the checker; params and `let`s it reads become constants when a simulation starts
/// (`bound`), so the expression a replication evaluates is immutable and shared by the workers.
indirect enum StateExpression: Sendable {
    case constant(Double)
    /// A duration literal, in seconds until bound to the run's time unit.
    case seconds(Double)
    /// A param or `let`, read when the expression is bound.
    case global(GlobalReference)
    case count(station: Int), queue(station: Int), busy(station: Int), down(station: Int)
    case level(buffer: Int)
    case wip, now
    case negate(StateExpression), not(StateExpression)
    case binary(BinaryOp, StateExpression, StateExpression)
    case minimum([StateExpression]), maximum([StateExpression]), absolute(StateExpression)
    /// Whether the part being routed is of this type (nil: untyped): 1 or 0.
    case partTypeIs(Int?)
    /// An attribute of the routed part's type, named until bound to its value by type slot
    /// (untyped last; 0 where a type lacks it).
    case partAttribute(AttributeReference)
    case byType([Double])

    struct AttributeReference: @unchecked Sendable {
        let name: String
        let span: Span
    }

    /// A global's cell and where it is read, for the message when it holds no number.
    struct GlobalReference: @unchecked Sendable {
        let cell: GlobalCell
        let span: Span
    }

    /// The expression with every global replaced by its value now, in the time unit.
    func bound(_ interp: Interpreter) throws -> StateExpression {
        switch self {
        case .global(let g):
            let unit = interp.settings.timeUnit.seconds
            switch g.cell.value {
            case .number(let x)?: return .constant(x)
            case .bool(let b)?: return .constant(b ? 1 : 0)
            case .duration(let s)?: return .constant(s / unit)
            case .rate(let r)?: return .constant(r * unit)
            case nil:
                throw Diagnostic("'\(g.cell.name)' is read by an agent before its declaration has run", at: g.span)
            case let v?:
                throw Diagnostic("an agent reads numbers, and '\(g.cell.name)' is a \(v.typeName)", at: g.span,
                                 label: "not a number")
            }
        case .seconds(let x):
            return .constant(x / interp.settings.timeUnit.seconds)
        case .constant, .count, .queue, .busy, .down, .level, .wip, .now, .partTypeIs, .byType:
            return self
        case .partAttribute(let a):
            let unit = interp.settings.timeUnit.seconds
            let states = try interp.buildStates()
            var table: [Double] = []
            for name in PartTypes.names(interp) {
                switch states[name]?.attributes.first(where: { $0.name == a.name })?.value {
                case .number(let x)?: table.append(x)
                case .bool(let b)?: table.append(b ? 1 : 0)
                case .duration(let s)?: table.append(s / unit)
                case nil: table.append(0)
                case let v?:
                    throw Diagnostic("an agent reads numbers, and part.\(a.name) of '\(name)' is a \(v.typeName)", at: a.span,
                                     label: "not a number")
                }
            }
            return .byType(table + [0])
        case .negate(let x): return .negate(try x.bound(interp))
        case .not(let x): return .not(try x.bound(interp))
        case .binary(let op, let a, let b): return .binary(op, try a.bound(interp), try b.bound(interp))
        case .minimum(let xs): return .minimum(try xs.map { try $0.bound(interp) })
        case .maximum(let xs): return .maximum(try xs.map { try $0.bound(interp) })
        case .absolute(let x): return .absolute(try x.bound(interp))
        }
    }

    /// The value in the plant now; `secondsPerUnit` converts `now` to the time unit. A
    /// comparison or `not` gives 1 or 0.
    func value(_ plant: PlantState, secondsPerUnit: Double) -> Double {
        switch self {
        case .constant(let x): return x
        case .global, .seconds: return 0
        case .count(let i): return Double(plant.count(station: i))
        case .queue(let i): return Double(plant.queue(station: i))
        case .busy(let i): return Double(plant.busy(station: i))
        case .down(let i): return Double(plant.down(station: i))
        case .level(let j): return Double(plant.level(buffer: j))
        case .wip: return Double(plant.wip)
        case .partTypeIs(let t): return plant.partType == t ? 1 : 0
        case .partAttribute: return 0
        case .byType(let table): return table[min(plant.partType ?? table.count - 1, table.count - 1)]
        case .now: return plant.now / secondsPerUnit
        case .negate(let x): return -x.value(plant, secondsPerUnit: secondsPerUnit)
        case .not(let x): return x.value(plant, secondsPerUnit: secondsPerUnit) == 0 ? 1 : 0
        case .absolute(let x): return abs(x.value(plant, secondsPerUnit: secondsPerUnit))
        // A reward is evaluated after every event: no array is built for min and max.
        case .minimum(let xs):
            var m = Double.infinity
            for x in xs { m = min(m, x.value(plant, secondsPerUnit: secondsPerUnit)) }
            return xs.isEmpty ? 0 : m
        case .maximum(let xs):
            var m = -Double.infinity
            for x in xs { m = max(m, x.value(plant, secondsPerUnit: secondsPerUnit)) }
            return xs.isEmpty ? 0 : m
        case .binary(let op, let a, let b):
            let x = a.value(plant, secondsPerUnit: secondsPerUnit)
            switch op {
            case .and: return x != 0 && b.value(plant, secondsPerUnit: secondsPerUnit) != 0 ? 1 : 0
            case .or: return x != 0 || b.value(plant, secondsPerUnit: secondsPerUnit) != 0 ? 1 : 0
            default: break
            }
            let y = b.value(plant, secondsPerUnit: secondsPerUnit)
            switch op {
            case .add: return x + y
            case .subtract: return x - y
            case .multiply: return x * y
            case .divide: return x / y
            case .remainder: return x.truncatingRemainder(dividingBy: y)
            case .less: return x < y ? 1 : 0
            case .lessEqual: return x <= y ? 1 : 0
            case .greater: return x > y ? 1 : 0
            case .greaterEqual: return x >= y ? 1 : 0
            case .equal: return x == y ? 1 : 0
            case .notEqual: return x != y ? 1 : 0
            case .and, .or: return 0
            }
        }
    }
}
