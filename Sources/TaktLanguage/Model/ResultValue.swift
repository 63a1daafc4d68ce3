import TaktCore

/// A simulation's results across replications, as a value.
public final class ResultValue {
    let spec: ModelSpec
    let replications: [ReplicationResult]
    let settings: RunSettings
    /// The declared rewards' values, in declaration order.
    let rewards: [RewardValues]

    init(spec: ModelSpec, replications: [ReplicationResult], settings: RunSettings, rewards: [RewardValues] = []) {
        self.spec = spec
        self.replications = replications
        self.settings = settings
        self.rewards = rewards
    }

    func reward(_ name: String) -> RewardValues? { rewards.first { $0.name == name } }

    /// An estimate's value, with the per-replication values: `nil` when no replication observed it.
    static func value(_ observed: [Double?], dimension: Int) -> Value {
        let xs = observed.compactMap { $0 }
        guard let e = Estimate.of(observed: xs) else { return .nil }
        return .estimate(EstimateValue(e, dimension: dimension, values: xs))
    }

    func value(_ pick: (ReplicationResult) -> Double?, dimension: Int) -> Value {
        ResultValue.value(replications.map(pick), dimension: dimension)
    }

    func estimate(_ pick: (ReplicationResult) -> Double?) -> Estimate? {
        Estimate.of(replications.map(pick))
    }

    var throughput: Estimate? { estimate { $0.throughput } }
    var wip: Estimate? { estimate { $0.wip } }
    var cycleTime: Estimate? { estimate { $0.cycleTime } }

    static let stationKPIs: [(String, Int)] = [("utilization", 0), ("blocked", 0), ("starved", 0), ("down", 0),
                                               ("queue", 0), ("wait", 1), ("processed", 0)]
    /// What a model that sets up adds after `down`.
    static let setupKPIs: [(String, Int)] = [("setup", 0)]
    /// What a model that scraps adds after those (docs/model.md order): scrapped parts and OEE.
    static let scrapKPIs: [(String, Int)] = [("scrapped", 0), ("availability", 0), ("performance", 0), ("quality", 0), ("oee", 0)]
    static let oeeKPIs: [(String, Int)] = Array(scrapKPIs.dropFirst())

    /// The fractions of server time a model's features add, in the order of docs/model.md.
    static func featureFractions(_ spec: ModelSpec) -> [String] {
        (setsUp(spec) ? ["setup"] : []) + (spec.stations.contains { $0.operatorCrew != nil } ? ["unstaffed"] : [])
            + (spec.stations.contains { !$0.maintenance.isEmpty } ? ["maintenance"] : [])
            + (spec.stations.contains { $0.shift != nil } ? ["off_shift"] : [])
    }

    /// The station results of this model: the features' columns only where it uses them,
    /// after `down`. OEE comes with scrap, setups, planned stops or shifts.
    static func stationKPIs(_ spec: ModelSpec) -> [(String, Int)] {
        let fractions = featureFractions(spec).map { ($0, 0) }
        let oee = scraps(spec) ? scrapKPIs : fractions.isEmpty ? [] : oeeKPIs
        return Array(stationKPIs[..<4]) + fractions + oee + stationKPIs[4...]
    }

    static func scraps(_ spec: ModelSpec) -> Bool {
        spec.stations.contains { $0.scrap > 0 || ($0.typed.scrap?.contains { $0 > 0 } ?? false) }
    }

    /// The state fractions a station of this model can have, as comparisons list them.
    static func stateFractions(_ spec: ModelSpec) -> [String] {
        ["utilization", "blocked", "starved", "down"] + featureFractions(spec)
    }

    static func setsUp(_ spec: ModelSpec) -> Bool { spec.stations.contains { $0.typed.setup != nil } }

    /// The results of part type `t`: absorbed (count, rate, cycle time), present, scrapped.
    static let partKPIs: [(String, Int)] = [("count", 0), ("throughput", -1), ("cycle_time", 1), ("wip", 0), ("scrapped", 0)]

