/// The monitor seam: a replication given a monitor tells it of every event as it happens
/// (for the event trace, docs/cli.md), and nothing is kept. The plain event loop has no test
/// for it: a monitored replication runs the copy of the loop for rich plants
/// (LoopVariants.swift), where each hook is one test of `tracing`.
public protocol ReplicationMonitor: AnyObject {
    func record(_ event: TraceEvent)
    /// Every this many seconds of the window (from the warm-up's end), `sample` is told the
    /// plant's state at that instant; nil: never.
    var sampleInterval: Double? { get }
    /// The parts in the plant and each buffer's level at `time`.
    func sample(time: Double, wip: Int, levels: [Int])
}

extension ReplicationMonitor {
    public var sampleInterval: Double? { nil }
    public func sample(time: Double, wip: Int, levels: [Int]) {}
}

public struct TraceEvent: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// A source makes a part; an arrival finds no room and is lost (`when_full: lose`).
        case arrive, lost
        /// A part joins a station's queue or a buffer (not when it goes straight to a server).
        case enter
        /// A server takes a part; a setup begins for it.
        case start, setup
        /// A server finishes a part; a server (or a source) cannot pass it on; now it can.
        case finish, block, unblock
        case fail, repair
        /// A planned stop begins.
        case maintain
        case offShift = "off_shift", onShift = "on_shift"
        case scrap, absorb
    }

    public var time: Double
    public var kind: Kind
    public var node: NodeRef
    /// The server within its station (0 for the first), or -1.
    public var server: Int
    /// The part's number in the replication (1 for the first made), or 0 for none.
    public var part: Int
    /// The part's type (an index into `ModelSpec.partTypes`), or -1 for untyped or none.
    public var type: Int
    /// The part's time in the plant so far (its cycle time at `absorb`), or 0 for none.
    public var age: Double

    public init(time: Double, kind: Kind, node: NodeRef, server: Int = -1, part: Int = 0, type: Int = -1, age: Double = 0) {
        self.time = time
        self.kind = kind
        self.node = node
        self.server = server
        self.part = part
        self.type = type
        self.age = age
    }
}

/// A monitor handed to a worker thread: only the replication it is given to calls it.
struct MonitorBox: @unchecked Sendable {
    let monitor: ReplicationMonitor?
}

extension Replication {
    /// Tells the monitor of an event; `sv` is a server's global index, `p` a part's number in
    /// the part table.
    @inline(never)
    func note(_ kind: TraceEvent.Kind, _ node: NodeRef, server sv: Int = -1, part p: Int32 = -1, type slot: Int32 = -1) {
        guard let monitor else { return }
        var server = -1
        if sv >= 0 { server = sv - stations[servers[sv].station].firstServer }
        let t = p >= 0 ? parts[p].type : slot
        monitor.record(TraceEvent(time: now, kind: kind, node: node, server: server, part: p >= 0 ? parts.serial(p) : 0,
                                  type: t >= 0 && Int(t) < typeSlots - 1 ? Int(t) : -1, age: p >= 0 ? now - parts[p].created : 0))
    }

    /// Tells the monitor the state at each sample instant up to `t` (the state before the
    /// event at `t`, which holds from the last event on).
    @inline(never)
    func takeSamples(upTo t: Double) {
        guard let monitor, let interval = monitor.sampleInterval else {
            nextSample = .infinity
            return
        }
        while nextSample <= t && nextSample <= end {
            monitor.sample(time: nextSample, wip: parts.live, levels: buffers.indices.map { buffers[$0].parts.count })
            nextSample += interval
        }
        if nextSample > end { nextSample = .infinity }
    }

    /// An event at server `sv`, of the part it holds (if any).
    @inline(never)
    func note(_ kind: TraceEvent.Kind, server sv: Int) {
        note(kind, .station(servers[sv].station), server: sv, part: servers[sv].part)
    }
}
