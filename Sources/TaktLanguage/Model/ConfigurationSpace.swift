import TaktCore
import TaktOptimizer

/// The configurations an optimization spans: each one's model built once from the templates
/// with its values (or found infeasible, costing no runs), its runs made on the worker pool,
/// and its rewards computed per run.
final class ConfigurationSpace {
    let node: OptimizeNode
    let values: [[Value]]
    let rewards: [RewardDefinition]
    let interp: Interpreter

    struct Prepared {
        let params: [ParamValue]
        let states: [String: ElementState]
        let spec: ModelSpec
    }

    private var cache: [[Int]: Prepared?] = [:]
    private var ran: Set<[Int]> = []
    /// Why the first infeasible configuration was, for the error when none is feasible.
    private(set) var firstInfeasibility: String?
    /// Each objective's time dimension, from its first value.
    private var dimensions: [Int?]

    init(node: OptimizeNode, values: [[Value]], rewards: [RewardDefinition], interp: Interpreter) {
        self.node = node
        self.values = values
        self.rewards = rewards
        self.interp = interp
        dimensions = Array(repeating: nil, count: rewards.count)
    }

    var evaluatedCount: Int { ran.count }
    var frame: Frame { Frame(interp: interp, locals: interp.stack, closure: nil) }

    func configuration(_ c: [Int]) -> Value {
        .record(RecordValue(names: node.vary.map(\.name), values: c.enumerated().map { values[$0.offset][$0.element] }))
    }

    func describe(_ c: [Int]) -> String { interp.formatter.short(configuration(c)) }

    /// The configuration's model, or nil when a constraint excludes it or its model is invalid.
    func prepare(_ c: [Int]) throws -> Prepared? {
        if let known = cache[c] { return known }
        try interp.checkInterrupt()
        var params: [ParamValue] = []
        var changes: [(vary: OptimizeNode.Vary, value: Value)] = []
        for (d, v) in node.vary.enumerated() {
            switch v.target {
            case .param(let cell): params.append(ParamValue(cell: cell, value: values[d][c[d]]))
            case .property: changes.append((v, values[d][c[d]]))
            }
        }
        func infeasible(_ why: String) -> Prepared? {
            if firstInfeasibility == nil { firstInfeasibility = "\(describe(c)): \(why)" }
            cache[c] = .some(nil)
            return nil
        }
        var states: [String: ElementState]
        do {
            states = try interp.buildStates(params: params)
            for (v, value) in changes {
                guard case .property(let element, let failure, let key) = v.target, let old = states[element] else { continue }
                states[element] = try ElementDeclNode.changed(old, failure: failure, key, to: value, at: v.span, interp)
            }
        } catch let d as Diagnostic {
            return infeasible(d.message)
        }
        let built = states
        for constraint in node.constraints {
            let v = try interp.withParams(params) {
                try interp.withOverlay(states: built, replication: nil) { try constraint.eval(frame) }
            }
            guard case .bool(let holds) = v else {
                throw Diagnostic("'subject to' needs a boolean condition", at: constraint.span,
                                 label: "this is \(interp.formatter.short(v))", notes: ["in the configuration \(describe(c))"])
            }
            if !holds { return infeasible("a 'subject to' condition does not hold") }
        }
        do {
            let spec = try interp.withParams(params) { try interp.buildSpec(states: built, at: node.span) }
            let prepared = Prepared(params: params, states: built, spec: spec)
            cache[c] = prepared
            return prepared
        } catch let d as Diagnostic {
            return infeasible(d.message)
        }
    }

    /// Runs the pairs as one batch on the worker pool and returns each run's objectives,
    /// oriented so that larger is better.
    func evaluate(_ runs: [SearchProblem.Run]) throws -> [[Double]] {
        var models: [ModelSpec] = [], modelOf: [[Int]: Int] = [:], prepared: [Prepared] = []
        for run in runs where modelOf[run.configuration] == nil {
            guard let p = try prepare(run.configuration) else {
                throw Diagnostic("internal error: an infeasible configuration was to be run", at: node.span)
            }
            modelOf[run.configuration] = models.count
            models.append(p.spec)
            prepared.append(p)
        }
        let s = interp.settings
        let core = RunSettingsCore(warmup: s.warmup, horizon: s.horizon, seed: s.seed, maxParts: s.maxParts,
                                   stallTolerance: 1e-9 * s.timeUnit.seconds, streamFamily: 0)
        let batch = runs.map { Simulation.BatchRun(model: modelOf[$0.configuration]!, settings: core, replication: $0.replication) }
        let results: [Result<ReplicationResult, SimulationError>]
        do {
            results = try Simulation.runBatch(models: models, runs: batch, jobs: s.jobs,
                                              shouldStop: { interruptRequested.load(ordering: .relaxed) })
        } catch let e as SimulationError {
            throw interp.simulationError(e, spec: models[0], settings: s, at: node.span)
        }
        var out: [[Double]] = []
        out.reserveCapacity(runs.count)
        for (run, result) in zip(runs, results) {
            let k = modelOf[run.configuration]!
            let p = prepared[k]
            ran.insert(run.configuration)
            switch result {
            case .failure(let e):
                let error = interp.simulationError(e, spec: p.spec, settings: s, at: node.span)
                guard var d = error as? Diagnostic else { throw error }
                d.notes.append("in the configuration \(describe(run.configuration))")
                throw d
            case .success(let r):
                var objectives: [Double] = []
                for (j, reward) in rewards.enumerated() {
                    let (x, dim) = try interp.withParams(p.params) {
                        try reward.value(ReplicationContext(spec: p.spec, result: r), states: p.states, interp: interp,
                                         configuration: { self.describe(run.configuration) })
                    }
                    if let first = dimensions[j], first != dim {
                        throw Diagnostic("the reward '\(reward.name)' is a \(RewardValues.kind(first)) in one run and a \(RewardValues.kind(dim)) in another",
                                         at: reward.span, notes: ["in the configuration \(describe(run.configuration))"])
                    }
                    dimensions[j] = dim
                    objectives.append(node.objectives[j].direction == .maximize ? x : -x)
                }
                out.append(objectives)
            }
        }
        return out
    }

