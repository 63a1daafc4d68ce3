/// Where parts go: routing rules, which nodes can take a part now, and buffers passing parts on.
extension Replication {
    /// The destination fixed when a part of type slot `type` finishes (split, by type, random,
    /// round robin), or -1.
    func chooseAtFinish(_ r: Route, rng: inout RandomStream, rr: inout Int, type: Int32) -> Int {
        switch r.kind {
        case .byType:
            return Int(typeBranch[r.decider + Int(type)])
        case .split:
            let u = rng.uniform()
            var acc = 0.0
            for i in 0..<r.count {
                acc += weights[r.start + i]
                if u < acc { return i }
            }
            return r.count - 1
        case .random:
            return Int(rng.next() % UInt64(r.count))
        case .roundRobin:
            let i = rr % r.count
            rr += 1
            return i
        case .decider:
            routedType = type
            return decide(r)
        case .none, .next, .firstAvailable, .shortestQueue:
            return -1
        }
    }

    /// Where the part can go now, or nil when it must wait.
    @inline(__always)
    func destination(_ r: Route, chosen: Int) -> NodeRef? {
        if r.kind == .next { return canAccept(r.next) ? r.next : nil }
        return route(r, chosen: chosen) { canAccept($0) }
    }

    /// The rule's pick among the destinations that `takes` says can take the part now;
    /// `chosen` is the destination fixed when the part finished (split, random, round robin).
    @inline(__always)
    func route(_ r: Route, chosen: Int, takes: (NodeRef) -> Bool) -> NodeRef? {
        switch r.kind {
        case .none:
            return nil
        case .next:
            return takes(r.next) ? r.next : nil
        case .split, .byType, .random, .roundRobin, .decider:
            let n = destinations[r.start + chosen]
            return takes(n) ? n : nil
        case .firstAvailable:
            for k in r.start..<(r.start + r.count) where takes(destinations[k]) { return destinations[k] }
            return nil
        case .shortestQueue:
            var best: NodeRef? = nil
            var bestCount = Int.max
            for k in r.start..<(r.start + r.count) where takes(destinations[k]) {
                let c = presentCount(destinations[k])
                if c < bestCount { best = destinations[k]; bestCount = c }
            }
            return best
        }
    }

    /// A decider's pick for the part deciding now: kept out of line, as most models never
    /// take this path.
    @inline(never)
    func decide(_ r: Route) -> Int {
        guard r.decider < deciders.count else { return 0 }
        let pick = deciders[r.decider].choose(options: r.count, plant: PlantState(self))
        return pick >= 0 && pick < r.count ? pick : 0
    }

    @inline(__always)
    func presentCount(_ n: NodeRef) -> Int {
        switch n {
        case .station(let i): return stations[i].present
        case .buffer(let j): return buffers[j].parts.count
        case .source, .sink: return 0
        }
    }

    /// The first free, working server of station `i`.
    @inline(__always)
    func idleServer(_ i: Int) -> Int? {
        let st = stations.at(i)
        let first = st.pointee.firstServer
        if st.pointee.servers == 1 { return isIdle(first) ? first : nil }
        return firstIdle(from: first, count: st.pointee.servers)
    }

    /// The free, working server of the station after buffer `j`, for a buffer whose plain
    /// `next` leads to a one-server station `i`: told by a bit, without reading that station's
    /// records, which in a long line are in no cache and usually not needed (it is busy).
    @inline(__always)
    func idleServer(after j: Int, station i: Int) -> Int? {
        let sv = buffers.at(j).pointee.soleServer
        guard sv >= 0 else { return idleServer(i) }
        return isIdle(sv) ? sv : nil
    }

    /// Whether server `sv` is free and working, from its bit.
    @inline(__always)
    func isIdle(_ sv: Int) -> Bool {
        let free = idleBits[sv >> 6] & (UInt64(1) << UInt64(sv & 63)) != 0
        #if DEBUG || TAKT_BOUNDS_CHECKS
        precondition(free == servers[sv].isFree, "idle bit disagrees with the server")
        #endif
        return free
    }

