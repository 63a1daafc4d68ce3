import Foundation
import TaktCore

/// Run settings of docs/runs.md; `config` and command-line flags override the defaults.
public struct RunSettings: Equatable {
    public var horizon: Double = 30 * 86400
    public var warmup: Double = 0
    public var replications = 10
    public var seed: UInt64 = 1
    public var timeUnit: TimeUnit = .min
    public var crn = true
    public var jobs: Int? = nil
    /// Print results as JSON.
    public var json = false
    /// Parts present in the plant at once before a run stops (`config { max_parts: N }`).
    public var maxParts = RunSettingsCore.defaultMaxParts

    /// Bounds shared by `config`, `simulate(...)` and the command-line flags.
    public static let maxReplications = 1_000_000
    public static let maxJobs = 1024
    public static let maxPartsLimit = 1_000_000_000

    public init() {}
}

/// Runs checked programs. The interpreter never prints: output goes to `output`.
public final class Interpreter {
    /// Calls nest at most this deep (docs/language.md).
    public static let maxCallDepth = 10_000
    static let stackCapacity = 1 << 22

    let stack: UnsafeMutablePointer<Value>
    var sp = 0
    var callDepth = 0
    var returnValue: Value = .nil
    public var settings = RunSettings()
    /// Settings given on the command line win over `config`.
    public var overrides: (inout RunSettings) -> Void = { _ in }
    public var output: (String) -> Void
    /// Told the model's warnings when a run meets them (docs/model.md).
    public var warningSink: ([Diagnostic]) -> Void = { _ in }
    /// Warnings already given, so each is printed once.
    var warningsGiven: Set<String> = []
    /// The model the load warnings last looked at.
    var lastLoadChecked: ModelSpec?
    /// Where optimizations, training and simulations that take over a second show their
    /// progress (a terminal's standard error); nil erases it.
    public var progress: ((String?) -> Void)?
    /// Where `--trace` writes each simulation's first replication, and the scenario the
    /// simulation running now belongs to (`baseline`, `variant` or a scenario's name).
    public var trace: TraceFile?
    var traceScenario = "baseline"
    /// What `--report` collects (Report.swift).
    public var report: Report?
    let stackGuard = StackGuard()

    public init(output: @escaping (String) -> Void) {
        self.output = output
        stack = UnsafeMutablePointer<Value>.allocate(capacity: Interpreter.stackCapacity)
    }

    deinit {
        stack.deinitialize(count: sp)
        stack.deallocate()
    }

    var formatter: ValueFormatter { ValueFormatter(timeUnit: settings.timeUnit, json: settings.json) }

    // MARK: The model

    /// The flow graph of the running program.
    var staticModel: StaticModel?
    /// The element declarations that have run, by name, and in the order they first ran.
    var templates: [String: ElementTemplate] = [:]
    var templateOrder: [String] = []
    /// Elements whose templates are being evaluated, so a template reading itself is an error.
    var evaluatingTemplates: Set<String> = []
    /// While set, element properties read these settings (a configuration under test).
    var overlayStates: [String: ElementState]?
    /// While set, element results and plant results read this replication (a reward).
    var replicationContext: ReplicationContext?
    /// Declared rewards, in the order their declarations ran.
    var rewards: [RewardDefinition] = []
    /// Rewards being computed, so a reward reading itself is an error, not endless recursion.
    var evaluatingRewards: Set<String> = []
    /// Values given by `--set NAME=VALUE`, applied where each param is declared.
    public var paramSettings: [String: Value] = [:]

    /// Declared agents, by name, with what they have learned.
    var agents: [String: AgentDefinition] = [:]

    /// Declared scenarios, by name.
    var scenarios: [String: ScenarioDefinition] = [:]
    /// The baseline's results, keyed by the model built, the settings and the rewards declared.
    var baselineCache: (spec: ModelSpec, settings: RunSettings, rewards: Int, result: ResultValue)?

    /// The current model with the current settings, run once until either changes.
    func baseline(at span: Span) throws -> ResultValue {
        let (states, spec) = try declaredModel(at: span)
        if let c = baselineCache, c.spec == spec, c.settings == settings, c.rewards == rewards.count { return c.result }
        let r = try simulate(spec, states: states, settings: settings, streamFamily: 0, at: span)
        baselineCache = (spec, settings, rewards.count, r)
        return r
    }

    /// Runs the current model with these settings and returns its results.
    func simulate(settings s: RunSettings, at span: Span) throws -> ResultValue {
        let (states, spec) = try declaredModel(at: span)
        return try simulate(spec, states: states, settings: s, streamFamily: 0, at: span)
    }

    /// The model as declared now, built, with its load warnings given (once each).
    func declaredModel(at span: Span) throws -> (states: [String: ElementState], spec: ModelSpec) {
        let states = try buildStates()
        let spec = try buildSpec(states: states, at: span)
        warnAboutLoads(spec)
        return (states, spec)
    }