    // MARK: Findings

    func sign(_ objective: Int) -> Double { node.objectives[objective].direction == .maximize ? 1 : -1 }
    func dimension(_ objective: Int) -> Int { dimensions[objective] ?? 0 }

    /// An oriented value as the reward reads, in the time unit.
    func shown(_ x: Double, objective: Int) -> Double {
        ResultFormatter(unit: interp.settings.timeUnit).scaled(sign(objective) * x, dimension(objective))
    }

    /// The reward's estimate from these runs (oriented values), as the reward reads.
    func estimate(_ oriented: [Double], objective: Int) -> (Estimate, Value) {
        let raw = oriented.map { sign(objective) * $0 }
        let e = Estimate.of(observed: raw) ?? Estimate(mean: 0, ci: nil, n: 0)
        return (e, .estimate(EstimateValue(e, dimension: dimension(objective), values: raw)))
    }

    func values(_ record: SearchRecord, objective: Int) -> [Double] {
        record.replicationNumbers.map { record.runs[$0]![objective] }
    }

    func findings(_ outcome: Optimizer.Outcome, title: String) -> OptimizeNode.Findings {
        let f = ResultFormatter(unit: interp.settings.timeUnit)
        let reward = node.objectives[0].name
        let pick = outcome.records.first { $0.configuration == outcome.pick }!
        let fresh = outcome.holdout.isEmpty ? values(pick, objective: 0) : outcome.holdout
        let (best, bestValue) = estimate(fresh, objective: 0)
        let others = outcome.records.filter { $0.configuration != outcome.pick }
            .enumerated().sorted { $0.element.mean() != $1.element.mean() ? $0.element.mean() > $1.element.mean() : $0.offset < $1.offset }
            .map(\.element)
        let top = [pick] + others.prefix(4)
        let topEstimates = top.enumerated().map { k, r in k == 0 ? (best, bestValue) : estimate(values(r, objective: 0), objective: 0) }
        let confidence = Optimizer.confidence(pick: pick, others: Array(top.dropFirst()))
        let rawEffects = Optimizer.effects(outcome.records, sizes: values.map(\.count))
        let effectOrder = rawEffects.indices.sorted { rawEffects[$0] != rawEffects[$1] ? rawEffects[$0] > rawEffects[$1] : $0 < $1 }
        let dim = dimension(0)
        let topValue = Value.list(ListValue(zip(top, topEstimates).map { r, e in
            .record(RecordValue(names: ["config", "reward"], values: [configuration(r.configuration), e.1]))
        }))
        let effects = Value.record(RecordValue(names: effectOrder.map { node.vary[$0].name },
                                               values: effectOrder.map { Operators.make(rawEffects[$0], dim) }))
        if let report = interp.report {
            var best = -Double.infinity
            let progress = outcome.records.map { r -> Double in
                best = max(best, r.mean())
                return shown(best, objective: 0)
            }
            report.optimizations.append(Report.Optimization(title: title, reward: reward, progress: progress,
                                                            effects: effectOrder.map { (node.vary[$0].name, f.scaled(rawEffects[$0], dim)) }))
        }
        let value = Value.record(RecordValue(
            names: ["config", "reward", "runs", "evaluated", "top", "confidence", "effects"],
            values: [configuration(outcome.pick), bestValue, .number(Double(outcome.runs)), .number(Double(outcome.records.count)),
                     topValue, .number(confidence), effects]))

        // The summary a statement prints.
        let method = outcome.exhaustive ? "every feasible configuration run" : "a neighbourhood search"
        var text = "\(title): \(outcome.records.count) configuration\(outcome.records.count == 1 ? "" : "s") evaluated in \(outcome.runs) runs (\(method))\n"
        text += "  config:     \(describe(outcome.pick))\n"
        let freshNote = outcome.holdout.isEmpty ? "from its search runs" : "from \(outcome.holdout.count) fresh replications"
        text += "  \(reward):\(String(repeating: " ", count: max(1, 11 - reward.count)))\(f.estimate(best, dimension: dim)) (\(freshNote))\n"
        text += "  confidence: \(ValueFormatter.number((confidence * 1000).rounded() / 1000))\n\n"
        let header = ["rank"] + node.vary.map(\.name) + [reward]
        let rows = zip(top, topEstimates).enumerated().map { k, pair in
            ["\(k + 1)"] + pair.0.configuration.enumerated().map { interp.formatter.short(values[$0.offset][$0.element]) }
                + [f.estimate(pair.1.0, dimension: dim)]
        }
        text += f.table(header, rows)
        text += "\n" + f.table(["effect on \(reward)", "max - min of mean"],
                               effectOrder.map { [node.vary[$0].name, f.meanText(rawEffects[$0], dim)] })

        // The JSON object of docs/json.md.
        let direction = node.objectives[0].direction.rawValue
        let topJSON = zip(top, topEstimates).map { r, e in "{\"config\": \(configJSON(r.configuration)), \"reward\": \(f.json(e.0, dim))}" }
        let effectsJSON = effectOrder.map { ResultFormatter.jsonString(node.vary[$0].name) + ": " + f.json(f.scaled(rawEffects[$0], dim)) }
        let json = "{\"\(direction)\": \(ResultFormatter.jsonString(reward)), \"config\": \(configJSON(outcome.pick)), "
            + "\"reward\": \(f.json(best, dim)), \"runs\": \(outcome.runs), \"evaluated\": \(outcome.records.count), "
            + "\"confidence\": \(f.json(confidence)), \"top\": [\(topJSON.joined(separator: ", "))], "
            + "\"effects\": {\(effectsJSON.joined(separator: ", "))}}"
        return OptimizeNode.Findings(value: value, summary: text.dropLastNewline.replacingTrailingSpaces, json: json)
    }

