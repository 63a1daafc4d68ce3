/// Servers: taking work, processing in segments between failures, finishing, and the time
/// each spends in each state.
extension Replication {
    /// A server and its station, looked up once and handed down a step's helpers: every
    /// look-up re-reads a table's address from the replication, since for all the compiler
    /// knows a store through a record may have changed it.
    struct ServerHandle {
        let index: Int
        let server: UnsafeMutablePointer<ServerRT>
        let station: UnsafeMutablePointer<StationRT>
    }

    @inline(__always)
    func handle(_ sv: Int) -> ServerHandle {
        let s = servers.at(sv)
        return ServerHandle(index: sv, server: s, station: stations.at(s.pointee.station))
    }

    @inline(__always)
    func updateState(_ sv: Int) { updateState(handle(sv)) }

    @inline(__always)
    func updateState(_ h: ServerHandle) { updateState(h, RichPlant.self) }

    @inline(__always)
    func updateState<P: PlantFeatures>(_ h: ServerHandle, _: P.Type) {
        if P.rich && h.station.pointee.planned {
            enter(h, plannedState(h))
            return
        }
        let s = h.server
        let new = s.pointee.down ? Replication.stateDown : s.pointee.holding ? Replication.stateBlocked
            : s.pointee.part >= 0 ? (P.rich && s.pointee.inSetup ? Replication.stateSetup : Replication.stateProcessing)
            : Replication.stateStarved
        enter(h, new)
    }

    /// Moves the server to state `new`, accruing the time spent in the old one.
    @inline(__always)
    func enter(_ h: ServerHandle, _ new: Int) {
        if new == h.server.pointee.state { return }
        accrue(h, until: now)
        h.server.pointee.state = new
        h.server.pointee.stateSince = now
    }

    /// Adds the server's time in its current state to its station.
    @inline(__always)
    func accrue(_ h: ServerHandle, until t: Double) {
        stateTime[h.server.pointee.station << ServerState.shift | h.server.pointee.state] += t - h.server.pointee.stateSince
    }

    @inline(__always)
    func startService(_ sv: Int, part p: Int32, arrived: Double) { startService(handle(sv), part: p, arrived: arrived, RichPlant.self) }

    @inline(__always)
    func startService<P: PlantFeatures>(_ sv: Int, part p: Int32, arrived: Double, _: P.Type) {
        startService(handle(sv), part: p, arrived: arrived, P.self)
    }

    @inline(__always)
    func startService(_ h: ServerHandle, part p: Int32, arrived: Double) { startService(h, part: p, arrived: arrived, RichPlant.self) }

    /// Server `h` starts part `p`, which arrived at the station (or the buffer it came from) at
    /// `arrived`.
    @inline(__always)
    func startService<P: PlantFeatures>(_ h: ServerHandle, part p: Int32, arrived: Double, _: P.Type) {
        let s = h.server, st = h.station
        st.pointee.waitSum += now - arrived
        s.pointee.part = p
        markBusy(h)
        // One test for all that depends on part types, and one call of `beginSegment`, so
        // that it is inlined here.
        if P.rich && tracing { note(.start, server: h.index) }
        if P.rich && st.pointee.byType {
            guard startTyped(h, part: p) else { return }
        } else {
            s.pointee.remaining = st.pointee.process.sample(&st.pointee.rng, zig)
        }
        beginSegment(h, P.self)
    }

    @inline(__always)
    func beginSegment(_ sv: Int) { beginSegment(handle(sv)) }

    /// Processing (re)starts: schedules whichever comes first, completion or a busy-time failure.
    @inline(__always)
    func beginSegment(_ h: ServerHandle) { beginSegment(h, RichPlant.self) }

    @inline(__always)
    func beginSegment<P: PlantFeatures>(_ h: ServerHandle, _: P.Type) {
        let s = h.server, st = h.station
        // Only a working server without a finished part begins a segment. (The state first and
        // the calendar last, so that nothing of this step is held in registers across the
        // sift-down, which needs them all.)
        enter(h, P.rich && s.pointee.inSetup ? Replication.stateSetup : Replication.stateProcessing)
        s.pointee.processing = true
        s.pointee.segmentStart = now
        s.pointee.token &+= 1
        let token = s.pointee.token
        var due = s.pointee.remaining
        var mode = -1
        // Modes that do not count busy time keep an infinite time to failure, so every mode's
        // entry can be compared (and counted down, below) without looking its kind up.
        if st.pointee.hasBusyFailures {
            let base = s.pointee.failureBase
            if st.pointee.modeCount == 1 {
                if ttf[base] < due {
                    due = ttf[base]
                    mode = 0
                }
            } else {
                for m in 0..<st.pointee.modeCount where ttf[base + m] < due {
                    due = ttf[base + m]
                    mode = m
                }
            }
        }
        if mode >= 0 {
            calendar.schedule(time: now + due, kind: .failure, target: h.index, detail: mode, token: token)
        } else {
            calendar.schedule(time: now + due, kind: .completion, target: h.index, token: token)
        }
    }

