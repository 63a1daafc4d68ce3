import Foundation
import TaktCore
import TaktOptimizer

/// `train A` or `train A, B` (docs/agents.md): episodes from an empty plant, each on its
/// own random streams, a ten-row learning curve on the `eval` streams, then the trained policy
/// against every built-in rule on common random numbers.
final class TrainNode: Node {
    let agents: [String]
    static let rules: [(name: String, rule: RoutingRule)] = [
        ("random", .random), ("round_robin", .roundRobin), ("shortest_queue", .shortestQueue), ("first_available", .firstAvailable),
    ]
    /// The stream key of the curve's greedy episodes; episode e of training is -(e + 1).
    static let evalFamily = -0x6576_616C

    init(agents: [String], span: Span) {
        self.agents = agents
        super.init(span: span)
    }

    override func eval(_ f: Frame) throws -> Value { .record(try run(f.interp).value(f.interp)) }

    static func episodeFamily(_ episode: Int) -> Int { -1 - episode }

    /// The seed of an agent's exploration in an episode.
    static func walkSeed(_ seed: UInt64, episode: Int, agent: Int) -> UInt64 {
        (seed &* 0x9E37_79B9_7F4A_7C15) ^ (UInt64(episode) &* 0xBF58_476D_1CE4_E5B9) ^ (UInt64(agent) &* 0x94D0_49BB_1331_11EB)
    }

    func run(_ interp: Interpreter) throws -> TrainingReport {
        var definitions: [AgentDefinition] = []
        for name in agents {
            guard let d = interp.agents[name] else {
                throw Diagnostic("the agent '\(name)' is trained before its declaration has run", at: span)
            }
            guard d.training != nil else {
                throw Diagnostic("the agent '\(name)' has no train setting", at: span, label: "how long should it learn?",
                                 help: "add 'train: 200 episodes of 2000min' to its declaration")
            }
            definitions.append(d)
        }
        let (states, spec) = try interp.declaredModel(at: span)
        let model = interp.staticModel!
        let used = spec.decidersUsed
        var indexes: [Int] = []
        for name in agents {
            guard let k = model.agentNames.firstIndex(of: name), used.contains(k) else {
                throw Diagnostic("no choice of the plant names the agent '\(name)'", at: span, label: "it would decide nothing")
            }
            indexes.append(k)
        }
        for k in used.sorted() where !indexes.contains(k) && interp.agents[model.agentNames[k]]?.policy == nil {
            let other = model.agentNames[k]
            throw Diagnostic("'\(other)' acts in this plant too and is untrained", at: span, label: "train them together",
                             help: "train \((agents + [other]).joined(separator: ", ")), or load a policy for '\(other)' first")
        }
        let (episodes, length) = definitions[0].training!
        let unit = interp.settings.timeUnit.seconds
        let learners = zip(agents, definitions).map { name, d in
            QLearner(actions: model.agentChoices[name]?.first?.targets.count ?? 1, settings: d.settings)
        }
        let bound = try definitions.map { try $0.bound(interp) }
        let seed = interp.settings.seed
        func core(_ family: Int) -> RunSettingsCore {
            RunSettingsCore(warmup: 0, horizon: length, seed: seed, maxParts: interp.settings.maxParts,
                            stallTolerance: 1e-9 * unit, streamFamily: family)
        }
        /// One episode from an empty plant, the agents at `deciders` overriding their policies.
        func episode(_ family: Int, deciders: [Int: DeciderFactory], monitors: [DeciderFactory] = []) throws {
            let all = try interp.agentDeciders(for: spec, overriding: deciders, at: span) + monitors
            do {
                _ = try Simulation.run(spec, settings: core(family), replications: 1, jobs: 1, deciders: all,
                                       shouldStop: { interruptRequested.load(ordering: .relaxed) })
            } catch let e as SimulationError {
                throw interp.simulationError(e, spec: spec, settings: interp.settings, at: span)
            }
        }
        let title = "train " + agents.joined(separator: ", ")
        defer { interp.progress?(nil) }
        var curve: [(episodes: Int, rates: [Double])] = []
        var nextRow = 1
        var lastShown = Date.distantPast
        for e in 0..<episodes {
            try interp.checkInterrupt()
            if let show = interp.progress, Date().timeIntervalSince(lastShown) > 0.1 {
                show("\(title): episode \(e) of \(episodes)")
                lastShown = Date()
            }
            var deciders: [Int: DeciderFactory] = [:]
            for (j, k) in indexes.enumerated() {
                let learner = SendableBox(value: learners[j]), b = SendableBox(value: bound[j])
                let walk = TrainNode.walkSeed(seed, episode: e, agent: j)
                deciders[k] = { _ in
                    LearningAgent(learner: learner.value, observe: b.value.observe, reward: b.value.reward, secondsPerUnit: unit, seed: walk)
                }
            }
            try episode(TrainNode.episodeFamily(e), deciders: deciders)
            for (name, l) in zip(agents, learners) {
                if l.overflowed {
                    throw Diagnostic("'\(name)' has met more than \(QLearner.maxStates) distinct observations", at: span,
                                     label: "too many for a table", help: "observe fewer or coarser values (counts rather than times)")
                }
                l.endEpisode()
            }
            while nextRow <= 10 && e + 1 >= (nextRow * episodes + 9) / 10 {
                // A greedy episode on the `eval` streams, each agent's reward integrated.
                let boxes = agents.map { _ in RewardRates() }
                var greedy: [Int: DeciderFactory] = [:]
                var monitors: [DeciderFactory] = []
                for (j, k) in indexes.enumerated() {
                    let policy = learners[j].policy(interim: e + 1 < episodes), b = SendableBox(value: bound[j]), box = boxes[j]
                    greedy[k] = { _ in GreedyAgent(observe: b.value.observe, policy: policy, secondsPerUnit: unit) }
                    monitors.append({ r in RewardMonitor(box: box, replication: r, integral: RewardIntegral(reward: b.value.reward, secondsPerUnit: unit)) })
                }
                try episode(TrainNode.evalFamily, deciders: greedy, monitors: monitors)
                curve.append(((nextRow * episodes + 9) / 10, boxes.map { $0.values(0..<1)[0] }))
                nextRow += 1
            }
        }
        for (d, l) in zip(definitions, learners) { d.policy = l.policy() }
        interp.baselineCache = nil
        interp.progress?(nil)
        // The trained policies against every built-in rule, on common random numbers.
        var versus: [Comparison] = []
        for (name, k) in zip(agents, indexes) {
            var results = [try interp.simulate(spec, states: states, settings: interp.settings, streamFamily: 0, monitors: [name], at: span)]
            for r in TrainNode.rules {
                try interp.checkInterrupt()
                var variant = spec
                variant.replaceDecider(k, by: r.rule)
                results.append(try interp.simulate(variant, states: states, settings: interp.settings, streamFamily: 0, monitors: [name], at: span))
            }
            versus.append(Comparison(names: [name] + TrainNode.rules.map(\.name), results: results))
        }
        interp.report?.learning.append(Report.Learning(title: "train " + agents.joined(separator: ", "), agents: agents, curve: curve))
        return TrainingReport(agents: agents, episodes: episodes, length: length, curve: curve, versus: versus)
    }
}

