/// Batches (docs/model.md): a server of a batching station starts when `batchSize` parts wait
/// for it and takes them as one, of the first one's type; they finish together, are scrapped
/// each alone, and leave one by one, the server blocked until the last has left. Such a
/// server pulls its work: it is never free for a part pushed to it (`Hold.pull`), and it
/// looks for a full batch when it frees, comes back from repair, or a part joins its queue or
/// a buffer feeding it.
extension Replication {
    /// Parts waiting for station `i`: in its queue, or in the buffers feeding it alone.
    func waitingForBatch(station i: Int) -> Int {
        let st = stations.at(i)
        if st.pointee.hasOwnQueue { return st.pointee.queue.count }
        var n = 0
        let start = st.pointee.feederStart
        for f in start..<(start + st.pointee.feederCount) {
            let j = feeders[f]
            if buffers[j].delays {
                // Ready parts come first in a buffer with a delay.
                var k = 0
                while k < buffers[j].parts.count, parts[readyAt: buffers[j].parts[k].part] <= now { k += 1 }
                n += k
            } else {
                n += buffers[j].parts.count
            }
        }
        return n
    }

    /// Server `h`, free and working, takes a full batch if one waits (or its saturated source
    /// can make one). Returns whether it started.
    @inline(never)
    func startBatch(_ h: ServerHandle) -> Bool {
        let s = h.server, st = h.station
        guard s.pointee.part < 0, !s.pointee.down, s.pointee.hold == Hold.pull else { return false }
        let i = s.pointee.station, n = st.pointee.batchSize
        let base = st.pointee.batchBase + (h.index - st.pointee.firstServer) * n
        var arrivedFirst = now
        if st.pointee.saturatedBy >= 0 {
            let source = sources.at(st.pointee.saturatedBy)
            guard source.pointee.limit - source.pointee.created >= n else { return false }
            source.pointee.created += n
            for k in 0..<n {
                batchMembers[base + k] = newPart(source: st.pointee.saturatedBy, RichPlant.self)
                if tracing { note(.arrive, .source(st.pointee.saturatedBy), part: batchMembers[base + k]) }
            }
            st.pointee.present += n
        } else {
            guard waitingForBatch(station: i) >= n else { return false }
            var touched: [Int] = []
            for k in 0..<n {
                let q: QueuedPart
                if st.pointee.hasOwnQueue {
                    q = st.pointee.queue.removeFirst()
                    st.pointee.queueArea += now - q.arrived
                } else {
                    let j = bestFeeder(station: i)
                    q = takeHead(j)
                    st.pointee.present += 1
                    if !touched.contains(j) { touched.append(j) }
                }
                batchMembers[base + k] = q.part
                if k == 0 { arrivedFirst = q.arrived } else { st.pointee.waitSum += now - q.arrived }
            }
            // The room the members leave, offered upstream before the batch starts.
            if st.pointee.hasOwnQueue { roomAt(.station(i)) } else { for j in touched { roomAtBuffer(j) } }
        }
        batchHeld[h.index] = Int32(n)
        batchNext[h.index] = 1
        // The batch is processed as its first part, whose type sets its time and setup.
        startService(h, part: batchMembers[base], arrived: arrivedFirst)
        return true
    }

    /// The batch on server `h` is done: every member counts as processed (and toward parts-
    /// count failures), each may be scrapped, then they leave one by one.
    @inline(never)
    func completeBatch(_ h: ServerHandle) {
        let s = h.server, st = h.station
        let i = s.pointee.station, n = Int(batchHeld[h.index])
        let base = st.pointee.batchBase + (h.index - st.pointee.firstServer) * st.pointee.batchSize
        st.pointee.processed += n
        s.pointee.holding = true
        if st.pointee.planned { plannedCompletion(h, parts: n) }
        if st.pointee.hasPartFailures {
            let fb = s.pointee.failureBase, modeBase = st.pointee.modeBase
            for m in 0..<st.pointee.modeCount where modes[modeBase + m].clock == .parts {
                partsSince[fb + m] += n
                if partsSince[fb + m] >= modes[modeBase + m].everyParts {
                    if s.pointee.down { addPending(h.index, m) } else { goDown(h.index, m) }
                }
            }
        }
        var kept = 0
        for k in 0..<n {
            let p = batchMembers[base + k]
            s.pointee.part = p
            if tracing { note(.finish, server: h.index) }
            if st.pointee.scraps && scraps(h) {
                scrapped[i] += 1
                if tracing { note(.scrap, server: h.index) }
                wipArea += now - parts[p].created
                if typed { scrapTyped(part: p) }
                parts.release(p)
                st.pointee.present -= 1
            } else {
                batchMembers[base + kept] = p
                kept += 1
            }
        }
        batchHeld[h.index] = Int32(kept)
        batchNext[h.index] = 1
        guard kept > 0 else {
            s.pointee.part = -1
            s.pointee.holding = false
            if !afterRelease(h) { updateState(h) }
            return
        }
        s.pointee.part = batchMembers[base]
        leaveOneByOne(h)
    }

    /// Passes the batch's members on while they can move; blocks on the first that cannot.
    @inline(never)
    func leaveOneByOne(_ h: ServerHandle) {
        let s = h.server, st = h.station
        while s.pointee.holding {
            if st.pointee.route.drawsAtFinish {
                s.pointee.target = chooseAtFinish(st.pointee.route, rng: &stationRouteRng[s.pointee.station], rr: &st.pointee.rr,
                                                  type: parts[s.pointee.part].type)
            }
            guard passOn(h, RichPlant.self) else {
                updateState(h)
                block(entity: Int32(h.index))
                return
            }
        }
        if !afterRelease(h) { updateState(h) }
    }

    /// Server `h` takes the batch's next member as the part it holds, if one is left.
    @inline(never)
    func holdsNextMember(_ h: ServerHandle) -> Bool {
        let st = h.station
        let k = Int(batchNext[h.index])
        guard k < Int(batchHeld[h.index]) else { return false }
        batchNext[h.index] = Int32(k + 1)
        h.server.pointee.part = batchMembers[st.pointee.batchBase + (h.index - st.pointee.firstServer) * st.pointee.batchSize + k]
        return true
    }
}