    func partPick(_ t: Int, _ kpi: String) -> (ReplicationResult) -> Double? {
        { r in
            guard t < r.parts.count else { return nil }
            let p = r.parts[t]
            switch kpi {
            case "count": return p.count
            case "throughput": return p.throughput
            case "cycle_time": return p.cycleTime
            case "wip": return p.wip
            default: return p.scrapped
            }
        }
    }

    /// Sink `k`'s results for part type `t`.
    func sinkPartPick(_ k: Int, _ t: Int, _ kpi: String) -> (ReplicationResult) -> Double? {
        { r in
            guard t < r.sinks[k].parts.count else { return nil }
            let s = r.sinks[k].parts[t]
            switch kpi {
            case "count": return s.count
            case "throughput": return s.throughput
            default: return s.cycleTime
            }
        }
    }

    static let sinkKPIs: [(String, Int)] = [("count", 0), ("throughput", -1), ("cycle_time", 1)]

    func station(_ i: Int, _ kpi: String) -> Estimate? { estimate(stationPick(i, kpi)) }

    func stationPick(_ i: Int, _ kpi: String) -> (ReplicationResult) -> Double? {
        { r in
            let s = r.stations[i]
            switch kpi {
            case "utilization": return s.utilization
            case "blocked": return s.blocked
            case "starved": return s.starved
            case "down": return s.down
            case "queue": return s.queue
            case "wait": return s.wait
            case "setup": return s.setup
            case "unstaffed": return s.unstaffed
            case "maintenance": return s.maintenance
            case "off_shift": return s.offShift
            case "scrapped": return s.scrapped
            // Planned time is what is neither off shift nor in planned stops, and run time
            // what of it the station was neither down nor setting up.
            case "availability":
                let planned = 1 - s.offShift - s.maintenance
                return planned > 0 ? (planned - s.down - s.setup) / planned : nil
            case "performance":
                let run = 1 - s.offShift - s.maintenance - s.down - s.setup
                return run > 0 ? s.utilization / run : nil
            case "quality": return s.processed > 0 ? 1 - s.scrapped / s.processed : nil
            case "oee":
                let planned = 1 - s.offShift - s.maintenance, run = planned - s.down - s.setup
                guard planned > 0, run > 0, s.processed > 0 else { return nil }
                return (run / planned) * (s.utilization / run) * (1 - s.scrapped / s.processed)
            default: return s.processed
            }
        }
    }

    /// A source's results: parts created and arrivals lost in the window, and the fraction of
    /// it spent holding a part that could not move on.
    static let sourceKPIs: [(String, Int)] = [("created", 0), ("lost", 0), ("blocked", 0)]

    func source(_ k: Int, _ kpi: String) -> Estimate? { estimate(sourcePick(k, kpi)) }

    func sourcePick(_ k: Int, _ kpi: String) -> (ReplicationResult) -> Double? {
        { r in
            guard k < r.sources.count else { return nil }
            switch kpi {
            case "created": return r.sources[k].created
            case "lost": return r.sources[k].lost
            default: return r.sources[k].blocked
            }
        }
    }

    /// A crew's results: busy members over its size, repairs waiting, the wait for a member.
    static let crewKPIs: [(String, Int)] = [("utilization", 0), ("queue", 0), ("wait", 1)]

    func crewPick(_ k: Int, _ kpi: String) -> (ReplicationResult) -> Double? {
        { r in
            guard k < r.crews.count else { return nil }
            switch kpi {
            case "utilization": return r.crews[k].utilization
            case "queue": return r.crews[k].queue
            default: return r.crews[k].wait
            }
        }
    }

    func sink(_ k: Int, _ kpi: String) -> Estimate? { estimate(sinkPick(k, kpi)) }

    func sinkPick(_ k: Int, _ kpi: String) -> (ReplicationResult) -> Double? {
        { r in
            switch kpi {
            case "count": return r.sinks[k].count
            case "throughput": return r.sinks[k].throughput
            default: return r.sinks[k].cycleTime
            }
        }
    }