/// What `train` found: the learning curve and the comparisons with the rules.
struct TrainingReport {
    let agents: [String]
    let episodes: Int
    let length: Double
    let curve: [(episodes: Int, rates: [Double])]
    let versus: [Comparison]

    func summary(_ interp: Interpreter) -> String {
        let f = ResultFormatter(unit: interp.settings.timeUnit)
        let header = ["episodes"] + agents.map { "\($0) reward rate" }
        let rows = curve.map { row in ["\(row.episodes)"] + row.rates.map { f.meanText($0, 0, suffix: false) } }
        var out = "train \(agents.joined(separator: ", ")): \(episodes) episodes of \(interp.formatter.format(.duration(length)))\n"
        out += "learning curve (greedy episode on the eval streams after each tenth)\n\n"
        out += f.table(header, rows).dropLastNewline.replacingTrailingSpaces
        for (name, c) in zip(agents, versus) {
            out += "\n\n" + c.render(title: "\(name) against the rules", jsonKey: "compare", jsonTitle: .list(c.names), interp: interp)
        }
        return out
    }

    func json(_ interp: Interpreter) -> String {
        let f = ResultFormatter(unit: interp.settings.timeUnit)
        let curveJSON = curve.map { row -> String in
            var fields = ["\"episodes\": \(row.episodes)", "\"reward_rate\": \(f.json(row.rates[0]))"]
            for (name, r) in zip(agents, row.rates) { fields.append("\(ResultFormatter.jsonString(name)): \(f.json(r))") }
            return "{" + fields.joined(separator: ", ") + "}"
        }
        var rows: [String] = []
        for (name, c) in zip(agents, versus) {
            rows += c.rowsJSON(interp: interp, extra: "\"agent\": \(ResultFormatter.jsonString(name))")
        }
        return "{\"train\": [\(agents.map(ResultFormatter.jsonString).joined(separator: ", "))], \"curve\": [\(curveJSON.joined(separator: ", "))], \"versus\": [\(rows.joined(separator: ", "))]}"
    }

    /// `{curve: [{episodes, NAME: rate, ...}], versus: {NAME: {RULE: ROWS}}}`, where ROWS has a
    /// record per KPI: the agent's value, the rule's, and the paired difference.
    func value(_ interp: Interpreter) -> RecordValue {
        let curveValue = curve.map { row in
            Value.record(RecordValue(names: ["episodes"] + agents, values: [.number(Double(row.episodes))] + row.rates.map { .number($0) }))
        }
        var versusValues: [Value] = []
        for c in versus {
            var perRule: [Value] = []
            for v in c.names.indices.dropFirst() {
                var kpis: [String] = [], records: [Value] = []
                for row in c.rows() {
                    guard let a = c.estimate(0, row.pick), let b = c.estimate(v, row.pick), let d = c.delta(v, row.pick) else { continue }
                    kpis.append(row.kpi)
                    func typed(_ x: Double) -> Value {
                        row.dimension == 1 ? .duration(x) : row.dimension == -1 ? .rate(x) : .number(x)
                    }
                    records.append(.record(RecordValue(
                        names: ["agent", "rule", "delta", "ci95", "significant"],
                        values: [typed(a.mean), typed(b.mean), typed(d.mean), d.ci.map(typed) ?? .nil, .bool(Comparison.significant(d))])))
                }
                perRule.append(.record(RecordValue(names: kpis, values: records)))
            }
            versusValues.append(.record(RecordValue(names: Array(c.names.dropFirst()), values: perRule)))
        }
        return RecordValue(names: ["curve", "versus"],
                           values: [.list(ListValue(curveValue)), .record(RecordValue(names: agents, values: versusValues))])
    }
}

/// `train ...` standing as a statement prints the curve and the comparisons.
final class TrainStatementNode: StmtNode {
    let node: TrainNode
    init(_ node: TrainNode) {
        self.node = node
        super.init(span: node.span)
    }
    override func exec(_ f: Frame) throws -> Completion {
        let report = try node.run(f.interp)
        f.interp.output((f.interp.settings.json ? report.json(f.interp) : report.summary(f.interp)) + "\n")
        return .normal
    }
}
