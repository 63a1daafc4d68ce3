import Foundation
import TaktCore

/// `takt gym FILE --agent NAME` (docs/agents.md): one agent's decisions served to an
/// outside learner. The script's declarations run (elements, flows, params, agents, rewards,
/// and `load_policy` for the plant's other agents); its prints, simulations and training do not.
///
/// An episode runs on a thread of its own; at each of the agent's decisions it hands the
/// observation and the reward earned since the last decision to the caller and waits for the
/// action. `reset SEED` gives the random streams `simulate` uses for its first replication
/// with that seed (no warm-up, the agent's episode length), so a policy's rewards here are the
/// ones takt computes for it.
public final class GymSession {
    public struct Reply {
        public var observation: [Double]
        public var reward: Double
        public var truncated: Bool
        /// The simulated time, in the time unit.
        public var time: Double
        public var decisions: Int
    }

    public enum Failure: Error {
        case diagnostics([Diagnostic])
        case usage(String)
    }

    let interp: Interpreter
    let spec: ModelSpec
    let agentIndex: Int
    let observe: [StateExpression]
    let reward: StateExpression
    let length: Double
    public let actions: [String]
    public let observationLabels: [String]
    public var timeUnit: String { interp.settings.timeUnit.rawValue }
    private var episode: Episode?
    private let declaration: Span

    /// Runs the script's declarations and readies the agent, or says why it cannot be served.
    public static func open(_ file: SourceFile, agent: String, options: RunOptions = RunOptions()) -> Result<GymSession, Failure> {
        LargeStack.run {
            let program: Program
            switch ScriptRunner.check(file) {
            case .failure(let d): return .failure(.diagnostics(d.items))
            case .success(let p): program = p
            }
            let interp = Interpreter(output: { _ in })
            interp.warningSink = options.warnings
            switch ParamSetting.parse(options.paramSettings, params: program.params) {
            case .failure(let usage): return .failure(.usage(usage.message))
            case .success(let values): interp.paramSettings = values
            }
            if !program.warnings.isEmpty { options.warnings(program.warnings) }
            do {
                try interp.run(program, declarationsOnly: true)
                return .success(try GymSession(interp: interp, agent: agent, file: file))
            } catch let d as Diagnostic {
                return .failure(.diagnostics([d]))
            } catch let u as UsageError {
                return .failure(.usage(u.message))
            } catch {
                return .failure(.diagnostics([Diagnostic("\(error)", at: nil)]))
            }
        }
    }

    private init(interp: Interpreter, agent name: String, file: SourceFile) throws {
        guard let model = interp.staticModel, let k = model.agentNames.firstIndex(of: name), let agent = interp.agents[name] else {
            let agents = interp.staticModel?.agentNames ?? []
            throw UsageError(agents.isEmpty ? "the script declares no agent"
                             : "the script has no agent '\(name)' (its agents: \(agents.joined(separator: ", ")))")
        }
        let (_, spec) = try interp.declaredModel(at: agent.template.span)
        guard spec.decidersUsed.contains(k) else {
            throw Diagnostic("no choice of the plant names the agent '\(name)'", at: agent.template.span, label: "it would decide nothing")
        }
        guard let training = agent.training else {
            throw Diagnostic("the agent '\(name)' has no train setting, which gives an episode's length", at: agent.template.span,
                             help: "add 'train: 200 episodes of 2000min' to its declaration")
        }
        self.interp = interp
        self.spec = spec
        agentIndex = k
        (observe, reward) = try agent.bound(interp)
        length = training.length
        actions = interp.actionNames(of: name)
        observationLabels = agent.template.labels
        declaration = agent.template.span
        // The plant's other agents act by their policies; check now that they have one.
        _ = try interp.agentDeciders(for: spec, overriding: [k: { _ in UnusedDecider() }], at: agent.template.span)
    }

