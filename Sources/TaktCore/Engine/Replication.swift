import CPrefetch
import Foundation

/// Why a replication stopped early.
public enum SimulationError: Error, Equatable {
    /// Servers blocked in a cycle with no way to move; the stations involved.
    case deadlock(stations: [Int])
    /// Simulated time stopped advancing: more than a million events within the stall tolerance
    /// of `time`; `element` is the node of the event at hand when it was noticed.
    case runaway(time: Double, element: NodeRef)
    /// More parts present than `RunSettingsCore.maxParts`; `element` is the station or buffer
    /// holding the most waiting parts (`held`), which `entered` since time 0.
    case tooManyParts(time: Double, element: NodeRef, held: Int, entered: Int)
    /// The replications would not fit in memory: bytes one needs, and bytes there are.
    case insufficientMemory(needed: Int, available: Int)
    case cancelled
    /// The spec fails the core's structural checks (`ModelSpec.structuralProblem`).
    case invalidModel(String)
}

/// The observation window and what else a run needs besides the model.
public struct RunSettingsCore: Sendable {
    public var warmup: Double
    public var horizon: Double
    public var seed: UInt64
    /// Parts present in the plant at once, past which a replication stops (`tooManyParts`).
    public var maxParts: Int
    /// Events closer in time than this count as one instant for the runaway check (seconds).
    public var stallTolerance: Double
    /// The family of random streams (`RandomStream`): 0, shared by every scenario, gives common
    /// random numbers by replication number; another number gives a scenario streams of its own.
    public var streamFamily: Int

    public static let defaultMaxParts = 10_000_000

    public init(warmup: Double, horizon: Double, seed: UInt64, maxParts: Int = defaultMaxParts, stallTolerance: Double = 0,
                streamFamily: Int = 0) {
        self.streamFamily = streamFamily
        self.warmup = warmup
        self.horizon = horizon
        self.seed = seed
        self.maxParts = max(1, maxParts)
        self.stallTolerance = max(0, stallTolerance)
    }
}

/// One replication of a model: the discrete-event engine of docs/model.md.
/// All state lives in flat tables of plain records indexed by element, which the replication
/// owns outright: the event loop allocates nothing, counts no references and looks no names up.
/// The engine's steps live in extensions by concern: routing and buffers, servers, blocking,
/// failures, results.
final class Replication {
    // MARK: Runtime records

    struct SourceRT {
        var route: Route
        var saturated: Bool
        var limit: Int
        /// Arrivals so far, made or lost (what `limit` counts).
        var created = 0
        var lost = 0
        var losesWhenFull = false
        var held: Int32 = -1
        var blockSeq = 0
        /// When the held part blocked, and the time blocked within the window.
        var blockedSince = 0.0
        var blockedTime = 0.0
        var target = -1
        var rng: RandomStream
        var routeRng: RandomStream
        var rr = 0
        /// The type slot of its parts; with a mix (`mixCount` > 0), drawn per part from the
        /// shares in `mixTypes`/`mixWeights` from `mixStart`.
        var type: Int32 = 0
        @Narrow<Int32> var mixStart: Int = 0
        @Narrow<Int32> var mixCount: Int = 0
        /// Its arrivals are a trace (`Replication+Traces`).
        var traced = false
    }

    /// Fields in the order an event reads them, so that one event at a station touches few
    /// cache lines: routing and shape (line 1), the process draw and its statistics (line 2),
    /// the stream and the other state times (line 3), then what only some models use.
    struct StationRT {
        var route: Route
        // Narrow fields with accessors forced inline, where the event loop reads them in code
        // inlined deep enough that the compiler would call a property wrapper's accessor on a
        // copy of the whole record.
        private var servers32: Int32
        var servers: Int {
            @inline(__always) get { Int(servers32) }
            @inline(__always) set { servers32 = Int32(truncatingIfNeeded: newValue) }
        }
        @Narrow<Int32> var firstServer: Int
        private var saturatedBy32: Int32 = -1
        var saturatedBy: Int {
            @inline(__always) get { Int(saturatedBy32) }
            @inline(__always) set { saturatedBy32 = Int32(truncatingIfNeeded: newValue) }
        }
        /// The only buffer feeding it, or -1 (none, or several).
        private var soleFeeder32: Int32 = -1
        var soleFeeder: Int {
            @inline(__always) get { Int(soleFeeder32) }
            @inline(__always) set { soleFeeder32 = Int32(truncatingIfNeeded: newValue) }
        }
        /// Where this station's failure modes start in `modes`, and how many it has.
        @Narrow<Int32> var modeBase: Int = 0
        @Narrow<Int32> var modeCount: Int = 0
        @Narrow<Int32> var present: Int = 0
        var hasOwnQueue = true
        var hasBusyFailures = false
        var hasPartFailures = false
        /// Whether finished parts may be scrapped (`scrapChance`).
        var scraps = false
        var processed = 0
        var process: Sampler
        var waitSum = 0.0
        /// Parts started within the window, found when it closes rather than counted per start:
        /// a part started is completed (`processed`) or still in service, so the starts are the
        /// completions plus the parts in service at the end, less those in service at the start
        /// (which is what this holds, negated, until the window closes).
        var waitCount = 0
        var queueCap: Int
        var rng: RandomStream
        var queue = PartQueue()
        /// The area under the queue's length within the window: the time each part waits
        /// there, added as it leaves (see `waitedBefore`).
        var queueArea = 0.0
        /// The buffers feeding it, in `feeders`.
        @Narrow<Int32> var feederStart: Int = 0
        @Narrow<Int32> var feederCount: Int = 0
        var rr = 0
        /// Whether a server sets up on a change of part type (`SetupRT`).
        var setsUp = false
        /// Whether the process time (or scrap chance) depends on the part's type.
        var typedProcess = false
        /// Whether a start consumes a set of parts (`Replication+Assembly`).
        var assembles = false
        /// Whether its servers have shifts, planned stops or operators (`Replication+Planned`):
        /// their states and starts take the slower paths there.
        var planned = false
        /// Whether a part may come with its process time drawn (`PartTable[preset:]`).
        var usesPreset = false
        /// Either of the three: starting a part takes `startTyped`.
        var byType = false
        /// Parts processed together (`Replication+Batches`); 1: one at a time.
        @Narrow<Int32> var batchSize: Int = 1
        /// Where its servers' members start in `batchMembers`, `batchSize` a server.
        @Narrow<Int32> var batchBase: Int = 0
        /// Whether a joining part simply goes to the back of the queue: first in, first out,
        /// no batch to start. (A plain stored flag: the paths that read it are inlined deep.)
        var appends = true
        /// Its queue's `Discipline` (raw): 0, first in first out, appends.
        var discipline: UInt8 = 0
        /// Rounds the record up to four cache lines.
        private let padding: (Int, Int, Int32, Int16, Int8) = (0, 0, 0, 0, 0)