    /// The core's model from these element settings (a what-if passes changed ones).
    func buildSpec(states: [String: ElementState], routes: [String: (StaticModel.Route, Span)] = [:], at span: Span) throws -> ModelSpec {
        guard let model = staticModel, !model.isEmpty else {
            throw Diagnostic("there is no model to simulate", at: span, label: "no source, station, buffer or sink is declared")
        }
        if let first = model.deferredErrors.first { throw first }
        return try ModelBuilder.build(model, states: states, routes: routes, interp: self, at: span)
    }

    /// Runs a built model and computes the declared rewards of each replication (with
    /// `params` holding the values the model was built with).
    /// `monitors` names agents whose reward rate each replication reports, as `NAME.reward`.
    func simulate(_ spec: ModelSpec, states: [String: ElementState], params: [ParamValue] = [], settings s: RunSettings,
                  streamFamily: Int, monitors: [String] = [], at span: Span) throws -> ResultValue {
        let core = RunSettingsCore(warmup: s.warmup, horizon: s.horizon, seed: s.seed, maxParts: s.maxParts,
                                   stallTolerance: 1e-9 * s.timeUnit.seconds, streamFamily: streamFamily)
        let (deciders, rates) = try withParams(params) { () throws -> ([DeciderFactory], [RewardRates]) in
            var deciders = try agentDeciders(for: spec, at: span)
            var rates: [RewardRates] = []
            for name in monitors {
                guard let agent = agents[name] else { continue }
                let reward = SendableBox(value: try agent.template.reward.bound(self)), box = RewardRates()
                let unit = s.timeUnit.seconds, warmup = s.warmup
                deciders.append({ r in
                    RewardMonitor(box: box, replication: r, integral: RewardIntegral(reward: reward.value, secondsPerUnit: unit, from: warmup))
                })
                rates.append(box)
            }
            return (deciders, rates)
        }
        let reporter = ProgressReporter(replications: s.replications, show: progress, json: s.json)
        let recorder = trace.map { TraceRecorder(file: $0, scenario: traceScenario, spec: spec, unit: s.timeUnit.seconds) }
        let sampler = report?.sampler(for: spec, settings: s)
        let watching: [ReplicationMonitor] = [recorder as ReplicationMonitor?, sampler as ReplicationMonitor?].compactMap { $0 }
        let monitor: ReplicationMonitor? = watching.count > 1 ? MonitorFan(watching) : watching.first
        do {
            let outcome: Simulation.Outcome
            do {
                defer {
                    reporter?.stop()
                    recorder?.flush()
                }
                outcome = try Simulation.run(spec, settings: core, replications: s.replications, jobs: s.jobs, deciders: deciders,
                                             progress: reporter?.meter, monitor: monitor,
                                             shouldStop: { interruptRequested.load(ordering: .relaxed) })
            }
            var rewardValues = zip(monitors, rates).map { name, box in
                RewardValues(name: "\(name).reward", dimension: 0, values: box.values(0..<s.replications))
            }
            rewardValues += try withParams(params) {
                try rewards.map { try $0.values(over: outcome.replications, spec: spec, states: states, interp: self) }
            }
            let result = ResultValue(spec: spec, replications: outcome.replications, settings: s, rewards: rewardValues)
            report?.add(run: result, title: traceScenario, sampler: sampler)
            return result
        } catch let e as SimulationError {
            throw simulationError(e, spec: spec, settings: s, at: span)
        }
    }

    /// The core's deciders for a model: the agents' greedy policies, unless `overriding` gives
    /// another for some index. An agent a choice names must be trained or loaded.
    func agentDeciders(for spec: ModelSpec, overriding: [Int: DeciderFactory] = [:], at span: Span) throws -> [DeciderFactory] {
        let names = staticModel?.agentNames ?? []
        let used = spec.decidersUsed
        let unit = settings.timeUnit.seconds
        var out: [DeciderFactory] = []
        for (k, name) in names.enumerated() {
            if let d = overriding[k] {
                out.append(d)
                continue
            }
            guard used.contains(k) else {
                out.append({ _ in UnusedDecider() })
                continue
            }
            let flowSpan = staticModel?.agentChoices[name]?.first?.span ?? span
            guard let agent = agents[name] else {
                throw Diagnostic("the agent '\(name)' is used before its declaration has run", at: flowSpan)
            }
            guard let policy = agent.policy else {
                throw Diagnostic("train '\(name)' first, or load a policy", at: flowSpan, label: "'\(name)' has learned nothing yet",
                                 help: "add 'train \(name)' before the first simulation, or load_policy(\(name), \"FILE\")")
            }
            let observe = SendableBox(value: try agent.bound(self).observe)
            out.append({ _ in GreedyAgent(observe: observe.value, policy: policy, secondsPerUnit: unit) })
        }
        return out
    }

