/// A plant as the core sees it: elements by index, no names looked up while running.
/// Front ends (the Takt language, tests, other tools) build one and hand it to `Simulation`.
public struct ModelSpec: Sendable, Equatable {
    public var sources: [SourceSpec] = []
    public var stations: [StationSpec] = []
    public var buffers: [BufferSpec] = []
    public var sinks: [SinkSpec] = []
    /// Repair crews that failures name (`FailureSpec.crew`).
    public var crews: [CrewSpec] = []
    /// Part types, by index. Parts of sources without a mix are untyped: tables by type have
    /// one entry more than this, the last for untyped parts (`untypedSlot`).
    public var partTypes: [PartTypeSpec] = []

    public init() {}

    /// The entry of untyped parts in tables by type.
    public var untypedSlot: Int { partTypes.count }
    /// Entries in a table by type: each type, then untyped.
    public var typeSlots: Int { partTypes.count + 1 }
}

/// A kind of part (docs/model.md): a name; what differs by type lives with the stations and
/// routings that look at it.
public struct PartTypeSpec: Sendable, Equatable {
    public var name: String
    /// What the `priority` discipline orders by, highest first.
    public var priority: Double
    /// Time from creation to due date, for `edd`; nil: no due date (last).
    public var due: Double?

    public init(name: String, priority: Double = 0, due: Double? = nil) {
        self.name = name
        self.priority = priority
        self.due = due
    }
}

/// The order in which a queue or buffer gives up its parts (docs/model.md); ties go first
/// come, first served, and nothing is preempted.
public enum Discipline: UInt8, Sendable, Equatable, CaseIterable {
    case fifo, lifo, priority
    /// Shortest processing time first: the time is drawn as the part joins.
    case spt
    /// Earliest due date (creation + the type's `due`) first.
    case edd
}

/// A share of a source's parts that is of one type.
public struct TypeShare: Sendable, Equatable {
    public var type: Int
    public var weight: Double
    public init(type: Int, weight: Double) {
        self.type = type
        self.weight = weight
    }
}

/// What a station does differently by part type. Each table has `ModelSpec.typeSlots` entries
/// (types, then untyped), filled in by the front end from its `else` entries.
public struct TypedWork: Sendable, Equatable {
    /// Processing time by type, or nil where the station's `process` serves every type.
    public var process: [Distribution]?
    /// Scrap chance by type, or nil where `scrap` serves every type.
    public var scrap: [Double]?
    /// Setup time on a change from the type of the last part to the next one's, flat
    /// (`from * typeSlots + to`); nil entries mean no setup; nil: the station never sets up.
    public var setup: [Distribution?]?

    public init(process: [Distribution]? = nil, scrap: [Double]? = nil, setup: [Distribution?]? = nil) {
        self.process = process
        self.scrap = scrap
        self.setup = setup
    }

    public var isEmpty: Bool { process == nil && scrap == nil && setup == nil }
}

/// A crew of interchangeable members: a free member takes the oldest waiting repair.
public struct CrewSpec: Sendable, Equatable {
    public var name: String
    public var size: Int
    /// When its members work: off shift they take no new work (one busy finishes first).
    public var shift: Shift?

    public init(name: String, size: Int) {
        self.name = name
        self.size = size
    }
}

public enum NodeRef: Hashable, Sendable {
    case source(Int), station(Int), buffer(Int), sink(Int)
}

/// Where a part goes when it leaves a node.
public enum Routing: Sendable, Equatable {
    case none
    case next(NodeRef)
    /// Probabilistic split; weights sum to 1. The destination is drawn when the part finishes.
    case split([Double], [NodeRef])
    case rule(RoutingRule, [NodeRef])
    /// Split by part type: entry `t` of the first list (one per type slot, untyped last)
    /// is the index of type `t`'s destination.
    case byType([Int], [NodeRef])

