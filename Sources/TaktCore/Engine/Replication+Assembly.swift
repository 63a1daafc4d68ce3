/// Assembly (docs/model.md): a server starts when each type of its set has that many parts
/// waiting for it, in its queue or the buffers feeding it alone, and takes the first of each
/// type (longest waiting). The components leave the plant; the product, created at its
/// earliest component's creation (for its cycle time) but counted in WIP from the start,
/// takes their place.
extension Replication {
    /// Where a waiting part is: the station's queue (-1) or a feeding buffer, and its place.
    struct Waiting {
        var buffer: Int
        var index: Int
        var queued: QueuedPart
    }

    @inline(never)
    func startAssembly(_ h: ServerHandle) -> Bool {
        let s = h.server, st = h.station
        guard s.pointee.part < 0, !s.pointee.down, s.pointee.hold == Hold.pull else { return false }
        let i = s.pointee.station
        let set = sets[i]
        for k in set.indices where setWaiting[setBase[i] + k] < set[k].count { return false }
        // The first waiting parts of each listed type, in each queue's order: no more than the
        // set needs from any one queue, so that a long backlog of one type costs nothing
        // while another type is missing.
        var byType = Array(repeating: [Waiting](), count: set.count)
        func scan(_ queue: PartQueue, buffer: Int) {
            var taken = Array(repeating: 0, count: set.count)
            var missing = set.reduce(0) { $0 + $1.count }
            var k = 0
            while k < queue.count && missing > 0 {
                let q = queue[k]
                if buffer >= 0 && !isReady(q, in: buffer) { break }
                let t = Int(parts[q.part].type)
                if let x = set.firstIndex(where: { $0.type == t }), taken[x] < set[x].count {
                    byType[x].append(Waiting(buffer: buffer, index: k, queued: q))
                    taken[x] += 1
                    missing -= 1
                }
                k += 1
            }
        }
        if st.pointee.hasOwnQueue {
            scan(st.pointee.queue, buffer: -1)
        } else {
            let start = st.pointee.feederStart
            for f in start..<(start + st.pointee.feederCount) { scan(buffers[feeders[f]].parts, buffer: feeders[f]) }
        }
        for k in set.indices where byType[k].count < set[k].count { return false }
        var chosen: [Waiting] = []
        for k in set.indices {
            chosen += byType[k].sorted { $0.queued.arrived < $1.queued.arrived }.prefix(set[k].count)
        }
        // Remove from the back of each queue first, so that the places found stay right.
        chosen.sort { ($0.buffer, $0.index) > ($1.buffer, $1.index) }
        var earliest = Double.infinity
        var touched: [Int] = []
        for w in chosen {
            let p = w.queued.part
            if w.buffer < 0 {
                _ = st.pointee.queue.remove(at: w.index)
                st.pointee.queueArea += now - w.queued.arrived
                st.pointee.present -= 1
            } else {
                _ = buffers[w.buffer].parts.remove(at: w.index)
                buffers[w.buffer].levelArea += now - w.queued.arrived
                if !touched.contains(w.buffer) { touched.append(w.buffer) }
            }
            st.pointee.waitSum += now - w.queued.arrived
            countForSet(station: i, type: Int(parts[p].type), by: -1)
            earliest = min(earliest, parts[p].created)
            // A component leaves the plant as it is consumed.
            wipArea += now - parts[p].created
            if typed { typeStats.wipArea[Int(parts[p].type)] += now - parts[p].created }
            consumed += 1
            parts.release(p)
        }
        let product = parts.create(at: earliest, type: products[i])
        // Counted in WIP from now: what its creation time adds before now is taken off here.
        wipArea -= now - earliest
        if typed { typeStats.wipArea[Int(products[i])] -= now - earliest }
        st.pointee.present += 1
        // The components' waits are counted above: the product's start adds none.
        startService(h, part: product, arrived: now)
        if st.pointee.hasOwnQueue { roomAt(.station(i)) } else { for j in touched { roomAtBuffer(j) } }
        return true
    }

    /// Adds `n` to the waiting parts of `type` counted for assembly `i` (if its set lists it).
    func countForSet(station i: Int, type: Int, by n: Int) {
        if let k = sets[i].firstIndex(where: { $0.type == type }) { setWaiting[setBase[i] + k] += n }
    }

    /// Components per product at station `i` (1 for other stations).
    func componentsPerStart(_ i: Int) -> Int {
        stations[i].assembles ? sets[i].reduce(0) { $0 + $1.count } : 1
    }
}
