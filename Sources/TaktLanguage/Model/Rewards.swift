import TaktCore

/// `reward NAME = EXPR` (docs/optimization.md): a value computed once per replication, after
/// it ends, over that replication's results and configuration and the params' values.
final class RewardDefinition {
    let name: String
    let value: Node
    let span: Span

    init(name: String, value: Node, span: Span) {
        self.name = name
        self.value = value
        self.span = span
    }

    /// One replication's value as a plain magnitude and its time dimension (0 number,
    /// 1 duration, -1 rate); anything else is an error at the reward's line.
    func value(_ context: ReplicationContext, states: [String: ElementState], interp: Interpreter,
               configuration: () -> String?) throws -> (Double, Int) {
        let v = try interp.withOverlay(states: states, replication: context) {
            try value.eval(Frame(interp: interp, locals: interp.stack, closure: nil))
        }
        switch v {
        case .number(let x): return (x, 0)
        case .duration(let x): return (x, 1)
        case .rate(let x): return (x, -1)
        default:
            let notes = configuration().map { ["in the configuration \($0)"] } ?? []
            throw Diagnostic("the reward '\(name)' must be a number, a duration or a rate, not a \(v.typeName)", at: span,
                             label: "this is \(interp.formatter.short(v))", notes: notes)
        }
    }

    /// The reward of each replication of one simulation.
    func values(over replications: [ReplicationResult], spec: ModelSpec, states: [String: ElementState], interp: Interpreter,
                configuration: () -> String? = { nil }) throws -> RewardValues {
        var out: [Double] = []
        out.reserveCapacity(replications.count)
        var dimension: Int? = nil
        for r in replications {
            try interp.checkInterrupt()
            let (x, d) = try value(ReplicationContext(spec: spec, result: r), states: states, interp: interp, configuration: configuration)
            if let first = dimension, first != d {
                throw Diagnostic("the reward '\(name)' is a \(RewardValues.kind(first)) in one replication and a \(RewardValues.kind(d)) in another",
                                 at: span, help: "a reward keeps one kind: a number, a duration or a rate")
            }
            dimension = d
            out.append(x)
        }
        return RewardValues(name: name, dimension: dimension ?? 0, values: out)
    }
}

/// A reward's value in each replication of a simulation, in replication order.
struct RewardValues {
    let name: String
    let dimension: Int
    let values: [Double]

    /// An agent's reward rate, `NAME.reward`, which no declared reward's name can be.
    var isAgentReward: Bool { name.hasSuffix(".reward") }

    static func kind(_ dimension: Int) -> String { dimension == 0 ? "number" : dimension == 1 ? "duration" : "rate" }
}

/// `reward NAME = EXPR` running: the reward applies to every later simulation.
final class RewardDeclNode: StmtNode {
    let definition: RewardDefinition
    init(_ definition: RewardDefinition, span: Span) {
        self.definition = definition
        super.init(span: span)
    }
    override func exec(_ f: Frame) throws -> Completion {
        // A redeclaration in the REPL replaces the reward in place.
        if let k = f.interp.rewards.firstIndex(where: { $0.name == definition.name }) {
            f.interp.rewards[k] = definition
        } else {
            f.interp.rewards.append(definition)
        }
        return .normal
    }
}

/// `throughput`, `wip` or `cycle_time` inside a reward: the plant's result in this replication.
final class PlantResultNode: Node {
    let name: String
    init(_ name: String, span: Span) {
        self.name = name
        super.init(span: span)
    }
    override func eval(_ f: Frame) throws -> Value {
        guard let r = f.interp.replicationContext?.result else {
            throw Diagnostic("'\(name)' is a result of one replication, read inside a reward", at: span,
                             help: "outside a reward read it from results: simulate().\(name)")
        }
        switch name {
        case "throughput": return .rate(r.throughput)
        case "wip": return .number(r.wip)
        default: return r.cycleTime.map { .duration($0) } ?? .nil
        }
    }
}

/// A reward named inside another reward: its value in the same replication.
final class RewardReadNode: Node {
    let name: String
    init(_ name: String, span: Span) {
        self.name = name
        super.init(span: span)
    }
    override func eval(_ f: Frame) throws -> Value {
        let interp = f.interp
        guard interp.replicationContext != nil else {
            throw Diagnostic("'\(name)' is a reward, read inside a reward", at: span)
        }
        guard let def = interp.rewards.first(where: { $0.name == name }) else {
            throw Diagnostic("the reward '\(name)' is used before its declaration has run", at: span)
        }
        guard !interp.evaluatingRewards.contains(name) else {
            throw Diagnostic("the reward '\(name)' depends on itself", at: span, label: "a cycle of rewards")
        }
        interp.evaluatingRewards.insert(name)
        defer { interp.evaluatingRewards.remove(name) }
        return try def.value.eval(f)
    }
}

/// An element's result in the replication a reward is computed for: `done.count`,
/// `m1.utilization`, `b1.level`, `raw.lost`. Nil for names that are not results (settings).
enum ReplicationRead {
    static let plantResults = ["throughput", "wip", "cycle_time"]

    static func element(_ e: ElementRef, _ name: String, _ c: ReplicationContext) -> Value? {
        let r = c.result
        switch e.kind {
        case .station:
            guard let i = c.spec.stations.firstIndex(where: { $0.name == e.name }), i < r.stations.count else { return nil }
            let s = r.stations[i]
            switch name {
            case "utilization": return .number(s.utilization)
            case "blocked": return .number(s.blocked)
            case "starved": return .number(s.starved)
            case "down": return .number(s.down)
            case "queue": return .number(s.queue)
            case "wait": return s.wait.map { .duration($0) } ?? .nil
            case "processed": return .number(s.processed)
            case "scrapped": return .number(s.scrapped)
            default: return nil
            }
        case .buffer:
            guard name == "level", let j = c.spec.buffers.firstIndex(where: { $0.name == e.name }), j < r.buffers.count else { return nil }
            return .number(r.buffers[j].level)
        case .sink:
            guard let k = c.spec.sinks.firstIndex(where: { $0.name == e.name }), k < r.sinks.count else { return nil }
            switch name {
            case "count": return .number(r.sinks[k].count)
            case "throughput": return .rate(r.sinks[k].throughput)
            case "cycle_time": return r.sinks[k].cycleTime.map { .duration($0) } ?? .nil
            default: return nil
            }
        case .source:
            guard let k = c.spec.sources.firstIndex(where: { $0.name == e.name }), k < r.sources.count else { return nil }
            switch name {
            case "created": return .number(r.sources[k].created)
            case "lost": return .number(r.sources[k].lost)
            case "blocked": return .number(r.sources[k].blocked)
            default: return nil
            }
        case .crew:
            guard let k = c.spec.crews.firstIndex(where: { $0.name == e.name }), k < r.crews.count else { return nil }
            switch name {
            case "utilization": return .number(r.crews[k].utilization)
            case "queue": return .number(r.crews[k].queue)
            case "wait": return r.crews[k].wait.map { .duration($0) } ?? .nil
            default: return nil
            }
        case .part:
            return nil
        }
    }

    /// Result names each kind of element has inside a reward.
    static func names(_ kind: ElementKind) -> [String] {
        switch kind {
        case .station: return (ResultValue.stationKPIs + ResultValue.scrapKPIs).map(\.0)
        case .buffer: return ["level"]
        case .sink: return ["count", "throughput", "cycle_time"]
        case .source: return ResultValue.sourceKPIs.map(\.0)
        case .crew: return ResultValue.crewKPIs.map(\.0)
        case .part: return []
        }
    }
}
