import TaktCore

/// One change of a what-if or scenario: a property, `m2.servers = 2`; a property of one of a
/// station's failures, `press.wear.up = exponential(50min)`; or the routing out of a node over
/// the same destinations, `flow m1 -> { 80%: a, 20%: b }` or `flow m1 -> [a, b] by shortest_queue`.
enum ModelChange {
    /// `failure` is the failure's name and where it is written.
    case property(element: String, failure: (name: String, span: Span)?, key: String, value: Node)
    case routing(element: String, route: StaticModel.Route, span: Span)
    /// `speed = 1.2`: a param's value while the variant's model is built and its rewards computed.
    case param(cell: GlobalCell, value: Node)
}

/// A named variant of the model, declared by `scenario NAME { ... }`.
final class ScenarioDefinition {
    let name: String
    let changes: [ModelChange]
    init(name: String, changes: [ModelChange]) {
        self.name = name
        self.changes = changes
    }
}

/// `what if ...`: the current model against a variant, on common random numbers.
final class WhatIfNode: StmtNode {
    let changes: [ModelChange]
    let text: String
    init(changes: [ModelChange], text: String, span: Span) {
        self.changes = changes
        self.text = text
        super.init(span: span)
    }
    override func exec(_ f: Frame) throws -> Completion {
        let table = try Comparison.run(f.interp, variants: [("variant", changes)], at: span)
        f.interp.output(table.render(title: "what if \(text)", jsonKey: "what_if", jsonTitle: .string(text), interp: f.interp) + "\n")
        return .normal
    }
}

/// `scenario NAME { ... }`: records the variant for later comparisons.
final class ScenarioNode: StmtNode {
    let definition: ScenarioDefinition
    init(_ definition: ScenarioDefinition, span: Span) {
        self.definition = definition
        super.init(span: span)
    }
    override func exec(_ f: Frame) throws -> Completion {
        f.interp.scenarios[definition.name] = definition
        return .normal
    }
}

/// `compare baseline, a, b`: every later one against the first.
final class CompareNode: StmtNode {
    let names: [(String, Span)]
    init(names: [(String, Span)], span: Span) {
        self.names = names
        super.init(span: span)
    }
    override func exec(_ f: Frame) throws -> Completion {
        var variants: [(String, [ModelChange])] = []
        for (name, span) in names {
            if name == "baseline" {
                variants.append(("baseline", []))
            } else if let s = f.interp.scenarios[name] {
                variants.append((name, s.changes))
            } else {
                throw Diagnostic("the scenario '\(name)' is used before its declaration has run", at: span)
            }
        }
        let table = try Comparison.run(f.interp, scenarios: variants, at: span)
        f.interp.output(table.render(title: "compare " + names.map(\.0).joined(separator: ", "), jsonKey: "compare",
                                     jsonTitle: .list(names.map(\.0)), interp: f.interp) + "\n")
        return .normal
    }
}

/// Results of several variants of one model on the same replications, with paired differences.
struct Comparison {
    enum JSONTitle { case string(String), list([String]) }

    let names: [String]
    let results: [ResultValue]

    /// Runs the baseline (cached while the model stands still) and each variant.
    static func run(_ interp: Interpreter, variants: [(String, [ModelChange])], at span: Span) throws -> Comparison {
        try run(interp, scenarios: [("baseline", [])] + variants, at: span)
    }

    static func run(_ interp: Interpreter, scenarios: [(String, [ModelChange])], at span: Span) throws -> Comparison {
        // Every variant is built, and so checked, before anything is simulated: a bad change
        // is reported at once, not after the baseline's run.
        var variants: [Variant?] = []
        for (k, (_, changes)) in scenarios.enumerated() {
            variants.append(changes.isEmpty && k == 0 ? nil : try Variant(changes, interp, at: span))
        }
        var results: [ResultValue] = []
        for (k, variant) in variants.enumerated() {
            guard let v = variant else {
                results.append(try interp.baseline(at: span))
                continue
            }
            // Common random numbers: every variant replays the baseline's replications (stream
            // family 0); without them each variant draws from a family of its own.
            let family = interp.settings.crn || scenarios[k].1.isEmpty ? 0 : k + 1
            interp.traceScenario = scenarios[k].0
            defer { interp.traceScenario = "baseline" }
            results.append(try interp.simulate(v.spec, states: v.states, params: v.params, settings: interp.settings,
                                               streamFamily: family, at: span))
        }
        return Comparison(names: scenarios.map(\.0), results: results)
    }

    /// A variant's model: params set, templates evaluated, property changes applied over them.
    struct Variant {
        let params: [ParamValue]
        let states: [String: ElementState]
        let spec: ModelSpec

