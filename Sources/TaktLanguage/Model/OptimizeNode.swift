import TaktCore
import TaktOptimizer

/// `maximize NAME { ... }`, `minimize NAME { ... }` and `pareto { ... }` running
/// (docs/optimization.md): the varied values are listed and checked, each configuration's model is built
/// from the templates with its values, and the search of TaktOptimizer decides what to run.
final class OptimizeNode: Node {
    struct Objective {
        let direction: OptimizeDirection
        let name: String
        let span: Span
    }
    enum Target {
        case param(GlobalCell)
        case property(element: String, failure: (name: String, span: Span)?, key: String)
    }
    struct Vary {
        /// As written in the `vary` line: the key of `config`.
        let name: String
        let target: Target
        let domain: Node
        let step: Node?
        let span: Span
    }

    let objectives: [Objective]
    let pareto: Bool
    let vary: [Vary]
    let constraints: [Node]
    let budget: (Node, Span)?
    let replications: (Node, Span)?

    static let defaultBudget = 500
    static let defaultReplications = 2
    static let maxBudget = 10_000_000
    static let maxValues = 1_000_000

    init(objectives: [Objective], pareto: Bool, vary: [Vary], constraints: [Node], budget: (Node, Span)?,
         replications: (Node, Span)?, span: Span) {
        self.objectives = objectives
        self.pareto = pareto
        self.vary = vary
        self.constraints = constraints
        self.budget = budget
        self.replications = replications
        super.init(span: span)
    }

    override func eval(_ f: Frame) throws -> Value {
        try run(f).value
    }

    /// The search's findings, as a value and as the summary a statement prints.
    struct Findings {
        let value: Value
        let summary: String
        let json: String
    }

    func run(_ f: Frame) throws -> Findings {
        let interp = f.interp
        let r = try wholeNumber(replications, default: OptimizeNode.defaultReplications, atLeast: 1,
                                atMost: RunSettings.maxReplications, "replications", f)
        let b = try wholeNumber(budget, default: OptimizeNode.defaultBudget, atLeast: r, atMost: OptimizeNode.maxBudget, "budget", f)
        let rewards = try objectives.map { o -> RewardDefinition in
            guard let def = interp.rewards.first(where: { $0.name == o.name }) else {
                throw Diagnostic("the reward '\(o.name)' is used before its declaration has run", at: o.span,
                                 help: "declare rewards above the \(pareto ? "pareto search" : o.direction.rawValue)")
            }
            return def
        }
        let values = try vary.map { try domain($0, f) }
        let space = ConfigurationSpace(node: self, values: values, rewards: rewards, interp: interp)
        var problem = SearchProblem(sizes: values.map(\.count), replications: r, budget: b, seed: interp.settings.seed,
                                    isFeasible: { try space.prepare($0) != nil },
                                    evaluate: { try space.evaluate($0) })
        let title = pareto ? "pareto " + objectives.map(\.name).joined(separator: ", ") : "\(objectives[0].direction.rawValue) \(objectives[0].name)"
        if let show = interp.progress {
            problem.progress = { used, best in
                let bestText = best.map { " · best so far " + ValueFormatter.number(space.shown($0, objective: 0)) } ?? ""
                show("\(title): \(used) of \(b) runs\(bestText)")
            }
            show("\(title): 0 of \(b) runs")
        }
        defer { interp.progress?(nil) }
        do {
            if pareto {
                let (front, runs) = try Optimizer.pareto(problem, objectives: objectives.count)
                return space.paretoFindings(front, runs: runs, evaluated: space.evaluatedCount, title: title)
            }
            let outcome = try Optimizer.maximize(problem)
            return space.findings(outcome, title: title)
        } catch SearchError.noFeasibleConfiguration {
            throw Diagnostic("no feasible configuration found", at: span, label: "every configuration breaks a constraint or builds an invalid model",
                             notes: space.firstInfeasibility.map { ["for example \($0)"] } ?? [])
        }
    }

    /// A whole-number setting from `atLeast` to `atMost`, located at its line.
    func wholeNumber(_ setting: (Node, Span)?, default value: Int, atLeast low: Int, atMost high: Int, _ name: String,
                     _ f: Frame) throws -> Int {
        guard let (node, span) = setting else { return max(value, low) }
        let v = try node.eval(f)
        guard case .number(let x) = v, x.rounded() == x, x >= Double(low), x <= Double(high) else {
            let bound = name == "budget" && low > 1 ? " (at least the replications, \(low))" : ""
            throw Diagnostic("\(name) must be a whole number from \(low) to \(RunDiagnostics.grouped(high))\(bound)", at: span,
                             label: "this is \(f.interp.formatter.short(v))")
        }
        return Int(x)
    }

    /// The values of one `vary` line, each checked against the property's domain.
    func domain(_ v: Vary, _ f: Frame) throws -> [Value] {
        let interp = f.interp
        let d = try v.domain.eval(f)
        var values: [Value] = []
        switch d {
        case .range(let range):
            var step = 1
            if let s = v.step {
                let sv = try s.eval(f)
                guard case .number(let x) = sv, x.rounded() == x, x >= 1, x <= 1e15 else {
                    throw Diagnostic("step must be a whole number >= 1", at: s.span, label: "this is \(interp.formatter.short(sv))")
                }
                step = Int(x)
            }
            let upper = range.closed ? range.upper : range.upper - 1
            if range.lower <= upper {
                let count = (upper - range.lower) / step + 1
                guard count <= OptimizeNode.maxValues else {
                    throw Diagnostic("'\(v.name)' takes \(RunDiagnostics.grouped(count)) values; at most \(RunDiagnostics.grouped(OptimizeNode.maxValues))",
                                     at: v.span)
                }
                values = stride(from: range.lower, through: upper, by: step).map { .number(Double($0)) }
            }
        case .list(let list):
            if let s = v.step {
                throw Diagnostic("'step' applies to a range low...high, not to a list", at: s.span)
            }
            for item in list.items {
                switch item {
                case .number, .duration, .distribution: values.append(item)
                default:
                    throw Diagnostic("a vary list holds numbers, durations or distributions, not a \(item.typeName)", at: v.span,
                                     label: "'\(interp.formatter.short(item))' in the list")
                }
            }
        default:
            throw Diagnostic("vary takes a range low...high or a list of values, not a \(d.typeName)", at: v.span,
                             help: "for example: vary b1.capacity in 0...10, or vary speed in [1.0, 1.2, 1.5]")
        }
        guard !values.isEmpty else {
            throw Diagnostic("'\(v.name)' is given no values to take", at: v.span, label: "an empty range or list")
        }
        if case .property(let element, let failure, let key) = v.target {
            // A value that breaks the property's own domain is wrong whatever the others are.
            guard let base = try interp.currentState(element) else {
                throw Diagnostic("'\(element)' is varied before its declaration has run", at: v.span)
            }
            for value in values {
                _ = try ElementDeclNode.changed(base, failure: failure, key, to: value, at: v.span, interp)
            }
        }
        return values
    }
}

/// `maximize ...` as a statement: the summary, or its JSON object with `--json`.
final class OptimizeStatementNode: StmtNode {
    let node: OptimizeNode
    init(_ node: OptimizeNode) {
        self.node = node
        super.init(span: node.span)
    }
    override func exec(_ f: Frame) throws -> Completion {
        let findings = try node.run(f)
        f.interp.output((f.interp.settings.json ? findings.json : findings.summary) + "\n")
        return .normal
    }
}
