import TaktCore
import TaktOptimizer

/// A declared agent as it stands at run time: what it observes and pursues, how it learns, and
/// the policy it has learned or loaded (docs/agents.md).
final class AgentDefinition {
    let template: AgentDeclNode.Template
    let settings: QLearner.Settings
    /// `train: N episodes of D`, D in seconds.
    let training: (episodes: Int, length: Double)?
    var policy: Policy?

    init(template: AgentDeclNode.Template, settings: QLearner.Settings, training: (episodes: Int, length: Double)?) {
        self.template = template
        self.settings = settings
        self.training = training
    }

    var name: String { template.name }

    /// The observation and reward with params and lets read now.
    func bound(_ interp: Interpreter) throws -> (observe: [StateExpression], reward: StateExpression) {
        (try template.observe.map { try $0.bound(interp) }, try template.reward.bound(interp))
    }
}

/// `agent NAME { ... }` running: checks its settings and (re)declares the agent, untrained.
final class AgentDeclNode: StmtNode {
    struct Template {
        let name: String
        let index: Int
        let observe: [StateExpression]
        /// Each observed item as written, for the policy's lines.
        let labels: [String]
        let reward: StateExpression
        let settings: [(name: String, node: Node, span: Span)]
        let train: (episodes: Node, length: Node, span: Span)?
        let span: Span
    }

    let template: Template
    static let maxEpisodes = 1_000_000

    init(_ template: Template, span: Span) {
        self.template = template
        super.init(span: span)
    }

    override func exec(_ f: Frame) throws -> Completion {
        var settings = QLearner.Settings()
        for s in template.settings {
            let v = try s.node.eval(f)
            func number(_ range: ClosedRange<Double>, _ what: String) throws -> Double {
                guard case .number(let x) = v, range.contains(x) else {
                    throw Diagnostic("\(s.name) must be \(what)", at: s.span, label: "this is \(f.interp.formatter.short(v))")
                }
                return x
            }
            switch s.name {
            case "explore": settings.explore = try number(0...1, "a number from 0 to 1")
            case "rate":
                settings.rate = try number(0...1, "a number above 0 and at most 1")
                if settings.rate == 0 { throw Diagnostic("rate must be above 0", at: s.span, label: "a step size of 0 learns nothing") }
            case "trust":
                let x = try number(1...1e9, "a whole number of at least 1")
                guard x == x.rounded() else { throw Diagnostic("trust must be a whole number", at: s.span) }
                settings.trust = Int(x)
            default: // replay
                guard case .bool(let b) = v else {
                    throw Diagnostic("replay must be true or false", at: s.span, label: "this is \(f.interp.formatter.short(v))")
                }
                settings.replay = b
            }
        }
        var training: (Int, Double)?
        if let t = template.train {
            let n = try t.episodes.eval(f), d = try t.length.eval(f)
            guard case .number(let episodes) = n, episodes >= 1, episodes <= Double(AgentDeclNode.maxEpisodes), episodes == episodes.rounded() else {
                throw Diagnostic("the number of episodes must be a whole number from 1 to \(AgentDeclNode.maxEpisodes)", at: t.episodes.span,
                                 label: "this is \(f.interp.formatter.short(n))")
            }
            guard case .duration(let length) = d, length > 0, length.isFinite else {
                throw Diagnostic("an episode's length must be a duration above zero", at: t.length.span,
                                 label: "this is \(f.interp.formatter.short(d))", help: "for example: train: 200 episodes of 2000min")
            }
            training = (Int(episodes), length)
        }
        f.interp.agents[template.name] = AgentDefinition(template: template, settings: settings, training: training)
        return .normal
    }
}