        init(route: Route, servers: Int, firstServer: Int, queueCap: Int, process: Sampler, rng: RandomStream) {
            self.route = route
            servers32 = Int32(truncatingIfNeeded: servers)
            self.firstServer = firstServer
            self.queueCap = queueCap
            self.process = process
            self.rng = rng
        }
    }

    /// One cache line per server: the times first, then narrow indices.
    struct ServerRT {
        var remaining = 0.0
        var segmentStart = 0.0
        /// When the server entered its current state.
        var stateSince = 0.0
        var blockSeq = 0
        /// Where this server's per-failure-mode state starts in the flat failure tables.
        @Narrow<Int32> var failureBase: Int = 0
        private var station32: Int32
        var station: Int { @inline(__always) get { Int(station32) } }
        var part: Int32 = -1
        var token: UInt32 = 0
        @Narrow<Int32> var target: Int = -1
        @Narrow<Int16> var repairing: Int = -1
        /// Failures that fell due while the server was down, in `pending` from `failureBase`.
        @Narrow<Int16> var pendingCount: Int = 0
        /// The type slot of the last part it took, or -1 before its first (setups compare it).
        @Narrow<Int16> var lastType: Int = -1
        var holding = false
        var processing = false
        var down = false
        /// Whether the time in `remaining` is a setup, before the part's processing.
        var inSetup = false
        /// Why it takes no part pushed to it although empty and up (bits of `Hold`): it pulls
        /// batches, is off shift, or has a planned stop due. No idle bit is set meanwhile.
        var hold: UInt8 = 0
        @Narrow<UInt8> var state: Int = Replication.stateStarved

        init(station: Int, failureBase: Int) {
            station32 = Int32(truncatingIfNeeded: station)
            self.failureBase = failureBase
        }

        /// Free and working: it can take a part pushed to it now (what the idle bits record).
        var isFree: Bool { @inline(__always) get { part < 0 && !down && hold == 0 } }
    }

    /// Two cache lines, aligned: what a part passing through touches, then the statistics and
    /// the stream.
    struct BufferRT {
        var route: Route
        var parts = PartQueue()
        /// Capacity, with Int32.max for unlimited (no plant holds that many parts).
        private let cap32: Int32
        /// The blocking sequence while the buffer waits for room downstream, or 0.
        var waitingSeq = 0
        var rr = 0
        /// The area under the buffer's level within the window, as `StationRT.queueArea`.
        var levelArea = 0.0
        /// Whether the head part has a decider's pick (a choice by a decider decides at the head).
        var headDecided = false
        /// Its `Discipline` (raw): 0, first in first out, appends.
        var discipline: UInt8 = 0
        /// Whether a joining part has its process time drawn (shortest processing time first
        /// here or at the one station it feeds).
        var drawsAhead = false
        /// Whether the one station it feeds pulls its work (a batch): a joining part may let
        /// it start.
        var feedsPuller = false
        /// None of the three, nor another discipline: a joining part simply goes to the back.
        var appends = true
        /// Whether its parts wait a drawn time before they may leave (`Replication+Delays`).
        var delays = false
        /// Rounds the record up to two cache lines.
        private let padding: (Int16, Int8) = (0, 0)
        var rng: RandomStream
        /// The only server of the station a plain `next` leads to, or -1.
        @Narrow<Int32> var soleServer: Int = -1

        init(route: Route, cap: Int, rng: RandomStream) {
            self.route = route
            cap32 = Int32(clamping: cap)
            self.rng = rng
        }

        /// Int32.max when unlimited, which no count of parts reaches.
        var cap: Int { @inline(__always) get { Int(cap32) } }
    }