    public var destinations: [NodeRef] {
        switch self {
        case .none: return []
        case .next(let n): return [n]
        case .split(_, let d), .rule(_, let d), .byType(_, let d): return d
        }
    }
}

public enum RoutingRule: Sendable, Equatable {
    case random, roundRobin, shortestQueue, firstAvailable
    /// A run-time decision made by a `RoutingDecider` (learning agents plug in here).
    case decider(Int)
}

/// Decides a part's destination at run time (docs/agents.md): once per part, when it is
/// made at a source, finishes at a station, or reaches a buffer's head; the part then waits for
/// the destination picked, as with a split. A decider may keep state: each replication gets its
/// own, from a `DeciderFactory`.
public protocol RoutingDecider {
    /// One of `options` destinations (0-based, in the order the choice lists them), reading
    /// the plant as it is now. An answer out of range means the first.
    mutating func choose(options: Int, plant: PlantState) -> Int
    /// Told once when the replication ends (an episode's end), with the plant as it is then.
    mutating func finish(plant: PlantState)
    /// Whether `advance` is to be called after every event: a decider integrating a reward
    /// over time reads the plant as each event leaves it (it stays so until the next).
    var followsEveryEvent: Bool { get }
    /// Called after every event when `followsEveryEvent`.
    mutating func advance(plant: PlantState)
}

extension RoutingDecider {
    public mutating func finish(plant: PlantState) {}
    public var followsEveryEvent: Bool { false }
    public mutating func advance(plant: PlantState) {}
}

/// Makes the decider `.decider(k)` uses in one replication (given its number), so that no two
/// replications share one and results do not depend on the number of workers.
public typealias DeciderFactory = @Sendable (_ replication: Int) -> any RoutingDecider

public struct SourceSpec: Sendable, Equatable {
    public var name: String
    public var interarrival: Distribution?
    public var saturated: Bool
    public var limit: Int?
    public var routing: Routing
    /// An arrival that finds no room is lost (counted, and toward `limit`) instead of waiting.
    public var losesWhenFull: Bool
    /// The types of the parts it makes and their shares (weights summing to 1); empty:
    /// untyped parts.
    public var mix: [TypeShare]
    /// When it makes parts: its interarrival clock pauses off shift. Nil: always.
    public var shift: Shift?
    /// A trace: the creation times of its parts (seconds from 0, non-decreasing) instead of
    /// an interarrival distribution; parts that cannot move wait at the source in order.
    public var arrivals: [Double]?
    /// With `arrivals`, each part's type (an index into `partTypes`); nil: by `mix`.
    public var arrivalTypes: [Int]?

    public init(name: String, interarrival: Distribution?, saturated: Bool = false, limit: Int? = nil, routing: Routing,
                losesWhenFull: Bool = false, mix: [TypeShare] = []) {
        self.name = name
        self.mix = mix
        self.interarrival = interarrival
        self.saturated = saturated
        self.limit = limit
        self.routing = routing
        self.losesWhenFull = losesWhenFull
    }
}

public enum FailureClock: Sendable, Equatable {
    /// Time to failure counts processing time only.
    case busy
    /// Time to failure counts all time.
    case clock
    /// Fails when this many parts have completed since the last repair.
    case parts(Int)
}

public struct FailureSpec: Sendable, Equatable {
    public var name: String
    public var up: Distribution?
    public var down: Distribution
    public var clock: FailureClock
    /// The crew whose member repairs it (the repair waits for a free member, counting as
    /// down); nil: a repairer of its own, at once.
    public var crew: Int?

    public init(name: String, up: Distribution?, down: Distribution, clock: FailureClock, crew: Int? = nil) {
        self.name = name
        self.up = up
        self.down = down
        self.clock = clock
        self.crew = crew
    }
}