    @inline(__always)
    func endSegment(_ sv: Int) { endSegment(handle(sv)) }

    /// Processing stops: at the part's completion (`finished`, nothing remains) or a failure.
    /// The token stays: the segment's one event has just fired, unless `goDown` interrupts it.
    @inline(__always)
    func endSegment(_ h: ServerHandle, finished: Bool = false) {
        let s = h.server, st = h.station
        let elapsed = now - s.pointee.segmentStart
        s.pointee.remaining = finished ? 0 : max(0, s.pointee.remaining - elapsed)
        if st.pointee.hasBusyFailures {
            let base = s.pointee.failureBase
            if st.pointee.modeCount == 1 {
                ttf[base] = max(0, ttf[base] - elapsed)
            } else {
                for m in 0..<st.pointee.modeCount {
                    ttf[base + m] = max(0, ttf[base + m] - elapsed)
                }
            }
        }
        s.pointee.processing = false
    }

    func completion<P: PlantFeatures>(_ sv: Int, _: P.Type) {
        let h = handle(sv)
        endSegment(h, finished: true)
        let s = h.server, st = h.station
        if P.rich && s.pointee.inSetup {
            finishSetup(h)
            return
        }
        if P.rich && st.pointee.batchSize > 1 {
            completeBatch(h)
            return
        }
        st.pointee.processed += 1
        s.pointee.holding = true
        if P.rich && tracing { note(.finish, server: sv) }
        if P.rich && st.pointee.planned { plannedCompletion(h, parts: 1) }
        let scrap = st.pointee.scraps && scraps(h)
        if !scrap && st.pointee.route.drawsAtFinish {
            s.pointee.target = chooseAtFinish(st.pointee.route, rng: &stationRouteRng[s.pointee.station], rr: &st.pointee.rr,
                                              type: parts[s.pointee.part].type)
        }
        // A parts-count failure falls due as this part completes; the part may still move on.
        if st.pointee.hasPartFailures {
            let base = s.pointee.failureBase, modeBase = st.pointee.modeBase
            for m in 0..<st.pointee.modeCount where modes[modeBase + m].clock == .parts {
                partsSince[base + m] += 1
                if partsSince[base + m] >= modes[modeBase + m].everyParts {
                    if s.pointee.down { addPending(sv, m) } else { goDown(sv, m) }
                }
            }
        }
        if scrap {
            scrapPart(h)
            return
        }
        // States that last no time are never recorded: only a part that cannot move makes
        // the server blocked.
        if !tryServerMove(h, P.self) {
            updateState(h, P.self)
            block(entity: Int32(sv))
        }
    }

    /// A scrapped part leaves the plant from its server at once; the server takes new work.
    @inline(never)
    func scrapPart(_ h: ServerHandle) {
        scrapped[h.server.pointee.station] += 1
        if tracing { note(.scrap, server: h.index) }
        let p = releasePart(h)
        wipArea += now - parts[p].created
        if typed { scrapTyped(part: p) }
        parts.release(p)
        if !afterRelease(h) { updateState(h) }
    }

    @inline(__always)
    func tryServerMove(_ sv: Int) -> Bool { tryServerMove(handle(sv), RichPlant.self) }

    /// Passes the finished part on if it can, then takes new work. Forced inline, as
    /// `afterRelease` is (see there): the compiler's cost model stopped inlining it into
    /// `completion` once the paths for part types and planned states were added.
    @inline(always)
    func tryServerMove<P: PlantFeatures>(_ h: ServerHandle, _: P.Type) -> Bool {
        guard passOn(h, P.self) else { return false }
        // Only a batch's server still holds a part: the next member.
        if P.rich && h.server.pointee.holding {
            leaveOneByOne(h)
            return true
        }
        // A server that starts a new part is processing already.
        if !afterRelease(h, P.self) { updateState(h, P.self) }
        return true
    }

    /// Moves the server's finished part to its destination if it can take it now (forced
    /// inline for the same reason as `tryServerMove`).
    @inline(always)
    func passOn<P: PlantFeatures>(_ h: ServerHandle, _: P.Type) -> Bool {
        let r = h.station.pointee.route
        if r.kind == .next {
            // The destination's kind looked at once, for the test and the hand-over.
            switch r.next {
            case .sink(let k):
                accept(sink: k, part: releasePart(h, P.self), P.self)
            case .buffer(let j):
                guard canAccept(buffer: j) else { return false }
                accept(buffer: j, part: releasePart(h, P.self), P.self)
            case .station(let i):
                guard canAccept(station: i) else { return false }
                accept(station: i, part: releasePart(h, P.self), P.self)
            case .source:
                return false
            }
        } else {
            guard let dest = destination(r, chosen: h.server.pointee.target) else { return false }
            accept(dest, part: releasePart(h, P.self), P.self)
        }
        return true
    }

    /// The server lets go of its finished part, which is moving on now.
    @inline(__always)
    func releasePart(_ h: ServerHandle) -> Int32 { releasePart(h, RichPlant.self) }