    struct SinkRT {
        var count = 0
        var cycleSum = 0.0
    }

    /// A failure mode of a station, as the event loop reads it.
    struct ModeRT {
        enum Clock: UInt8 { case busy, clock, parts }
        var clock: Clock
        var everyParts = 0

        init(_ clock: FailureClock) {
            switch clock {
            case .busy: self.clock = .busy
            case .clock: self.clock = .clock
            case .parts(let n): self.clock = .parts; everyParts = n
            }
        }
    }

    static let stateDown = ServerState.down.index, stateBlocked = ServerState.blocked.index
    static let stateProcessing = ServerState.processing.index, stateStarved = ServerState.starved.index
    static let stateSetup = ServerState.setup.index

    let warmup: Double
    let end: Double
    var now = 0.0
    let calendar = EventCalendar()
    let sources: FixedArray<SourceRT>
    let stations: FixedArray<StationRT>
    /// Server time within the window per station and state, `ServerState.count` a station:
    /// adding to the right one is an indexed store, not a branch on a state that, in a large
    /// plant, the processor cannot guess.
    let stateTime: FixedArray<Double>
    let servers: FixedArray<ServerRT>
    let buffers: FixedArray<BufferRT>
    let sinks: FixedArray<SinkRT>
    /// Distributions, apart from the records so that those stay plain data.
    let interarrival: FixedArray<Sampler?>
    /// Each station's stream for drawing a destination (split, random): apart, as few use it.
    let stationRouteRng: FixedArray<RandomStream>
    let zig = Ziggurat.tables
    /// Every node's destinations and split weights, flat; a `Route` says which are its own.
    let destinations: FixedArray<NodeRef>
    let weights: FixedArray<Double>
    /// Buffers feeding each station, flat, from `StationRT.feederStart`.
    let feeders: FixedArray<Int>
    /// Per station and failure mode, flat from `StationRT.modeBase`.
    let modes: FixedArray<ModeRT>
    let failureUp: FixedArray<Sampler?>
    let failureDown: FixedArray<Sampler>
    // Per server and failure mode, flat from `ServerRT.failureBase`: remaining busy time to
    // failure (infinite for modes that do not count busy time), parts since the last repair,
    // the token of the pending clock failure, the random streams, and the queue of failures
    // that fell due during a repair.
    let ttf: FixedArray<Double>
    let partsSince: FixedArray<Int>
    let clockToken: FixedArray<UInt32>
    let upRng: FixedArray<RandomStream>
    let downRng: FixedArray<RandomStream>
    let pending: FixedArray<Int>
    /// Waiters per node: stations first, then buffers.
    let waiters: FixedArray<Ring<Waiter>>
    /// A bit per server, set while it is free and working: stations with several servers find
    /// their first such server by scanning words, not servers, and a one-server station's is
    /// told without reading its record.
    let idleBits: FixedArray<UInt64>
    /// How many entries each node's waiter queue holds: a compact array, so the common "no
    /// one is waiting" answer costs one cache line for many nodes.
    let waiting: FixedArray<Int32>
    var nextBlockSeq = 1
    /// Repair crews, and the crew of each failure mode (flat as `modes`; -1: its own repairer).
    var crews: [CrewRT]
    let modeCrew: FixedArray<Int32>
    /// Per station: the scrap probability, its stream, and the parts scrapped in the window.
    let scrapChance: FixedArray<Double>
    let scrapRng: FixedArray<RandomStream>
    let scrapped: FixedArray<Int>
    let parts: PartTable
    // Part types (`Replication+Types`): whether the model has any, the sources' mixes, the
    // destinations of splits by type, and the stations' work by type.
    let typed: Bool
    /// Whether any part of the plant needs the tests the plain loop leaves out (see
    /// LoopVariants.swift): part types (setups, mixes, by-type sinks), a station or buffer
    /// that does not simply append (disciplines, delays, batches, assembly, pulling servers).
    let rich: Bool
    let typeSlots: Int
    let mixTypes: FixedArray<Int32>
    let mixWeights: FixedArray<Double>
    let mixRng: FixedArray<RandomStream>
    let typeBranch: FixedArray<Int32>
    /// Per station and type slot, flat (`station * typeSlots + type`): the process time, for
    /// stations with `typedProcess`, and the scrap chance.
    let typeProcess: FixedArray<Sampler?>
    let typeScrap: FixedArray<Double>
    /// Setup times of the stations that set up, from each one's `setupBase`, per pair of types
    /// (`from * typeSlots + to`); and every station's setup stream.
    let setupTime: FixedArray<Sampler?>
    let setupBase: FixedArray<Int>
    let setupRng: FixedArray<RandomStream>
    var typeStats: TypeStatistics
    /// Per type slot: the priority (untyped: 0) and the time from creation to the due date
    /// (none: infinite), for the disciplines.
    let typePriority: FixedArray<Double>
    let typeDue: FixedArray<Double>
    /// A batch's members per server (from `StationRT.batchBase`), and per server the number
    /// held and the next to leave.
    let batchMembers: FixedArray<Int32>
    let batchHeld: FixedArray<Int32>
    let batchNext: FixedArray<Int32>
    /// Each station's set (type slot, count) and product type slot, for assemblies.
    let sets: [[(type: Int, count: Int)]]
    let products: [Int32]
    /// Parts consumed by assemblies in the window.
    var consumed = 0
    /// Per assembly and entry of its set (from `setBase`), the parts of that type waiting for
    /// it and ready: a start is looked for only when each has enough.
    var setWaiting: [Int]
    let setBase: [Int]
    /// Sources' shifts: their interarrival clocks run on shift only.
    let sourceShift: [Shift?]
    /// Trace sources' arrival times and types (empty for the others), and the parts each
    /// holds in order while blocked (`Replication+Traces`).
    let traceTimes: [[Double]]
    let traceTypes: [[Int32]]
    var traceBacklog: [Ring<Int32>]
    /// Shifts, planned stops and operators (`Replication+Planned`).
    var plan: PlannedStates
    /// Each buffer's delay, if it has one, and its stream.
    let bufferDelay: FixedArray<Sampler?>
    let delayRng: FixedArray<RandomStream>
    /// The type slot of the part a decider is routing now (what `PlantState.partType` reads).
    var routedType: Int32 = 0
    let stallTolerance: Double
    /// Each station's completions before the window opened, so that the parts-limit report
    /// can say how many parts a station has taken since time 0.
    var processedBeforeWindow: [Int]
    /// Each source's parts made and arrivals lost when the window opened.
    var sourcesAtWindow: [(made: Int, lost: Int)]
    /// The parts present, and ever made, when the window opened.
    var partsAtWindow = (live: 0, made: 0)
    /// The area under the work in process within the window: each part's time in the plant,
    /// added as it leaves (as `StationRT.queueArea`).
    var wipArea = 0.0
    var events = 0
    /// This replication's own deciders, made by the run's factories.
    var deciders: [any RoutingDecider]
    /// Whether some decider follows every event (one predictable branch per event otherwise).
    let followedByDeciders: Bool
    /// Told of every event, when given (Monitor.swift); `tracing` is whether it is.
    let monitor: ReplicationMonitor?
    let tracing: Bool
    /// The next instant the monitor samples the plant's state at (infinity: none).
    var nextSample = Double.infinity
    /// Whether the records outgrow the first-level cache, so that prefetching pays.
    let prefetching: Bool