/// A planned stop of a server (docs/model.md): due every so much clock time (from 0 and from
/// the end of the last stop) or every so many parts completed since; once due the server takes
/// no part, finishes the one it has, then stops for `duration`, with a member of `crew` if set.
public struct MaintenanceSpec: Sendable, Equatable {
    public enum Every: Sendable, Equatable {
        case clock(Double)
        case parts(Int)
    }
    public var name: String
    public var every: Every
    public var duration: Distribution
    public var crew: Int?

    public init(name: String, every: Every, duration: Distribution, crew: Int? = nil) {
        self.name = name
        self.every = every
        self.duration = duration
        self.crew = crew
    }
}

public struct StationSpec: Sendable, Equatable {
    public var name: String
    public var servers: Int
    public var process: Distribution
    /// Capacity of the station's own input queue; nil is unlimited.
    public var queueCapacity: Int?
    /// At most 255 modes.
    public var failures: [FailureSpec]
    public var routing: Routing
    /// The probability that a finished part is scrapped: it leaves the plant at once.
    public var scrap: Double
    /// Processing, scrap and setups by part type.
    public var typed: TypedWork
    /// The order of its own queue, and of its pick among the heads of the buffers feeding it.
    public var discipline: Discipline = .fifo
    /// Parts processed together as one (1: one at a time). A server starts when this many
    /// wait for it, in its own queue or in buffers that feed it alone.
    public var batch: Int = 1
    /// A set of parts by type consumed per start (type index, count), making one part of
    /// type `makes` (nil: untyped); empty: not an assembly.
    public var assemble: [(type: Int, count: Int)] = []
    public var makes: Int?
    /// When its servers work; nil: always.
    public var shift: Shift?
    /// Planned stops of each server.
    public var maintenance: [MaintenanceSpec] = []
    /// The crew whose member each server holds while setting up and processing; nil: none.
    public var operatorCrew: Int?

    public static func == (a: StationSpec, b: StationSpec) -> Bool {
        a.name == b.name && a.servers == b.servers && a.process == b.process && a.queueCapacity == b.queueCapacity
            && a.failures == b.failures && a.routing == b.routing && a.scrap == b.scrap && a.typed == b.typed
            && a.discipline == b.discipline && a.batch == b.batch && a.assemble.map(\.type) == b.assemble.map(\.type)
            && a.assemble.map(\.count) == b.assemble.map(\.count) && a.makes == b.makes && a.shift == b.shift
            && a.maintenance == b.maintenance && a.operatorCrew == b.operatorCrew
    }

    /// Whether its servers pull their work rather than take what is pushed to them.
    public var pulls: Bool { batch > 1 || !assemble.isEmpty || hasPlannedStates }

    /// Whether its servers have states beyond the plain ones (shifts, maintenance, operators).
    public var hasPlannedStates: Bool { shift != nil || !maintenance.isEmpty || operatorCrew != nil }

    public init(name: String, servers: Int = 1, process: Distribution, queueCapacity: Int? = nil,
                failures: [FailureSpec] = [], routing: Routing, scrap: Double = 0, typed: TypedWork = TypedWork(),
                discipline: Discipline = .fifo) {
        self.name = name
        self.discipline = discipline
        self.typed = typed
        self.scrap = scrap
        self.servers = servers
        self.process = process
        self.queueCapacity = queueCapacity
        self.failures = failures
        self.routing = routing
    }
}

public struct BufferSpec: Sendable, Equatable {
    public var name: String
    /// nil is unlimited; 0 is a direct hand-off.
    public var capacity: Int?
    public var routing: Routing
    public var discipline: Discipline = .fifo
    /// Time from entering until a part may leave (a conveyor); parts leave in the order they
    /// become ready, overtaking each other. Nil: at once.
    public var delay: Distribution?

    public init(name: String, capacity: Int?, routing: Routing) {
        self.name = name
        self.capacity = capacity
        self.routing = routing
    }
}

public struct SinkSpec: Sendable, Equatable {
    public var name: String
    public init(name: String) { self.name = name }
}