        init(_ changes: [ModelChange], _ interp: Interpreter, at span: Span) throws {
            let frame = Frame(interp: interp, locals: interp.stack, closure: nil)
            var params: [ParamValue] = []
            var properties: [(element: String, failure: (name: String, span: Span)?, key: String, value: Value, span: Span)] = []
            var routes: [String: (StaticModel.Route, Span)] = [:]
            for c in changes {
                switch c {
                case .param(let cell, let value):
                    let v = try interp.withParams(params) { try value.eval(frame) }
                    params.removeAll { $0.cell === cell }
                    params.append(ParamValue(cell: cell, value: v))
                case .property(let element, let failure, let key, let value):
                    let v = try interp.withParams(params) { try value.eval(frame) }
                    properties.append((element, failure, key, v, value.span))
                case .routing(let element, let route, let span):
                    routes[element] = (route, span)
                }
            }
            do {
                var states = try interp.buildStates(params: params)
                for p in properties {
                    guard let old = states[p.element] else {
                        throw Diagnostic("'\(p.element)' is changed before its declaration has run", at: p.span)
                    }
                    states[p.element] = try ElementDeclNode.changed(old, failure: p.failure, p.key, to: p.value, at: p.span, interp)
                }
                let built = states
                spec = try interp.withParams(params) { try interp.buildSpec(states: built, routes: routes, at: span) }
                self.states = states
            } catch var d as Diagnostic where !params.isEmpty && !d.notes.contains(where: { $0.hasPrefix("where ") }) {
                // The values came from the variant's params: say which, since the model's text alone does not.
                d.notes.append("in the variant where " + params.map { "\($0.cell.name) = \(interp.formatter.short($0.value))" }
                    .joined(separator: ", "))
                throw d
            }
            self.params = params
        }
    }

    /// The KPIs of the table: plant, then each station's state fractions.
    /// A KPI's value in replication k of a result.
    typealias Pick = (ResultValue, Int) -> Double?

    /// The KPIs of the table: plant, then each station's state fractions, then each reward.
    func rows() -> [(kpi: String, dimension: Int, pick: Pick)] {
        var rows: [(String, Int, Pick)] = []
        // An agent's reward rate (in `train`'s comparisons) leads the table.
        for (j, reward) in results[0].rewards.enumerated() where reward.isAgentReward {
            rows.append((reward.name, reward.dimension, { r, k in j < r.rewards.count ? r.rewards[j].values[k] : nil }))
        }
        rows += [
            ("throughput", -1, { $0.replications[$1].throughput }), ("wip", 0, { $0.replications[$1].wip }),
            ("cycle_time", 1, { $0.replications[$1].cycleTime }),
        ]
        let fractions = ResultValue.stateFractions(results[0].spec)
        for (i, s) in results[0].spec.stations.enumerated() {
            for kpi in fractions {
                rows.append(("\(s.name).\(kpi)", 0, { r, k in r.stationPick(i, kpi)(r.replications[k]) }))
            }
        }
        for (k, c) in results[0].spec.crews.enumerated() {
            rows.append(("\(c.name).utilization", 0, { $0.replications[$1].crews[k].utilization }))
            rows.append(("\(c.name).wait", 1, { $0.replications[$1].crews[k].wait }))
        }
        for (j, reward) in results[0].rewards.enumerated() where !reward.isAgentReward {
            rows.append((reward.name, reward.dimension, { r, k in j < r.rewards.count ? r.rewards[j].values[k] : nil }))
        }
        return rows
    }

    func estimate(_ v: Int, _ pick: Pick) -> Estimate? {
        Estimate.of(results[v].replications.indices.map { pick(results[v], $0) })
    }

    /// The paired difference of variant `v` against the first, replication by replication.
    /// A difference and half-width both within 1e-9 of the baseline's magnitude are rounding
    /// noise: exactly 0 ± 0 (docs/runs.md); a half-width within 1e-9 of the
    /// difference is 0.
    func delta(_ v: Int, _ pick: Pick) -> Estimate? {
        var diffs: [Double] = []
        for k in 0..<min(results[0].replications.count, results[v].replications.count) {
            if let a = pick(results[0], k), let b = pick(results[v], k) { diffs.append(b - a) }
        }
        guard var d = Estimate.of(observed: diffs) else { return nil }
        let base = estimate(0, pick)?.mean ?? 0
        if ResultFormatter.isNoise(d.mean, of: base) && ResultFormatter.isNoise(d.ci ?? 0, of: base) {
            return Estimate(mean: 0, ci: d.ci.map { _ in 0 }, n: d.n)
        }
        if let ci = d.ci, ResultFormatter.isNoise(ci, of: d.mean) { d.ci = 0 }
        return d
    }