    init(spec: ModelSpec, settings: RunSettingsCore, replication: Int, deciders: [DeciderFactory] = [],
         monitor: ReplicationMonitor? = nil) {
        self.monitor = monitor
        tracing = monitor != nil
        if monitor?.sampleInterval != nil { nextSample = settings.warmup }
        self.deciders = deciders.map { $0(replication) }
        followedByDeciders = self.deciders.contains { $0.followsEveryEvent }
        prefetching = spec.stations.count + spec.buffers.count > 64
        warmup = settings.warmup
        end = settings.warmup + settings.horizon
        parts = PartTable(limit: settings.maxParts, calendar: calendar)
        stallTolerance = settings.stallTolerance
        processedBeforeWindow = Array(repeating: 0, count: spec.stations.count)
        sourcesAtWindow = Array(repeating: (0, 0), count: spec.sources.count)
        let seed = settings.seed
        func stream(_ name: String, _ purpose: String) -> RandomStream {
            RandomStream(seed: seed, name: name, purpose: purpose, replication: replication, family: settings.streamFamily)
        }
        var destinations: [NodeRef] = [], weights: [Double] = [], branches: [Int32] = []
        var sources: [SourceRT] = [], stations: [StationRT] = [], servers: [ServerRT] = [], buffers: [BufferRT] = []
        var modes: [ModeRT] = [], failureUp: [Distribution?] = [], failureDown: [Distribution] = [], modeCrew: [Int32] = []
        var ttf: [Double] = [], upRng: [RandomStream] = [], downRng: [RandomStream] = []
        var mixTypes: [Int32] = [], mixWeights: [Double] = []
        var batchSlots = 0
        for s in spec.sources {
            var rt = SourceRT(route: Route(s.routing, destinations: &destinations, weights: &weights, branches: &branches),
                              saturated: s.saturated, limit: s.limit ?? Int.max,
                              rng: stream(s.name, "arrival"), routeRng: stream(s.name, "route"))
            rt.losesWhenFull = s.losesWhenFull
            if let times = s.arrivals {
                rt.traced = true
                rt.limit = times.count
            }
            rt.type = Int32(spec.untypedSlot)
            if s.mix.count == 1 {
                rt.type = Int32(s.mix[0].type)
            } else if !s.mix.isEmpty {
                rt.mixStart = mixTypes.count
                rt.mixCount = s.mix.count
                mixTypes += s.mix.map { Int32($0.type) }
                mixWeights += s.mix.map(\.weight)
            }
            sources.append(rt)
        }
        for s in spec.stations {
            var rt = StationRT(route: Route(s.routing, destinations: &destinations, weights: &weights, branches: &branches),
                               servers: s.servers, firstServer: servers.count, queueCap: s.queueCapacity ?? Int.max,
                               process: Sampler(s.process), rng: stream(s.name, "process"))
            rt.modeBase = modes.count
            rt.scraps = s.scrap > 0 || (s.typed.scrap?.contains { $0 > 0 } ?? false)
            rt.typedProcess = s.typed.process != nil || s.typed.scrap != nil
            rt.setsUp = s.typed.setup != nil
            rt.discipline = s.discipline.rawValue
            rt.usesPreset = s.discipline == .spt || spec.buffers.contains { $0.discipline == .spt && $0.routing == .next(.station(stations.count)) }
            rt.planned = s.hasPlannedStates
            rt.byType = rt.setsUp || rt.typedProcess || rt.usesPreset || rt.planned
            rt.batchSize = s.batch
            rt.appends = s.discipline == .fifo && !s.pulls
            rt.assembles = !s.assemble.isEmpty
            rt.batchBase = batchSlots
            if s.batch > 1 { batchSlots += s.batch * s.servers }
            rt.modeCount = s.failures.count
            for f in s.failures {
                modes.append(ModeRT(f.clock))
                failureUp.append(f.up)
                failureDown.append(f.down)
                modeCrew.append(Int32(f.crew ?? -1))
            }
            rt.hasBusyFailures = modes[rt.modeBase...].contains { $0.clock == .busy }
            rt.hasPartFailures = modes[rt.modeBase...].contains { $0.clock == .parts }
            for k in 0..<s.servers {
                var server = ServerRT(station: stations.count, failureBase: ttf.count)
                if s.pulls { server.hold = Hold.pull }
                for f in s.failures {
                    var up = stream(s.name, "failure \(f.name) up \(k)")
                    switch f.clock {
                    case .busy: ttf.append(f.up?.sample(&up) ?? .infinity)
                    case .clock, .parts: ttf.append(.infinity)
                    }
                    upRng.append(up)
                    downRng.append(stream(s.name, "failure \(f.name) down \(k)"))
                }
                servers.append(server)
            }
            stations.append(rt)
        }
        for b in spec.buffers {
            var rt = BufferRT(route: Route(b.routing, destinations: &destinations, weights: &weights, branches: &branches),
                              cap: b.capacity ?? Int.max, rng: stream(b.name, "route"))
            rt.discipline = b.discipline.rawValue
            if case .next(.station(let i)) = b.routing {
                rt.drawsAhead = b.discipline == .spt || spec.stations[i].discipline == .spt
                rt.feedsPuller = spec.stations[i].pulls
            }
            rt.delays = b.delay != nil
            rt.appends = rt.discipline == 0 && !rt.drawsAhead && !rt.feedsPuller && !rt.delays
            buffers.append(rt)
        }
        for j in buffers.indices {
            if buffers[j].route.kind == .next, case .station(let i) = buffers[j].route.next, stations[i].servers == 1 {
                buffers[j].soleServer = stations[i].firstServer
            }
        }
        // Who feeds whom: buffer-fed stations pull; saturated sources feed their station directly.
        var feedersOf = Array(repeating: [Int](), count: stations.count)
        for (j, b) in spec.buffers.enumerated() {
            for case .station(let i) in b.routing.destinations where feedersOf[i].last != j { feedersOf[i].append(j) }
        }
        var feeders: [Int] = []
        for i in stations.indices {
            stations[i].feederStart = feeders.count
            feeders += feedersOf[i]
            stations[i].feederCount = feeders.count - stations[i].feederStart
            if stations[i].feederCount > 0 { stations[i].hasOwnQueue = false }
            if stations[i].feederCount == 1 { stations[i].soleFeeder = feeders[stations[i].feederStart] }
        }
        for (k, s) in spec.sources.enumerated() where s.saturated {
            if case .next(.station(let i)) = s.routing { stations[i].saturatedBy = k }
        }
        self.sources = FixedArray(sources)
        self.stations = FixedArray(stations)
        stateTime = FixedArray(Array(repeating: 0, count: stations.count << ServerState.shift))
        self.servers = FixedArray(servers)
        self.buffers = FixedArray(buffers)
        self.sinks = FixedArray(Array(repeating: SinkRT(), count: spec.sinks.count))
        self.stationRouteRng = FixedArray(spec.stations.map { stream($0.name, "route") })
        self.interarrival = FixedArray(spec.sources.map { $0.interarrival.map(Sampler.init) })
        self.destinations = FixedArray(destinations)
        self.weights = FixedArray(weights)
        self.feeders = FixedArray(feeders)
        self.modes = FixedArray(modes)
        self.modeCrew = FixedArray(modeCrew)
        scrapChance = FixedArray(spec.stations.map(\.scrap))
        typed = !spec.partTypes.isEmpty
        rich = tracing || typed || sources.contains(where: \.traced) || stations.contains { $0.byType || !$0.appends || $0.batchSize > 1 || $0.assembles }
            || buffers.contains { !$0.appends || $0.delays }
        let slots = spec.typeSlots
        typeSlots = slots
        self.mixTypes = FixedArray(mixTypes)
        self.mixWeights = FixedArray(mixWeights)
        mixRng = FixedArray(spec.sources.map { stream($0.name, "mix") })
        typeBranch = FixedArray(branches)
        typeProcess = FixedArray(spec.stations.flatMap { s in
            (0..<slots).map { t in s.typed.process.map { Sampler($0[t]) } } })
        typeScrap = FixedArray(spec.stations.flatMap { s in (0..<slots).map { t in s.typed.scrap?[t] ?? s.scrap } })
        var setupBase: [Int] = [], setupTime: [Sampler?] = []
        for s in spec.stations {
            setupBase.append(setupTime.count)
            if let table = s.typed.setup { setupTime += table.map { $0.map(Sampler.init) } }
        }
        self.setupTime = FixedArray(setupTime)
        self.setupBase = FixedArray(setupBase)
        setupRng = FixedArray(spec.stations.map { stream($0.name, "setup") })
        sets = spec.stations.map(\.assemble)
        var bases: [Int] = [], entries = 0
        for s in spec.stations {
            bases.append(entries)
            entries += s.assemble.count
        }
        setBase = bases
        setWaiting = Array(repeating: 0, count: entries)
        sourceShift = spec.sources.map(\.shift)
        traceTimes = spec.sources.map { $0.arrivals ?? [] }
        traceTypes = spec.sources.map { s in s.arrivalTypes?.map { Int32($0) } ?? [] }
        traceBacklog = spec.sources.map { _ in Ring<Int32>() }
        products = spec.stations.map { Int32($0.makes ?? spec.untypedSlot) }
        plan = PlannedStates(spec: spec, servers: servers.map(\.station), stream: stream)
        bufferDelay = FixedArray(spec.buffers.map { $0.delay.map(Sampler.init) })
        delayRng = FixedArray(spec.buffers.map { stream($0.name, "delay") })
        batchMembers = FixedArray(Array(repeating: -1, count: batchSlots))
        batchHeld = FixedArray(Array(repeating: 0, count: servers.count))
        batchNext = FixedArray(Array(repeating: 0, count: servers.count))
        typePriority = FixedArray(spec.partTypes.map(\.priority) + [0])
        typeDue = FixedArray(spec.partTypes.map { $0.due ?? .infinity } + [.infinity])
        typeStats = TypeStatistics(slots: typed ? slots : 0, sinks: spec.sinks.count)
        scrapRng = FixedArray(spec.stations.map { stream($0.name, "scrap") })
        scrapped = FixedArray(Array(repeating: 0, count: spec.stations.count))
        crews = spec.crews.map { CrewRT(size: $0.size, shift: $0.shift) }
        self.failureUp = FixedArray(failureUp.map { $0.map(Sampler.init) })
        self.failureDown = FixedArray(failureDown.map(Sampler.init))
        self.ttf = FixedArray(ttf)
        self.partsSince = FixedArray(Array(repeating: 0, count: ttf.count))
        self.clockToken = FixedArray(Array(repeating: 0, count: ttf.count))
        self.upRng = FixedArray(upRng)
        self.downRng = FixedArray(downRng)
        self.pending = FixedArray(Array(repeating: 0, count: ttf.count))
        var idle = Array(repeating: ~UInt64(0), count: (servers.count + 63) / 64)
        for (sv, s) in servers.enumerated() where s.hold != 0 { idle[sv >> 6] &= ~(UInt64(1) << UInt64(sv & 63)) }
        self.idleBits = FixedArray(idle)
        self.waiters = FixedArray((0..<(stations.count + buffers.count)).map { _ in Ring<Waiter>() })
        self.waiting = FixedArray(Array(repeating: 0, count: stations.count + buffers.count))
    }