    /// A failure of the core as a diagnostic at the element it concerns.
    func simulationError(_ e: SimulationError, spec: ModelSpec, settings s: RunSettings, at span: Span) -> Error {
        let model = staticModel!
        switch e {
        case .cancelled:
            interruptRequested.store(false, ordering: .relaxed)
            return Interrupted()
        case .runaway(let t, let element):
            return RunDiagnostics.runaway(time: t, element: element, spec: spec, model: model, at: span, formatter: formatter)
        case .tooManyParts(let t, let element, let held, let entered):
            return RunDiagnostics.tooManyParts(time: t, element: element, held: held, entered: entered, settings: s,
                                              spec: spec, model: model, at: span, formatter: formatter)
        case .insufficientMemory(let needed, let available):
            return RunDiagnostics.insufficientMemory(needed: needed, available: available, spec: spec, model: model, at: span)
        case .deadlock(let stations):
            let names = stations.map { spec.stations[$0].name }
            let flowSpan = names.compactMap { model.routeSpans[$0] }.first ?? model.firstFlowSpan ?? span
            return Diagnostic("deadlock: \(names.joined(separator: ", ")) blocked in a cycle with no way to move", at: flowSpan,
                             label: "this flow closes the cycle", help: "add buffer capacity inside the loop")
        case .invalidModel(let problem):
            // The language's own checks come first, so this means a bug in the builder.
            return Diagnostic("internal error: the simulation core rejected the model (\(problem))", at: span)
        }
    }

    /// Runs a program's top level. Throws a `Diagnostic` or `Interrupted`. With
    /// `declarationsOnly` (`takt gym`), statements that print, simulate or train are passed over,
    /// and so is the implicit run; loading a policy still runs.
    public func run(_ program: Program, declarationsOnly: Bool = false) throws {
        overrides(&settings)
        staticModel = program.model
        if currentStackSize > 0 { stackGuard.start(stackSize: currentStackSize) }
        let proto = program.main
        let base = stack + sp
        base.initialize(repeating: .nil, count: proto.frameSize)
        sp += proto.frameSize
        defer {
            base.deinitialize(count: proto.frameSize)
            sp -= proto.frameSize
        }
        let frame = Frame(interp: self, locals: base, closure: nil)
        for statement in proto.statements {
            if declarationsOnly && Interpreter.acts(statement) { continue }
            _ = try statement.exec(frame)
        }
        if program.needsImplicitRun && !declarationsOnly {
            let result = try simulate(settings: settings, at: program.model?.elements.first?.declSpan ?? proto.span)
            output(formatter.format(.result(result)) + "\n")
        }
    }

    /// Whether a top-level statement prints, simulates or trains (all but loading a policy).
    static func acts(_ statement: StmtNode) -> Bool {
        if let e = statement as? ExprStmtNode { return !((e.expr as? PolicyFileNode).map { !$0.saves } ?? false) }
        return statement is PrintValueNode || statement is OptimizeStatementNode || statement is TrainStatementNode
            || statement is WhatIfNode || statement is CompareNode
    }

    @inline(__always)
    func checkInterrupt() throws {
        try throwIfInterrupted()
    }
}

/// Knows how much native stack the interpreter thread has left, so deep recursion ends in a
/// diagnostic instead of a crash.
final class StackGuard {
    private var limit: UInt = 0

    /// Call at the top of the thread with the size of its stack.
    func start(stackSize: Int) {
        var marker = 0
        let here = withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
        let margin = UInt(min(stackSize / 4, 64 << 20))
        limit = here > UInt(stackSize) ? here - UInt(stackSize) + margin : 0
    }

    @inline(__always)
    var exhausted: Bool {
        guard limit != 0 else { return false }
        var marker = 0
        let here = withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
        return here < limit
    }
}

/// Runs work on a thread with a large stack: the tree-walker recurses, and deep scripts must
/// end in errors, not stack overflows.
public enum LargeStack {
    public static let size = 1 << 30

    public static func run<T>(_ body: @escaping () -> T) -> T {
        var result: T?
        let box = ThreadWork { result = body() }
        var attr = pthread_attr_t()
        pthread_attr_init(&attr)
        pthread_attr_setstacksize(&attr, size)
        var thread = pthread_t()
        let context = Unmanaged.passRetained(box).toOpaque()
        let rc = pthread_create(&thread, &attr, { raw in
            let work = Unmanaged<ThreadWork>.fromOpaque(raw!).takeRetainedValue()
            currentStackSize = LargeStack.size
            work.run()
            return nil
        }, context)
        pthread_attr_destroy(&attr)
        if rc != 0 {
            Unmanaged<ThreadWork>.fromOpaque(context).release()
            currentStackSize = 0
            return body()
        }
        pthread_join(thread, nil)
        currentStackSize = 0
        return result!
    }
}

private final class ThreadWork {
    let run: () -> Void
    init(_ run: @escaping () -> Void) { self.run = run }
}

/// The stack size of the current thread when it was started by `LargeStack`; 0 otherwise.
nonisolated(unsafe) var currentStackSize = 0