    func render(title: String, jsonKey: String, jsonTitle: JSONTitle, interp: Interpreter) -> String {
        // Every table a script shows is in its report too.
        interp.report?.comparisons.append((title, self))
        let f = ResultFormatter(unit: interp.settings.timeUnit)
        if interp.settings.json {
            let titleJSON: String
            switch jsonTitle {
            case .string(let s): titleJSON = ResultFormatter.jsonString(s)
            case .list(let l): titleJSON = "[" + l.map(ResultFormatter.jsonString).joined(separator: ", ") + "]"
            }
            return "{\"\(jsonKey)\": \(titleJSON), \"rows\": [\(rowsJSON(interp: interp).joined(separator: ", "))]}"
        }
        var header = ["kpi"] + names
        for v in names.indices.dropFirst() { header += ["delta \(names[v])", "95% CI", ""] }
        var body: [[String]] = []
        for row in rows() {
            var cells = [row.kpi]
            for v in names.indices {
                cells.append(estimate(v, row.pick).map { f.meanText($0.mean, row.dimension) } ?? "-")
            }
            for v in names.indices.dropFirst() {
                if let d = delta(v, row.pick) {
                    let (deltaText, ciText) = f.paired(d, row.dimension)
                    cells.append(deltaText)
                    cells.append(ciText)
                    cells.append(Comparison.significant(d) ? "*" : "")
                } else {
                    cells += ["-", "-", ""]
                }
            }
            body.append(cells)
        }
        let s = results[0].settings
        let crn = s.crn ? "common random numbers" : "independent streams"
        return "\(title)\n\(s.replications) replication\(s.replications == 1 ? "" : "s"), \(crn); * marks a difference whose 95% CI excludes zero\n\n"
            + f.table(header, body).dropLastNewline.replacingTrailingSpaces
    }

    /// Each KPI as a JSON object (section 9's ROW), with `extra` fields first when given.
    func rowsJSON(interp: Interpreter, extra: String? = nil) -> [String] {
        let f = ResultFormatter(unit: interp.settings.timeUnit)
        var rowsJSON: [String] = []
        for row in rows() {
            let values = names.indices.map { v -> String in
                let e = estimate(v, row.pick)
                return ResultFormatter.jsonString(names[v]) + ": " + (e.map { f.json(f.scaled($0.mean, row.dimension)) } ?? "null")
            }
            let deltas = names.indices.dropFirst().map { v -> String in
                guard let d = delta(v, row.pick) else { return ResultFormatter.jsonString(names[v]) + ": null" }
                let ci = d.ci.map { f.json(f.scaled($0, row.dimension)) } ?? "null"
                return ResultFormatter.jsonString(names[v]) + ": {\"delta\": \(f.json(f.scaled(d.mean, row.dimension))), \"ci95\": \(ci), \"significant\": \(Comparison.significant(d))}"
            }
            let lead = extra.map { $0 + ", " } ?? ""
            rowsJSON.append("{\(lead)\"kpi\": \(ResultFormatter.jsonString(row.kpi)), \"values\": {\(values.joined(separator: ", "))}, \"deltas\": {\(deltas.joined(separator: ", "))}}")
        }
        return rowsJSON
    }

    static func significant(_ d: Estimate) -> Bool {
        guard let ci = d.ci else { return false }
        return abs(d.mean) > ci
    }
}

extension ResultFormatter {
    /// A mean to four significant digits, in the time unit.
    func meanText(_ x: Double, _ dimension: Int, suffix withSuffix: Bool = true) -> String {
        let v = scaled(x, dimension)
        let text = v == 0 ? "0" : ValueFormatter.number(ValueFormatter.fourDigits(v))
        return withSuffix ? text + suffix(dimension) : text
    }

    /// A paired difference and its half-width, rounded alike: `+0.1312/min`, `± 0.0048`. With
    /// one replication (no half-width) the difference has the means' 4 significant digits.
    func paired(_ d: Estimate, _ dimension: Int) -> (String, String) {
        let text = d.ci == nil ? meanText(d.mean, dimension) : estimate(d, dimension: dimension)
        let parts = text.components(separatedBy: " ± ")
        let nonzero = parts[0].contains { "123456789".contains($0) }
        let sign = d.mean > 0 && nonzero ? "+" : ""
        return (sign + parts[0], parts.count > 1 ? "± " + parts[1] : "-")
    }
}

extension String {
    /// Tables pad cells to the column; trailing spaces on a line carry nothing.
    var replacingTrailingSpaces: String {
        split(separator: "\n", omittingEmptySubsequences: false)
            .map { line -> Substring in
                var l = line
                while l.last == " " { l = l.dropLast() }
                return l
            }
            .joined(separator: "\n")
    }
}
