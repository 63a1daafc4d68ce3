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
        // The waiting parts of each listed type, longest waiting first.
        var byType = Array(repeating: [Waiting](), count: set.count)
        func consider(_ q: QueuedPart, buffer: Int, index: Int) {
            let t = Int(parts[q.part].type)
            if let k = set.firstIndex(where: { $0.type == t }) { byType[k].append(Waiting(buffer: buffer, index: index, queued: q)) }
        }
        if st.pointee.hasOwnQueue {
            for k in 0..<st.pointee.queue.count { consider(st.pointee.queue[k], buffer: -1, index: k) }
        } else {
            let start = st.pointee.feederStart
            for f in start..<(start + st.pointee.feederCount) {
                let j = feeders[f]
                for k in 0..<buffers[j].parts.count where isReady(buffers[j].parts[k], in: j) {
                    consider(buffers[j].parts[k], buffer: j, index: k)
                }
            }
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

    /// Components per product at station `i` (1 for other stations).
    func componentsPerStart(_ i: Int) -> Int {
        stations[i].assembles ? sets[i].reduce(0) { $0 + $1.count } : 1
    }
}