    /// Starts an episode from an empty plant: the first decision's observation, or the end if
    /// the agent decides nothing within the episode.
    public func reset(seed: UInt64) throws -> Reply {
        episode?.cancel()
        let unit = interp.settings.timeUnit.seconds
        let channel = Channel()
        let decider = GymDecider(channel: channel, observe: observe,
                                 integral: RewardIntegral(reward: reward, secondsPerUnit: unit), secondsPerUnit: unit)
        let deciders = try interp.agentDeciders(for: spec, overriding: [agentIndex: { _ in decider }], at: declaration)
        let settings = RunSettingsCore(warmup: 0, horizon: length, seed: seed, maxParts: interp.settings.maxParts,
                                       stallTolerance: 1e-9 * unit, streamFamily: 0)
        let e = Episode(channel: channel, spec: spec, settings: settings, deciders: deciders)
        episode = e
        return try e.next()
    }

    /// Acts in the running episode and runs to the next decision or the episode's end.
    public func step(action: Int) throws -> Reply {
        guard let e = episode, !e.ended else {
            throw GymError(message: episode == nil ? "no episode: send {\"reset\": SEED} first" : "the episode has ended: send {\"reset\": SEED}")
        }
        guard action >= 0 && action < actions.count else {
            throw GymError(message: "action \(action) is out of range: the actions are 0 to \(actions.count - 1) (\(actions.joined(separator: ", ")))")
        }
        e.channel.action = action
        e.channel.toSimulation.signal()
        return try e.next()
    }

    /// Stops the running episode, if any.
    public func close() {
        episode?.cancel()
        episode = nil
    }

    public struct GymError: Error {
        public let message: String
    }

    /// The hand-over between the episode's thread and the caller.
    final class Channel: @unchecked Sendable {
        let toCaller = DispatchSemaphore(value: 0)
        let toSimulation = DispatchSemaphore(value: 0)
        var reply = Reply(observation: [], reward: 0, truncated: false, time: 0, decisions: 0)
        var action = 0
        var cancelled = false
        var failure: String?
    }

    struct GymDecider: RoutingDecider {
        let channel: Channel
        let observe: [StateExpression]
        var integral: RewardIntegral
        let secondsPerUnit: Double
        var taken = 0.0, decisions = 0
        var followsEveryEvent: Bool { true }

        mutating func advance(plant: PlantState) { integral.advance(plant) }

        mutating func report(_ plant: PlantState, truncated: Bool) {
            integral.advance(plant)
            channel.reply = Reply(observation: observe.map { $0.value(plant, secondsPerUnit: secondsPerUnit) },
                                  reward: integral.total - taken, truncated: truncated, time: plant.now / secondsPerUnit,
                                  decisions: decisions)
            taken = integral.total
        }

        mutating func choose(options: Int, plant: PlantState) -> Int {
            if channel.cancelled { return 0 }
            report(plant, truncated: false)
            decisions += 1
            channel.toCaller.signal()
            channel.toSimulation.wait()
            return channel.action
        }

        mutating func finish(plant: PlantState) {
            if !channel.cancelled { report(plant, truncated: true) }
        }
    }

    final class Episode: @unchecked Sendable {
        let channel: Channel
        private(set) var ended = false
        private let done = DispatchSemaphore(value: 0)

        init(channel: Channel, spec: ModelSpec, settings: RunSettingsCore, deciders: [DeciderFactory]) {
            self.channel = channel
            let thread = Thread { [channel, done] in
                do {
                    _ = try Simulation.run(spec, settings: settings, replications: 1, jobs: 1, deciders: deciders,
                                           shouldStop: { channel.cancelled })
                } catch SimulationError.cancelled {
                } catch {
                    channel.failure = "the simulation stopped: \(error)"
                }
                channel.reply.truncated = true
                channel.toCaller.signal()
                done.signal()
            }
            thread.stackSize = 16 << 20
            thread.start()
        }

        /// Waits for the next decision or the end.
        func next() throws -> Reply {
            channel.toCaller.wait()
            let r = channel.reply
            if r.truncated { ended = true }
            if let failure = channel.failure {
                ended = true
                throw GymError(message: failure)
            }
            return r
        }

        func cancel() {
            guard !ended else { return }
            channel.cancelled = true
            channel.toSimulation.signal()
            // The thread may be between decisions: wait for its end, taking its last signal.
            while done.wait(timeout: .now() + 0.001) == .timedOut {
                channel.toSimulation.signal()
            }
            ended = true
        }
    }
}