    /// The first set bit of `idleBits` in `first..<first + count`.
    @inline(never)
    func firstIdle(from first: Int, count: Int) -> Int? {
        let end = first + count
        var sv = first
        var found: Int? = nil
        while sv < end {
            let w = sv >> 6, wordEnd = (w + 1) << 6
            var bits = idleBits[w] & (~UInt64(0) << UInt64(sv & 63))
            if end < wordEnd { bits &= (UInt64(1) << UInt64(end & 63)) &- 1 }
            if bits != 0 {
                found = (w << 6) + bits.trailingZeroBitCount
                break
            }
            sv = wordEnd
        }
        #if DEBUG || TAKT_BOUNDS_CHECKS
        let scanned = (first..<end).first { servers[$0].isFree }
        precondition(found == scanned, "idle bits disagree with the servers")
        #endif
        return found
    }

    /// Records whether the server is free and working.
    @inline(__always)
    func markIdle(_ h: ServerHandle) {
        let bit = UInt64(1) << UInt64(h.index & 63), w = h.index >> 6
        if h.server.pointee.isFree { idleBits[w] |= bit } else { idleBits[w] &= ~bit }
    }

    /// Records that the server has just taken a part or gone down: it is not free.
    @inline(__always)
    func markBusy(_ h: ServerHandle) {
        idleBits[h.index >> 6] &= ~(UInt64(1) << UInt64(h.index & 63))
    }

    @inline(__always)
    func canAccept(_ n: NodeRef) -> Bool {
        switch n {
        case .sink: return true
        case .source: return false
        case .station(let i): return canAccept(station: i)
        case .buffer(let j): return canAccept(buffer: j)
        }
    }

    @inline(__always)
    func canAccept(station i: Int) -> Bool {
        let st = stations.at(i)
        guard st.pointee.hasOwnQueue, st.pointee.saturatedBy < 0 else { return false }
        if st.pointee.queue.isEmpty, idleServer(i) != nil { return true }
        // A station that pulls its work has no idle bits: it can take a part if a server can
        // start it now (which the part's joining lets it do).
        return st.pointee.queue.count < st.pointee.queueCap || (!st.pointee.appends && st.pointee.queue.isEmpty && canPullNow(i))
    }

    @inline(__always)
    func canAccept(buffer j: Int) -> Bool {
        let b = buffers.at(j)
        if b.pointee.parts.count < b.pointee.cap { return true }
        // A zero-capacity buffer is a hand-off: it takes a part only if it can pass it on now.
        return b.pointee.parts.isEmpty && canForward(j)
    }

    func canForward(_ j: Int) -> Bool {
        let r = buffers[j].route
        for k in r.start..<(r.start + r.count) {
            let n = destinations[k]
            switch n {
            case .station(let i): if idleServer(i) != nil { return true }
            default: if canAccept(n) { return true }
            }
        }
        return false
    }

    @inline(__always)
    func accept(_ n: NodeRef, part p: Int32) { accept(n, part: p, RichPlant.self) }

    @inline(__always)
    func accept<P: PlantFeatures>(_ n: NodeRef, part p: Int32, _: P.Type) {
        switch n {
        case .sink(let k): accept(sink: k, part: p, P.self)
        case .station(let i): accept(station: i, part: p, P.self)
        case .buffer(let j): accept(buffer: j, part: p, P.self)
        case .source: break
        }
    }

    @inline(__always)
    func accept<P: PlantFeatures>(sink k: Int, part p: Int32, _: P.Type) {
        let cycle = now - parts[p].created
        sinks[k].count += 1
        sinks[k].cycleSum += cycle
        wipArea += cycle
        if P.rich && tracing { note(.absorb, .sink(k), part: p) }
        if P.rich && typed { absorbTyped(sink: k, part: p, cycle: cycle) }
        parts.release(p)
    }

    @inline(__always)
    func accept<P: PlantFeatures>(station i: Int, part p: Int32, _: P.Type) {
        let st = stations.at(i)
        st.pointee.present += 1
        if st.pointee.queue.isEmpty, let sv = idleServer(i) {
            startService(sv, part: p, arrived: now, P.self)
        } else {
            if P.rich && tracing { note(.enter, .station(i), part: p) }
            if !P.rich || st.pointee.appends {
                st.pointee.queue.append(QueuedPart(part: p, arrived: now))
            } else {
                join(station: i, QueuedPart(part: p, arrived: now))
            }
        }
    }

