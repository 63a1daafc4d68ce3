/// What a decider sees of the plant when it decides (docs/agents.md): the state now,
/// read from the running replication. Valid only during the call that hands it over.
public struct PlantState {
    unowned let replication: Replication

    init(_ replication: Replication) { self.replication = replication }

    /// The simulated time, in seconds.
    public var now: Double { replication.now }

    /// Parts at station `i`: waiting, in process and held.
    public func count(station i: Int) -> Int { replication.stations[i].present }

    /// Parts waiting in station `i`'s own queue.
    public func queue(station i: Int) -> Int { replication.stations[i].queue.count }

    /// Servers of station `i` holding a part (in process or blocked).
    public func busy(station i: Int) -> Int {
        let st = replication.stations[i]
        var n = 0
        for sv in st.firstServer..<(st.firstServer + st.servers) where replication.servers[sv].part >= 0 { n += 1 }
        return n
    }

    /// Servers of station `i` down.
    public func down(station i: Int) -> Int {
        let st = replication.stations[i]
        var n = 0
        for sv in st.firstServer..<(st.firstServer + st.servers) where replication.servers[sv].down { n += 1 }
        return n
    }

    /// Parts in buffer `j`.
    public func level(buffer j: Int) -> Int { replication.buffers[j].parts.count }

    /// Parts in the plant.
    public var wip: Int { replication.parts.live }

    /// The type of the part being routed (an index into `ModelSpec.partTypes`), or nil for an
    /// untyped part.
    public var partType: Int? {
        let t = Int(replication.routedType)
        return t < replication.typeSlots - 1 ? t : nil
    }
}
