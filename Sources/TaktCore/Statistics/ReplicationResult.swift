/// What one replication measured over its observation window (docs/model.md).
public struct ReplicationResult: Sendable {
    public struct Station: Sendable {
        public var utilization = 0.0, blocked = 0.0, starved = 0.0, down = 0.0
        /// Fractions of server time setting up for a new part type, waiting for an operator,
        /// in planned stops, and off shift.
        public var setup = 0.0, unstaffed = 0.0, maintenance = 0.0, offShift = 0.0
        public var queue = 0.0
        /// nil when no part started in the window.
        public var wait: Double?
        public var processed = 0.0
        /// Finished parts scrapped (counted in `processed` too).
        public var scrapped = 0.0
    }
    public struct Buffer: Sendable {
        public var level = 0.0
    }
    public struct Source: Sendable {
        /// Parts that entered the plant in the window; arrivals lost (`losesWhenFull`) in it;
        /// the fraction of the window spent holding a part that could not move on.
        public var created = 0.0, lost = 0.0, blocked = 0.0
    }
    public struct Crew: Sendable {
        /// Busy members over the size; repairs waiting for a member; the mean wait of a repair
        /// granted in the window for a member (nil when none was).
        public var utilization = 0.0, queue = 0.0
        public var wait: Double?
    }
    public struct Sink: Sendable {
        public var count = 0.0
        /// Per second.
        public var throughput = 0.0
        public var cycleTime: Double?
        /// The same by part type, in the model's order (empty when the model has no types).
        public var parts: [Sink] = []

        public init(count: Double = 0, throughput: Double = 0, cycleTime: Double? = nil) {
            self.count = count
            self.throughput = throughput
            self.cycleTime = cycleTime
        }
    }
    /// The parts of one type: absorbed at every sink (count, per second, mean cycle time),
    /// time-average present, scrapped.
    public struct PartType: Sendable {
        public var count = 0.0, throughput = 0.0
        public var cycleTime: Double?
        public var wip = 0.0, scrapped = 0.0
    }

    public var stations: [Station] = []
    public var buffers: [Buffer] = []
    public var sinks: [Sink] = []
    public var sources: [Source] = []
    public var crews: [Crew] = []
    /// By part type, in the model's order (empty when the model has no types).
    public var parts: [PartType] = []
    public var throughput = 0.0
    public var wip = 0.0
    public var cycleTime: Double?
    /// Parts scrapped in the window, at every station.
    public var scrapped = 0.0
    /// Events processed, for benchmarks.
    public var events = 0
    /// The parts in the plant when the window opened, created in it, and left at its end:
    /// at start + created = absorbed + at end, which the property tests hold the engine to.
    public var partsAtStart = 0, partsCreated = 0, partsAtEnd = 0
    /// Parts consumed by assemblies in the window (their products count as created).
    public var consumed = 0
}