    func paretoFindings(_ front: [SearchRecord], runs: Int, evaluated: Int, title: String) -> OptimizeNode.Findings {
        let f = ResultFormatter(unit: interp.settings.timeUnit)
        let sorted = front.enumerated().sorted { a, b in
            let x = a.element.mean(0), y = b.element.mean(0)
            return x != y ? x > y : a.offset < b.offset
        }.map(\.element)
        let names = node.objectives.map(\.name)
        var items: [Value] = [], rows: [[String]] = [], jsonItems: [String] = []
        for r in sorted {
            let estimates = names.indices.map { estimate(values(r, objective: $0), objective: $0) }
            items.append(.record(RecordValue(names: ["config"] + names, values: [configuration(r.configuration)] + estimates.map(\.1))))
            rows.append(r.configuration.enumerated().map { interp.formatter.short(values[$0.offset][$0.element]) }
                        + estimates.enumerated().map { f.estimate($0.element.0, dimension: dimension($0.offset)) })
            jsonItems.append("{\"config\": \(configJSON(r.configuration)), "
                             + estimates.enumerated().map { ResultFormatter.jsonString(names[$0.offset]) + ": " + f.json($0.element.0, dimension($0.offset)) }
                                .joined(separator: ", ") + "}")
        }
        var text = "\(title): \(sorted.count) configuration\(sorted.count == 1 ? "" : "s") on the front, of \(evaluated) evaluated in \(runs) runs\n\n"
        let header = node.vary.map(\.name) + node.objectives.map { "\($0.name) (\($0.direction.rawValue))" }
        text += f.table(header, rows)
        if let report = interp.report {
            let points = sorted.map { r in (shown(r.mean(0), objective: 0), shown(r.mean(1), objective: 1)) }
            report.optimizations.append(Report.Optimization(title: title, reward: names[0], progress: [], effects: [],
                                                            front: (header, rows, names, points)))
        }
        let json = "{\"pareto\": [\(names.map(ResultFormatter.jsonString).joined(separator: ", "))], \"runs\": \(runs), "
            + "\"evaluated\": \(evaluated), \"front\": [\(jsonItems.joined(separator: ", "))]}"
        return OptimizeNode.Findings(value: .list(ListValue(items)), summary: text.dropLastNewline.replacingTrailingSpaces, json: json)
    }

    /// A configuration as JSON: numbers as they are, durations in the time unit, distributions as text.
    func configJSON(_ c: [Int]) -> String {
        let f = ResultFormatter(unit: interp.settings.timeUnit)
        let fields = c.enumerated().map { d, k -> String in
            let v = values[d][k]
            let text: String
            switch v {
            case .number(let x): text = f.json(x)
            case .duration(let x): text = f.json(f.scaled(x, 1))
            default: text = ResultFormatter.jsonString(interp.formatter.short(v))
            }
            return ResultFormatter.jsonString(node.vary[d].name) + ": " + text
        }
        return "{" + fields.joined(separator: ", ") + "}"
    }
}