    @inline(__always)
    func releasePart<P: PlantFeatures>(_ h: ServerHandle, _: P.Type) -> Int32 {
        let s = h.server
        let p = s.pointee.part
        h.station.pointee.present -= 1
        s.pointee.blockSeq = 0
        // A batch's server holds on to the next member, if there is one.
        if P.rich && s.pointee.hold & Hold.pull != 0 && holdsNextMember(h) { return p }
        s.pointee.part = -1
        markIdle(h)
        s.pointee.holding = false
        return p
    }

    @inline(__always) @discardableResult
    func afterRelease(_ sv: Int) -> Bool { afterRelease(handle(sv), RichPlant.self) }

    @inline(__always) @discardableResult
    func afterRelease(_ h: ServerHandle) -> Bool { afterRelease(h, RichPlant.self) }

    /// A free server takes its next part: new from a saturated source, from its own queue, or
    /// from the buffers feeding it. One call to `startService` for all three keeps it small.
    /// Returns whether the server started a part.
    /// `@inline(always)`, which the compiler must honour: its cost model turned `__always` down
    /// here, and the call cost the 3-station line 20 of its 500 instructions per event. (Forced
    /// into `completion` as well, `startService` or `beginSegment` cost more than they save.)
    @inline(always) @discardableResult
    func afterRelease<P: PlantFeatures>(_ h: ServerHandle, _: P.Type) -> Bool {
        let s = h.server
        guard s.pointee.part < 0 && !s.pointee.down else { return false }
        if P.rich && s.pointee.hold != 0 { return heldStart(h) }
        return take(h, P.self)
    }

    /// Server `h`, free, takes its next part (see `afterRelease`).
    @inline(always)
    func take<P: PlantFeatures>(_ h: ServerHandle, _: P.Type) -> Bool {
        let s = h.server, st = h.station
        let i = s.pointee.station
        let p: Int32
        var arrived = now
        var feeder = -1
        let ownQueue = st.pointee.saturatedBy < 0 && st.pointee.hasOwnQueue
        if st.pointee.saturatedBy >= 0 {
            let source = sources.at(st.pointee.saturatedBy)
            guard source.pointee.created < source.pointee.limit else { return false }
            source.pointee.created += 1
            p = newPart(source: st.pointee.saturatedBy, P.self)
            st.pointee.present += 1
            if P.rich && tracing { note(.arrive, .source(st.pointee.saturatedBy), part: p) }
        } else if ownQueue {
            guard !st.pointee.queue.isEmpty else {
                // A free server is room too (it matters when the queue holds nothing).
                roomAt(.station(i))
                return false
            }
            let q = st.pointee.queue.removeFirst()
            p = q.part
            arrived = q.arrived
            st.pointee.queueArea += now - arrived
        } else {
            feeder = feederToPull(station: i, P.self)
            guard feeder >= 0 else { return false }
            let q = takeHead(feeder)
            p = q.part
            arrived = q.arrived
            st.pointee.present += 1
        }
        startService(h, part: p, arrived: arrived, P.self)
        if feeder >= 0 {
            // More parts can follow only to another free server, or by another rule.
            if st.pointee.servers > 1 || buffers[feeder].route.kind != .next { advanceBuffer(feeder) }
            roomAtBuffer(feeder)
        } else if ownQueue {
            roomAt(.station(i))
        }
        return true
    }

    /// The buffer a free server of buffer-fed station `i` takes its next part from, or -1.
    @inline(__always)
    func feederToPull<P: PlantFeatures>(station i: Int, _: P.Type) -> Int {
        let sole = stations.at(i).pointee.soleFeeder
        guard sole >= 0 else { return longestWaitingFeeder(station: i) }
        let b = buffers.at(sole)
        guard let head = b.pointee.parts.first else {
            // Nothing waiting: a hand-off buffer can now pass a part straight through.
            roomAtBuffer(sole)
            return -1
        }
        if P.rich && b.pointee.delays && parts[readyAt: head.part] > now { return -1 }
        // A plain `next` into this station always takes it: this server is free.
        return b.pointee.route.kind == .next || bufferDestination(sole, part: head.part) == .station(i) ? sole : -1
    }

    /// Among several feeders, the one whose head part has waited longest and would be sent here.
    @inline(never)
    func longestWaitingFeeder(station i: Int) -> Int {
        let st = stations.at(i)
        if st.pointee.discipline != 0 {
            let best = bestFeeder(station: i)
            if best >= 0 { return best }
        }
        var best = -1
        var bestTime = Double.infinity
        let start = st.pointee.feederStart
        for f in start..<(start + st.pointee.feederCount) {
            let j = feeders[f]
            guard let head = buffers[j].parts.first, bestTime > head.arrived, isReady(head, in: j) else { continue }
            if sendsHere(j, head, station: i) {
                best = j
                bestTime = head.arrived
            }
        }
        if best < 0 {
            // Nothing waiting: a hand-off buffer can now pass a part straight through.
            for f in start..<(start + st.pointee.feederCount) where buffers[feeders[f]].parts.isEmpty {
                roomAtBuffer(feeders[f])
            }
        }
        return best
    }
}