    deinit {
        for i in stations.indices { stations[i].queue.free() }
        for j in buffers.indices { buffers[j].parts.free() }
        for w in waiters.indices { waiters[w].free() }
        for k in traceBacklog.indices { traceBacklog[k].free() }
        for k in interarrival.indices { interarrival[k]?.free() }
        for i in stations.indices { stations[i].process.free() }
        for f in failureUp.indices { failureUp[f]?.free(); failureDown[f].free() }
        for k in typeProcess.indices { typeProcess[k]?.free() }
        for k in setupTime.indices { setupTime[k]?.free() }
        for j in bufferDelay.indices { bufferDelay[j]?.free() }
        bufferDelay.release(); delayRng.release()
        mixTypes.release(); mixWeights.release(); mixRng.release(); typeBranch.release()
        typePriority.release(); typeDue.release(); batchMembers.release(); batchHeld.release(); batchNext.release()
        typeProcess.release(); typeScrap.release(); setupTime.release(); setupBase.release(); setupRng.release()
        sources.release(); stations.release(); stateTime.release(); servers.release(); buffers.release(); sinks.release()
        interarrival.release(); stationRouteRng.release(); destinations.release(); weights.release(); feeders.release()
        scrapChance.release(); scrapRng.release(); scrapped.release()
        modes.release(); modeCrew.release(); failureUp.release(); failureDown.release()
        ttf.release(); partsSince.release(); clockToken.release(); upRng.release(); downRng.release(); pending.release()
        waiters.release(); waiting.release(); idleBits.release()
    }