    /// Forced inline, as the server paths it is part of are.
    @inline(always)
    func accept<P: PlantFeatures>(buffer j: Int, part p: Int32, _: P.Type) {
        let b = buffers.at(j)
        // Straight through an empty buffer onto a free server of the one station it feeds.
        // Its level would rise and fall at this instant, adding nothing to its average, and
        // a buffer with room has no one blocked on it.
        // Before one station with no free server, nothing can move on: no need to try.
        var mayMove = true
        if b.pointee.route.kind == .next, case .station(let i) = b.pointee.route.next {
            let sv = idleServer(after: j, station: i)
            if let sv, b.pointee.parts.isEmpty, b.pointee.cap > 0, !P.rich || b.pointee.appends {
                stations.at(i).pointee.present += 1
                startService(sv, part: p, arrived: now, P.self)
                return
            }
            mayMove = sv != nil
        }
        if b.pointee.route.drawsAtFinish && b.pointee.route.kind != .decider {
            parts[p].target = Int32(chooseAtFinish(b.pointee.route, rng: &b.pointee.rng, rr: &b.pointee.rr, type: parts[p].type))
        }
        if P.rich && tracing { note(.enter, .buffer(j), part: p) }
        if !P.rich || b.pointee.appends {
            b.pointee.parts.append(QueuedPart(part: p, arrived: now))
        } else {
            // It may start a batch, which takes what it needs: nothing else can move on.
            if join(buffer: j, QueuedPart(part: p, arrived: now)) { return }
        }
        // A decider picks when the part reaches the head: in `advanceBuffer`, which runs now.
        if mayMove { advanceBuffer(j) }
    }

    /// Buffers wait for room downstream as entities below this number.
    static let bufferEntityBase: Int32 = -1_000_000

    /// Sends head parts on while a destination can take them.
    func advanceBuffer(_ j: Int) {
        var moved = false
        let b = buffers.at(j)
        while let head = b.pointee.parts.first {
            // In a buffer with a delay the head is the part ready first: none is, before it.
            if b.pointee.delays && parts[readyAt: head.part] > now { break }
            // The common case, a buffer before one station: straight onto a free server.
            if b.pointee.route.kind == .next, case .station(let i) = b.pointee.route.next {
                guard let sv = idleServer(after: j, station: i) else { break }
                takeHead(j)
                moved = true
                stations.at(i).pointee.present += 1
                startService(sv, part: head.part, arrived: head.arrived)
                continue
            }
            if b.pointee.route.kind == .decider && !b.pointee.headDecided {
                routedType = parts[head.part].type
                parts[head.part].target = Int32(decide(b.pointee.route))
                b.pointee.headDecided = true
            }
            guard let dest = bufferDestination(j, part: head.part) else {
                waitDownstream(j)
                break
            }
            takeHead(j)
            moved = true
            deliverFromBuffer(dest, head)
        }
        if moved { roomAtBuffer(j) }
    }

    /// Removes the buffer's head part, keeping its level statistic.
    @inline(__always) @discardableResult
    func takeHead(_ j: Int) -> QueuedPart {
        let b = buffers.at(j)
        let q = b.pointee.parts.removeFirst()
        b.pointee.levelArea += now - q.arrived
        b.pointee.headDecided = false
        return q
    }

    /// A buffer whose head must go to another buffer waits for room there like a server.
    func waitDownstream(_ j: Int) {
        guard buffers[j].waitingSeq == 0 else { return }
        let r = buffers[j].route
        var seq = 0
        for k in r.start..<(r.start + r.count) {
            guard case .buffer(let b) = destinations[k] else { continue }
            if seq == 0 {
                seq = nextBlockSeq
                nextBlockSeq += 1
                buffers[j].waitingSeq = seq
            }
            addWaiter(stations.count + b, Replication.bufferEntityBase - Int32(j), seq: seq)
        }
    }

    func bufferDestination(_ j: Int, part: Int32) -> NodeRef? {
        // A buffer hands a part to a station only when a server is free: it has no queue.
        route(buffers[j].route, chosen: Int(parts[part].target)) { n in
            if case .station(let i) = n { return idleServer(i) != nil }
            return canAccept(n)
        }
    }

    func deliverFromBuffer(_ n: NodeRef, _ q: QueuedPart) {
        if case .station(let i) = n, let sv = idleServer(i) {
            stations[i].present += 1
            startService(sv, part: q.part, arrived: q.arrived)
        } else {
            accept(n, part: q.part)
        }
    }
}
