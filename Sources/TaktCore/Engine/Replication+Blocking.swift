/// Blocking after service: entities that cannot move wait at the nodes whose room would let
/// them, and are released first blocked, first served.
extension Replication {
    func nodeIndex(_ n: NodeRef) -> Int? {
        switch n {
        case .station(let i): return i
        case .buffer(let j): return stations.count + j
        case .source, .sink: return nil
        }
    }

    /// Registers a blocked server (entity >= 0) or source (entity < 0) with the nodes whose
    /// room would let it move.
    func block(entity: Int32) {
        let seq = nextBlockSeq
        nextBlockSeq += 1
        let r: Route
        let chosen: Int
        if tracing {
            if entity >= 0 { note(.block, server: Int(entity)) } else { note(.block, .source(Int(-1 - entity)), part: sources[Int(-1 - entity)].held) }
        }
        if entity >= 0 {
            servers[Int(entity)].blockSeq = seq
            r = stations[servers[Int(entity)].station].route
            chosen = servers[Int(entity)].target
        } else {
            let k = Int(-1 - entity)
            sources[k].blockSeq = seq
            r = sources[k].route
            chosen = sources[k].target
        }
        if r.kind == .next {
            // The one destination is in the route itself.
            if let w = nodeIndex(r.next) { addWaiter(w, entity, seq: seq) }
        } else if r.drawsAtFinish {
            if let w = nodeIndex(destinations[r.start + chosen]) { addWaiter(w, entity, seq: seq) }
        } else {
            for k in r.start..<(r.start + r.count) {
                if let w = nodeIndex(destinations[k]) { addWaiter(w, entity, seq: seq) }
            }
        }
    }

    @inline(__always)
    func addWaiter(_ w: Int, _ entity: Int32, seq: Int) {
        waiters[w].append(Waiter(entity: entity, seq: seq))
        waiting[w] += 1
    }

    func isStillBlocked(_ entity: Int32, seq: Int) -> Bool {
        if entity <= Replication.bufferEntityBase {
            let j = Int(Replication.bufferEntityBase - entity)
            return buffers[j].waitingSeq == seq
        }
        if entity >= 0 { return servers[Int(entity)].holding && servers[Int(entity)].blockSeq == seq }
        let k = Int(-1 - entity)
        return sources[k].held >= 0 && sources[k].blockSeq == seq
    }

    /// Room appeared at buffer `j`: the common "no one is waiting" answer without a call.
    @inline(__always)
    func roomAtBuffer(_ j: Int) {
        if waiting[stations.count + j] > 0 { roomAt(.buffer(j)) }
    }

    /// Room appeared at a node: release its blocked upstream entities, first blocked first
    /// served, while room lasts. Each release may cascade further upstream.
    func roomAt(_ n: NodeRef) {
        guard let w = nodeIndex(n), waiting[w] > 0 else { return }
        while let first = waiters[w].first {
            let entity = first.entity
            if !isStillBlocked(entity, seq: first.seq) {
                _ = waiters[w].removeFirst()
                waiting[w] -= 1
                continue
            }
            if !canAccept(n) { return }
            _ = waiters[w].removeFirst()
            waiting[w] -= 1
            if entity <= Replication.bufferEntityBase {
                let j = Int(Replication.bufferEntityBase - entity)
                buffers[j].waitingSeq = 0
                let before = buffers[j].parts.count
                advanceBuffer(j)
                if buffers[j].parts.count == before { return }
                continue
            }
            if tracing {
                if entity >= 0 { note(.unblock, server: Int(entity)) } else { note(.unblock, .source(Int(-1 - entity)), part: sources[Int(-1 - entity)].held) }
            }
            let moved = entity >= 0 ? tryServerMove(Int(entity)) : trySourceMove(Int(-1 - entity))
            if !moved {
                // Its rule chose no node with room (cannot happen for this node); keep its place.
                block(entity: entity)
                return
            }
        }
    }
}