    // MARK: Running

    func run(shouldStop: () -> Bool) throws -> ReplicationResult {
        // Three copies of the loop (see LoopVariants.swift): plain runs carry no per-event test
        // for deciders, and plain plants none for part types and pulling servers.
        if followedByDeciders { return try run(FollowEvents.self, RichPlant.self, shouldStop: shouldStop) }
        return rich ? try run(IgnoreEvents.self, RichPlant.self, shouldStop: shouldStop)
            : try run(IgnoreEvents.self, PlainPlant.self, shouldStop: shouldStop)
    }

    func run<F: EventFollowing, P: PlantFeatures>(_: F.Type, _: P.Type, shouldStop: () -> Bool) throws -> ReplicationResult {
        for k in sources.indices where !sources[k].saturated {
            scheduleArrival(k)
        }
        for si in stations.indices {
            let first = stations[si].firstServer
            for sv in first..<(first + stations[si].servers) {
                for m in 0..<stations[si].modeCount {
                    let f = stations[si].modeBase + m
                    if modes[f].clock == .clock, let up = failureUp[f] {
                        let x = servers[sv].failureBase + m
                        let t = up.sample(&upRng[x], zig)
                        calendar.schedule(time: t, kind: .failure, target: sv, detail: m, token: clockToken[x])
                    }
                }
            }
            if stations[si].planned { startPlanned(station: si) }
            if si == 0 { startCrewShifts() }
            if stations[si].saturatedBy >= 0 {
                for sv in first..<(first + stations[si].servers) { afterRelease(sv) }
            }
        }
        var reachedEnd = false
        // The window opens before the first event at or after the warm-up's end; the run ends
        // before the first event after `end`. One comparison per event watches for both.
        var windowOpensAt = warmup > 0 ? warmup : Double.infinity
        var checkpoint = min(windowOpensAt, end.nextUp)
        // Time must move: every 2^16 events it is compared with the time at the last check that
        // saw it move on, and 16 checks within the tolerance (over a million events at one
        // instant) end the run.
        var timeAtLastCheck = -Double.infinity
        var checksAtOneInstant = 0
        var events = 0
        while let e = calendar.pop() {
            if e.time >= checkpoint {
                if e.time > end {
                    reachedEnd = true
                    break
                }
                openWindow()
                windowOpensAt = .infinity
                checkpoint = end.nextUp
            }
            #if DEBUG || TAKT_BOUNDS_CHECKS
            // The clock never runs backwards (checked in the test build).
            precondition(e.time >= now, "event at \(e.time) after time \(now)")
            #endif
            if P.rich && e.time >= nextSample { takeSamples(upTo: e.time) }
            now = e.time
            events += 1
            if events & 0xFFFF == 0 {
                if shouldStop() { throw SimulationError.cancelled }
                if now - timeAtLastCheck <= stallTolerance {
                    checksAtOneInstant += 1
                    if checksAtOneInstant >= 16 { throw SimulationError.runaway(time: now, element: node(of: e)) }
                } else {
                    checksAtOneInstant = 0
                    timeAtLastCheck = now
                }
            }
            let target = Int(e.target)
            // In a large plant the next event's records are in no cache: start loading them now.
            // (A hint only: a wrong guess, or a source's index, costs a useless load.)
            if prefetching, let next = calendar.likelyNextTarget, next >= 0, Int(next) < servers.count {
                prefetchAround(server: Int(next))
            }
            switch e.kind {
            case .arrival:
                arrival(target, P.self)
            case .completion:
                if servers[target].token == e.token { completion(target, P.self) }
            case .failure:
                let m = Int(e.detail)
                if modes[stations[servers[target].station].modeBase + m].clock == .clock {
                    if clockToken[servers[target].failureBase + m] == e.token { clockFailure(target, m) }
                } else if servers[target].token == e.token {
                    busyFailure(target, m)
                }
            case .repair:
                repair(target, Int(e.detail))
            case .ready, .shift, .maintenanceDue, .maintenanceEnd:
                plannedEvent(e, kind: e.kind, target: target)
            case .halt:
                throw partsLimitError()
            }
            if F.on {
                for k in deciders.indices where deciders[k].followsEveryEvent { deciders[k].advance(plant: PlantState(self)) }
            }
        }
        if !reachedEnd, let stuck = deadlockedStations() {
            throw SimulationError.deadlock(stations: stuck)
        }
        if nextSample <= end { takeSamples(upTo: end) }
        // No event fell inside the window.
        if windowOpensAt.isFinite { openWindow() }
        self.events = events
        now = end
        for k in deciders.indices { deciders[k].finish(plant: PlantState(self)) }
        return collect()
    }