    func member(_ name: String, at span: Span) throws -> Value {
        switch name {
        case "throughput": return value({ $0.throughput }, dimension: -1)
        case "wip": return value({ $0.wip }, dimension: 0)
        case "cycle_time": return value({ $0.cycleTime }, dimension: 1)
        case "scrapped" where ResultValue.scraps(spec): return value({ $0.scrapped }, dimension: 0)
        default: break
        }
        if let r = reward(name) { return ResultValue.value(r.values, dimension: r.dimension) }
        if let i = spec.stations.firstIndex(where: { $0.name == name }) {
            let kpis = ResultValue.stationKPIs(spec)
            let names = kpis.map(\.0)
            let values = kpis.map { value(stationPick(i, $0.0), dimension: $0.1) }
            return .record(RecordValue(names: names, values: values))
        }
        if let j = spec.buffers.firstIndex(where: { $0.name == name }) {
            return .record(RecordValue(names: ["level"], values: [value({ $0.buffers[j].level }, dimension: 0)]))
        }
        if let k = spec.sinks.firstIndex(where: { $0.name == name }) {
            let kpis = ResultValue.sinkKPIs
            var names = kpis.map(\.0), values = kpis.map { value(sinkPick(k, $0.0), dimension: $0.1) }
            if !spec.partTypes.isEmpty {
                names.append("parts")
                values.append(.record(RecordValue(names: spec.partTypes.map(\.name), values: spec.partTypes.indices.map { t in
                    .record(RecordValue(names: kpis.map(\.0), values: kpis.map { value(sinkPartPick(k, t, $0.0), dimension: $0.1) }))
                })))
            }
            return .record(RecordValue(names: names, values: values))
        }
        if let t = spec.partTypes.firstIndex(where: { $0.name == name }) {
            let kpis = ResultValue.partKPIs
            return .record(RecordValue(names: kpis.map(\.0), values: kpis.map { value(partPick(t, $0.0), dimension: $0.1) }))
        }
        if let k = spec.crews.firstIndex(where: { $0.name == name }) {
            let kpis = ResultValue.crewKPIs
            return .record(RecordValue(names: kpis.map(\.0), values: kpis.map { value(crewPick(k, $0.0), dimension: $0.1) }))
        }
        if let k = spec.sources.firstIndex(where: { $0.name == name }) {
            let kpis = ResultValue.sourceKPIs
            return .record(RecordValue(names: kpis.map(\.0), values: kpis.map { value(sourcePick(k, $0.0), dimension: $0.1) }))
        }
        let all = ["throughput", "wip", "cycle_time"] + rewards.map(\.name) + spec.sources.map(\.name) + spec.stations.map(\.name) + spec.buffers.map(\.name)
            + spec.sinks.map(\.name) + spec.crews.map(\.name) + spec.partTypes.map(\.name)
        let suggestion = Suggest.closest(to: name, among: all)
        throw Diagnostic("the results have no '\(name)'", at: span, label: suggestion.map { "did you mean '\($0)'?" } ?? "unknown",
                         help: "results hold throughput, wip, cycle_time, each source, station, buffer, sink, crew and part type, and the rewards declared before the run")
    }
}

/// An estimate with its time dimension (0 number, 1 duration, -1 rate).
public final class EstimateValue {
    let estimate: Estimate
    let dimension: Int
    /// The per-replication values, in replication order (those that observed the quantity).
    let values: [Double]
    init(_ e: Estimate, dimension: Int, values: [Double]) {
        estimate = e
        self.dimension = dimension
        self.values = values
    }

    func member(_ name: String, at span: Span) throws -> Value {
        switch name {
        case "mean": return Operators.make(estimate.mean, dimension)
        case "ci": return estimate.ci.map { Operators.make($0, dimension) } ?? .nil
        case "low": return Operators.make(estimate.low, dimension)
        case "high": return Operators.make(estimate.high, dimension)
        case "n": return .number(Double(estimate.n))
        case "values": return .list(ListValue(values.map { Operators.make($0, dimension) }))
        default:
            throw Diagnostic("an estimate has no '\(name)'", at: span, label: "unknown", help: "estimates have values, mean, ci, low, high and n")
        }
    }
}
