/// Crews: a failure whose mode names a crew waits, down, for a free member; so does a planned
/// stop (in maintenance) and a server needing an operator (unstaffed). A freed member goes to
/// the oldest waiting repair, else the oldest stop, else the oldest operator request
/// (docs/model.md). Crews serve few events next to parts, so their records are plain values.
extension Replication {
    struct RepairRequest {
        var server: Int32
        var mode: Int32
        var since: Double
    }

    /// A stop or operator request: the server, the plan (stops) or request number (operators).
    struct CrewRequest {
        var server: Int32
        var number: Int
        var since: Double
    }

    struct CrewRT {
        let size: Int
        /// Members free to take work: on shift and not busy.
        var free: Int
        var busy = 0
        let shift: Shift?
        var onShift = true
        /// Requests waiting, oldest first from `head`.
        var waiting: [RepairRequest] = []
        var head = 0
        /// Planned stops and operator requests waiting, oldest first; operator requests
        /// withdrawn stay until reached (`withdrawn` counts them).
        var stops = FIFO<CrewRequest>()
        var operators = FIFO<CrewRequest>()
        var withdrawn = 0
        /// Areas under the busy members and the waiting requests, within the window, up to `last`.
        var busyArea = 0.0, queueArea = 0.0, last = 0.0
        /// Waits of the requests granted within the window.
        var waitSum = 0.0, grants = 0

        init(size: Int, shift: Shift?) {
            self.size = size
            self.shift = shift
            free = size
        }

        /// A free member takes work asked for `waited` ago (counted when the grant is in the window).
        mutating func grant(waited: Double, inWindow: Bool) {
            free -= 1
            busy += 1
            guard inWindow else { return }
            waitSum += waited
            grants += 1
        }

        /// Requests waiting, of every kind.
        var queued: Int { waiting.count - head + stops.count + operatorQueued }
        var operatorQueued: Int { operators.count - withdrawn }
    }

    /// Adds the crew's areas from its last change (or the window's opening) to `time`.
    func accrueCrew(_ c: Int, until time: Double) {
        let from = max(crews[c].last, warmup)
        if time > from {
            crews[c].busyArea += Double(crews[c].busy) * (time - from)
            crews[c].queueArea += Double(crews[c].queued) * (time - from)
        }
        crews[c].last = max(crews[c].last, time)
    }

    /// Server `sv`, down in mode `m`, asks crew `c` for a member: granted now if one is free.
    func requestRepair(_ sv: Int, _ m: Int, crew c: Int) {
        accrueCrew(c, until: now)
        if crews[c].free > 0 {
            startRepair(sv, m, crew: c, asked: now)
        } else {
            crews[c].waiting.append(RepairRequest(server: Int32(sv), mode: Int32(m), since: now))
        }
    }

    func startRepair(_ sv: Int, _ m: Int, crew c: Int, asked: Double) {
        crews[c].grant(waited: now - asked, inWindow: now >= warmup)
        scheduleRepair(sv, m)
    }

    /// A repair by crew `c` ended: the member takes the oldest waiting repair, if any.
    func releaseMember(_ c: Int) {
        accrueCrew(c, until: now)
        crews[c].busy -= 1
        // Off shift a member who finished goes home.
        guard crews[c].onShift else { return }
        crews[c].free += 1
        dispatch(c)
    }

    /// A free member of crew `c` takes the oldest waiting repair, else a stop, else an operator request.
    func dispatch(_ c: Int) {
        guard crews[c].free > 0 else { return }
        guard crews[c].waiting.count > crews[c].head else { return nextPlannedRequest(c) }
        let r = crews[c].waiting[crews[c].head]
        crews[c].head += 1
        // (Compacted now and then, so the list does not grow with every repair ever asked.)
        if crews[c].head > 64 && crews[c].head * 2 > crews[c].waiting.count {
            crews[c].waiting.removeFirst(crews[c].head)
            crews[c].head = 0
        }
        startRepair(Int(r.server), Int(r.mode), crew: c, asked: r.since)
    }

    /// A free member of crew `c`, with no repair waiting, takes the oldest stop, else the
    /// oldest operator request still standing.
    func nextPlannedRequest(_ c: Int) {
        if let r = crews[c].stops.popFirst() {
            grantStop(Int(r.server), plan: r.number, crew: c, asked: r.since)
            return
        }
        while let r = crews[c].operators.popFirst() {
            let sv = Int(r.server)
            guard plan.staff[sv] == 1 && plan.staffRequest[sv] == r.number else {
                crews[c].withdrawn -= 1
                continue
            }
            grantOperator(sv, crew: c, asked: r.since)
            operatorGranted(sv)
            return
        }
    }

    /// Schedules the crews' shift changes (crews off shift at time 0 start with no one free).
    func startCrewShifts() {
        for c in crews.indices {
            guard let shift = crews[c].shift else { continue }
            if !shift.isOn(at: 0) {
                crews[c].onShift = false
                crews[c].free = 0
            }
            if let t = shift.nextChange(after: 0) { calendar.schedule(time: t, kind: .shift, target: -1 - c) }
        }
    }

    func crewShiftChange(_ c: Int) {
        guard let shift = crews[c].shift else { return }
        accrueCrew(c, until: now)
        crews[c].onShift = shift.isOn(at: now)
        crews[c].free = crews[c].onShift ? crews[c].size - crews[c].busy : 0
        // Each member now free takes the oldest waiting work.
        var before = -1
        while crews[c].free > 0 && crews[c].queued > 0 && crews[c].free != before {
            before = crews[c].free
            dispatch(c)
        }
        if let t = shift.nextChange(after: now) { calendar.schedule(time: t, kind: .shift, target: -1 - c) }
    }

    func openCrewWindow() {
        for c in crews.indices {
            crews[c].busyArea = 0
            crews[c].queueArea = 0
            crews[c].last = warmup
            crews[c].waitSum = 0
            crews[c].grants = 0
        }
    }

    func collectCrews() -> [ReplicationResult.Crew] {
        let horizon = end - warmup
        return crews.indices.map { c in
            accrueCrew(c, until: end)
            let k = crews[c]
            return ReplicationResult.Crew(utilization: k.busyArea / (Double(k.size) * horizon), queue: k.queueArea / horizon,
                                          wait: k.grants > 0 ? k.waitSum / Double(k.grants) : nil)
        }
    }
}