    /// The events of delays, shifts and planned stops, out of the loop's way.
    @inline(never)
    func plannedEvent(_ e: Event, kind: EventKind, target: Int) {
        switch kind {
        case .ready: partReady(buffer: target, type: Int(e.token))
        case .shift: shiftChange(station: target)
        case .maintenanceDue: maintenanceDue(target, plan: Int(e.detail), token: e.token)
        case .maintenanceEnd: maintenanceEnd(target, plan: Int(e.detail))
        case .arrival, .completion, .failure, .repair, .halt: break
        }
    }

    /// Starts loading the records of an event at server `sv`: its own and its station's.
    @inline(__always)
    func prefetchAround(server sv: Int) {
        let s = servers.at(sv)
        takt_prefetch(s)
        takt_prefetch(stations.at(s.pointee.station))
    }

    /// The node an event belongs to: a source for arrivals, else the server's station.
    func node(of e: Event) -> NodeRef {
        switch e.kind {
        case .arrival: return .source(Int(e.target))
        case .ready: return .buffer(Int(e.target))
        case .shift: return .station(max(0, Int(e.target)))
        case .halt, .repair, .failure, .completion, .maintenanceDue, .maintenanceEnd: return .station(servers[Int(e.target)].station)
        }
    }

    /// The station queue or buffer holding the most waiting parts, for the parts-limit error.
    func partsLimitError() -> SimulationError {
        var best = (element: NodeRef.source(0), held: -1, entered: 0)
        func starts(_ i: Int) -> Int { stations[i].processed + processedBeforeWindow[i] + inService(station: i) }
        for i in stations.indices where stations[i].queue.count > best.held {
            best = (.station(i), stations[i].queue.count, stations[i].queue.count + starts(i))
        }
        for j in buffers.indices where buffers[j].parts.count > best.held {
            var passed = 0
            let r = buffers[j].route
            for d in r.start..<(r.start + r.count) { if case .station(let i) = destinations[d] { passed += starts(i) } }
            best = (.buffer(j), buffers[j].parts.count, buffers[j].parts.count + passed)
        }
        return .tooManyParts(time: now, element: best.element, held: max(0, best.held), entered: best.entered)
    }

