import Foundation
import TaktOptimizer

/// What a script asks of a trained agent: its policy as text, a decision, and policy files.
extension Interpreter {
    /// The agent's declaration and trained policy, or a located error saying what is missing.
    func trainedAgent(_ name: String, at span: Span) throws -> (AgentDefinition, Policy) {
        guard let agent = agents[name] else {
            throw Diagnostic("the agent '\(name)' is used before its declaration has run", at: span)
        }
        guard let policy = agent.policy else {
            throw Diagnostic("train '\(name)' first, or load a policy", at: span, label: "'\(name)' has learned nothing yet")
        }
        return (agent, policy)
    }

    /// The destinations an agent chooses among, in the order its choices list them.
    func actionNames(of agent: String) -> [String] {
        staticModel?.agentChoices[agent]?.first?.targets ?? []
    }
}

/// `A.policy`: one line per visited observation, ascending, `fast.count=2, slow.count=0 -> slow`.
final class AgentPolicyNode: Node {
    let agent: String
    init(agent: String, span: Span) {
        self.agent = agent
        super.init(span: span)
    }
    override func eval(_ f: Frame) throws -> Value {
        let (definition, policy) = try f.interp.trainedAgent(agent, at: span)
        let actions = f.interp.actionNames(of: agent)
        let lines = zip(policy.observations, policy.decisions).map { observation, decision -> String in
            let seen = zip(definition.template.labels, observation).map { "\($0)=\($1)" }.joined(separator: ", ")
            return seen + " -> " + (decision < actions.count ? actions[decision] : "#\(decision)")
        }
        return .string(lines.joined(separator: "\n"))
    }
}

/// `A.decide([2, 0])`: the destination the trained agent picks for that observation.
final class AgentDecideNode: Node {
    let agent: String
    let observation: Node
    init(agent: String, observation: Node, span: Span) {
        self.agent = agent
        self.observation = observation
        super.init(span: span)
    }
    override func eval(_ f: Frame) throws -> Value {
        let (definition, policy) = try f.interp.trainedAgent(agent, at: span)
        let v = try observation.eval(f)
        let expected = definition.template.observe.count
        guard case .list(let list) = v else {
            throw Diagnostic("decide takes an observation, a list of \(expected) numbers", at: observation.span,
                             label: "this is \(f.interp.formatter.short(v))")
        }
        guard list.items.count == expected else {
            throw Diagnostic("'\(agent)' observes \(expected) value\(expected == 1 ? "" : "s"), and this list has \(list.items.count)",
                             at: observation.span, label: "observe: [\(definition.template.labels.joined(separator: ", "))]")
        }
        var state: [Int] = []
        for item in list.items {
            switch item {
            case .number(let x): state.append(QLearner.rounded(x))
            case .bool(let b): state.append(b ? 1 : 0)
            default:
                throw Diagnostic("an observation holds numbers", at: observation.span, label: "this holds \(f.interp.formatter.short(item))")
            }
        }
        let actions = f.interp.actionNames(of: agent)
        let k = policy.decide(state)
        return .string(k < actions.count ? actions[k] : "#\(k)")
    }
}

/// `save_policy(A, "policy.json")` and `load_policy(A, "policy.json")`. A relative path is
/// taken from the folder of the script that names it.
final class PolicyFileNode: Node {
    let agent: String
    let saves: Bool
    let path: Node

    struct File: Codable {
        var agent: String
        var observe: [String]
        var actions: [String]
        var policy: [Entry]
        struct Entry: Codable {
            var observation: [Int]
            var action: String
        }
    }

    init(agent: String, saves: Bool, path: Node, span: Span) {
        self.agent = agent
        self.saves = saves
        self.path = path
        super.init(span: span)
    }

    override func eval(_ f: Frame) throws -> Value {
        let v = try path.eval(f)
        guard case .string(let given) = v, !given.isEmpty else {
            throw Diagnostic("a policy file's name is a string", at: path.span, label: "this is \(f.interp.formatter.short(v))")
        }
        let file = Builtins.resolve(given, from: span)
        return saves ? try save(f.interp, to: file) : try load(f.interp, from: file)
    }

    func save(_ interp: Interpreter, to file: String) throws -> Value {
        guard let definition = interp.agents[agent] else {
            throw Diagnostic("the agent '\(agent)' is used before its declaration has run", at: span)
        }
        guard let policy = definition.policy else {
            throw Diagnostic("'\(agent)' is untrained: there is no policy to save", at: span, help: "train \(agent) first")
        }
        let actions = interp.actionNames(of: agent)
        let content = File(agent: agent, observe: definition.template.labels, actions: actions,
                           policy: zip(policy.observations, policy.decisions).map { .init(observation: $0, action: actions[$1]) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(content)
        // Through a temporary file, so a failure never leaves half a policy behind.
        let temporary = file + ".tmp\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: data + [0x0A]) else {
            throw Diagnostic("cannot write the policy file '\(file)'", at: path.span, label: "the folder does not exist or is not writable")
        }
        guard rename(temporary, file) == 0 else {
            unlink(temporary)
            throw Diagnostic("cannot write the policy file '\(file)'", at: path.span, label: String(cString: strerror(errno)))
        }
        return .nil
    }

    func load(_ interp: Interpreter, from file: String) throws -> Value {
        guard let definition = interp.agents[agent] else {
            throw Diagnostic("the agent '\(agent)' is used before its declaration has run", at: span)
        }
        let bytes: [UInt8]
        switch FileReader.read(path: file) {
        case .success(let b): bytes = b
        case .failure(let why): throw Diagnostic("cannot read the policy file '\(file)': \(why.reason)", at: path.span)
        }
        let content: File
        do {
            content = try JSONDecoder().decode(File.self, from: Data(bytes))
        } catch {
            throw Diagnostic("'\(file)' is not a policy file", at: path.span,
                             label: "expected JSON with agent, observe, actions and policy", help: "write one with save_policy")
        }
        let actions = interp.actionNames(of: agent)
        guard content.agent == agent else {
            throw Diagnostic("'\(file)' holds the policy of agent '\(content.agent)', not '\(agent)'", at: path.span)
        }
        guard content.observe == definition.template.labels else {
            throw Diagnostic("'\(file)' observes [\(content.observe.joined(separator: ", "))], and '\(agent)' observes [\(definition.template.labels.joined(separator: ", "))]",
                             at: path.span, label: "another observation")
        }
        guard content.actions == actions else {
            throw Diagnostic("'\(file)' chooses among [\(content.actions.joined(separator: ", "))], and '\(agent)' among [\(actions.joined(separator: ", "))]",
                             at: path.span, label: "other destinations")
        }
        var entries: [([Int], Int)] = []
        for e in content.policy {
            guard e.observation.count == content.observe.count, let k = actions.firstIndex(of: e.action) else {
                throw Diagnostic("'\(file)' has an entry that does not fit: \(e.observation) -> \(e.action)", at: path.span)
            }
            entries.append((e.observation, k))
        }
        guard !entries.isEmpty else {
            throw Diagnostic("'\(file)' holds an empty policy", at: path.span)
        }
        entries.sort { Policy.ascending($0.0, $1.0) }
        definition.policy = Policy(actions: actions.count, observations: entries.map(\.0), decisions: entries.map(\.1))
        interp.baselineCache = nil
        return .nil
    }
}
