/// A node's routing as the event loop reads it: plain fields, with the destinations (and split
/// weights) in flat tables the replication owns. Copying one costs no reference counting,
/// unlike the `Routing` enum with its arrays.
struct Route {
    /// The kinds drawing at finish stay together (see `drawsAtFinish`).
    enum Kind: UInt8, CaseIterable {
        case none, next, firstAvailable, shortestQueue, split, byType, random, roundRobin, decider
    }

    /// The destination of a plain `next`, read without touching the tables.
    var next: NodeRef
    var kind: Kind
    /// Where this node's destinations start in the flat tables, and how many it has (narrow,
    /// so that a route fits in 24 bytes of its node's first cache line).
    @Narrow<Int32> var start: Int
    @Narrow<Int32> var count: Int
    /// Which `RoutingDecider` decides, for `.decider`; where the destinations by type start in
    /// the table of type branches, for `.byType`.
    @Narrow<Int32> var decider: Int

    /// Whether the destination is drawn when the part finishes (split, by type, random, round robin).
    var drawsAtFinish: Bool {
        // The kinds that fix a destination when the part finishes come last: one comparison.
        @inline(__always) get { kind.rawValue >= Kind.split.rawValue }
    }

    /// Flattens `routing`, appending its destinations and weights to the tables.
    /// A split by type appends its destination per type slot to `branches`.
    init(_ routing: Routing, destinations: inout [NodeRef], weights: inout [Double], branches: inout [Int32]) {
        let first = destinations.count
        var next = NodeRef.sink(0)
        var decider = 0
        let kind: Kind
        switch routing {
        case .none:
            kind = .none
        case .next(let n):
            kind = .next
            next = n
            destinations.append(n)
            weights.append(1)
        case .split(let w, let d):
            kind = .split
            destinations += d
            weights += w
        case .byType(let branch, let d):
            kind = .byType
            decider = branches.count
            branches += branch.map { Int32($0) }
            destinations += d
            weights += Array(repeating: 0, count: d.count)
        case .rule(let rule, let d):
            switch rule {
            case .random: kind = .random
            case .roundRobin: kind = .roundRobin
            case .firstAvailable: kind = .firstAvailable
            case .shortestQueue: kind = .shortestQueue
            case .decider(let i):
                kind = .decider
                decider = i
            }
            destinations += d
            weights += Array(repeating: 0, count: d.count)
        }
        self.next = next
        self.kind = kind
        start = first
        count = destinations.count - first
        self.decider = decider
    }
}