    /// With nothing left to happen, servers still blocked can never move.
    func deadlockedStations() -> [Int]? {
        var stuck: [Int] = []
        for i in stations.indices {
            let first = stations[i].firstServer
            for sv in first..<(first + stations[i].servers) where servers[sv].holding {
                stuck.append(i)
                break
            }
        }
        return stuck.isEmpty ? nil : stuck
    }

    // MARK: Parts and sources

    /// A new part from source `k`, of its type (drawn, for a mix).
    @inline(__always)
    func newPart<P: PlantFeatures>(source k: Int, _: P.Type) -> Int32 {
        parts.create(at: now, type: nextType(source: k, P.self))
    }

    /// The type of source `k`'s next part.
    @inline(__always)
    func nextType<P: PlantFeatures>(source k: Int, _: P.Type) -> Int32 {
        let src = sources.at(k)
        return !P.rich || src.pointee.mixCount == 0 ? src.pointee.type : drawType(source: k)
    }

    @inline(never)
    func drawType(source k: Int) -> Int32 {
        let start = sources[k].mixStart, count = sources[k].mixCount
        let u = mixRng[k].uniform()
        var acc = 0.0
        for x in start..<(start + count) {
            acc += mixWeights[x]
            if u < acc { return mixTypes[x] }
        }
        return mixTypes[start + count - 1]
    }

    func scheduleArrival(_ k: Int) {
        if sources[k].traced {
            scheduleTraceArrival(k)
            return
        }
        guard sources[k].created < sources[k].limit, let d = interarrival[k] else { return }
        let gap = d.sample(&sources[k].rng, zig)
        let t = sourceShift[k].map { $0.addOnTime(gap, from: now) } ?? now + gap
        calendar.schedule(time: t, kind: .arrival, target: k)
    }

    func arrival<P: PlantFeatures>(_ k: Int, _: P.Type) {
        let src = sources.at(k)
        if P.rich && src.pointee.traced {
            traceArrival(k)
            return
        }
        guard src.pointee.created < src.pointee.limit else { return }
        src.pointee.created += 1
        // The type first: a split by type routes by it, and a lost arrival draws one too, so
        // that the arrivals after it keep their types.
        let type = nextType(source: k, P.self)
        if src.pointee.route.drawsAtFinish {
            src.pointee.target = chooseAtFinish(src.pointee.route, rng: &src.pointee.routeRng, rr: &src.pointee.rr, type: type)
        }
        if src.pointee.losesWhenFull && loseArrival(k, type: type) { return }
        src.pointee.held = parts.create(at: now, type: type)
        if P.rich && tracing { note(.arrive, .source(k), part: src.pointee.held) }
        if !trySourceMove(k, P.self) {
            src.pointee.blockedSince = now
            block(entity: -1 - Int32(k))
        }
    }

    /// `when_full: lose`: whether the arrival finds no room, and is then counted lost.
    @inline(never)
    func loseArrival(_ k: Int, type: Int32) -> Bool {
        guard destination(sources[k].route, chosen: sources[k].target) == nil else { return false }
        sources[k].lost += 1
        if tracing { note(.lost, .source(k), type: type) }
        scheduleArrival(k)
        return true
    }

    /// Adds the time the source's held part was blocked within the window, up to now.
    @inline(never)
    func accrueSourceBlocked(_ k: Int, until t: Double) {
        let from = max(sources[k].blockedSince, warmup)
        if t > from { sources[k].blockedTime += t - from }
    }

    /// Moves the source's held part on if it can; the next interarrival is drawn when it leaves.
    func trySourceMove(_ k: Int) -> Bool { trySourceMove(k, RichPlant.self) }

    func trySourceMove<P: PlantFeatures>(_ k: Int, _: P.Type) -> Bool {
        let src = sources.at(k)
        let p = src.pointee.held
        guard let dest = destination(src.pointee.route, chosen: src.pointee.target) else { return false }
        src.pointee.held = -1
        if src.pointee.blockSeq != 0 {
            accrueSourceBlocked(k, until: now)
            src.pointee.blockSeq = 0
        }
        accept(dest, part: p, P.self)
        if P.rich && src.pointee.traced {
            releaseBacklog(k)
        } else {
            scheduleArrival(k)
        }
        return true
    }
}

