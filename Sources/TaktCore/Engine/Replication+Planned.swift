/// Shifts, planned stops (maintenance) and operators (docs/model.md). A station with any of
/// them is `planned`: its servers' states and starts go through here, while plain stations
/// never do. Off shift, or with a stop due, a server is held (`Hold`) from taking parts.
///
/// - Shifts: off shift a server starts nothing; its setup or processing pauses (like a failure
///   interruption) and resumes on the next shift; a finished part may leave; repairs and stops
///   go on.
/// - Stops: once due, the server takes no part, finishes the one it has, then stops; a stop
///   due while down or stopped waits its turn, and a clock failure due during a stop waits for
///   its end.
/// - Operators: a server that can work, with a part to start or resume, asks the station's
///   crew for a member and is unstaffed until one comes; it lets the member go at completion,
///   failure, or shift end (withdrawing a request not yet granted).
enum Hold {
    /// It pulls its work (batches, shifts, stops, operators), deciding itself when it starts.
    static let pull: UInt8 = 1
    static let offShift: UInt8 = 2, stop: UInt8 = 4
}

/// The plans and the per-server state behind them: few events next to parts, so plain values.
struct PlannedStates {
    var shifts: [Shift?]
    var plans: [[MaintenanceSpec]]
    var planRng: [[RandomStream]]
    var operatorCrew: [Int]
    /// Per server: 0 no operator, 1 asked for one, 2 holds one; and the request's number.
    var staff: [UInt8]
    var staffRequest: [Int]
    /// Per server: the stops due (a bit per plan), the stop under way (-1: none), parts since
    /// each plan's last stop, and the token of each clock plan's pending due event.
    var due: [UInt32]
    var active: [Int]
    var partsSince: [[Int]]
    var dueToken: [[UInt32]]
    var nextRequest = 1

    init(spec: ModelSpec, servers: [Int], stream: (String, String) -> RandomStream) {
        shifts = spec.stations.map(\.shift)
        plans = spec.stations.map(\.maintenance)
        planRng = spec.stations.map { s in s.maintenance.map { stream(s.name, "maintenance \($0.name)") } }
        operatorCrew = spec.stations.map { $0.operatorCrew ?? -1 }
        staff = Array(repeating: 0, count: servers.count)
        staffRequest = Array(repeating: 0, count: servers.count)
        due = Array(repeating: 0, count: servers.count)
        active = Array(repeating: -1, count: servers.count)
        partsSince = servers.map { Array(repeating: 0, count: spec.stations[$0].maintenance.count) }
        dueToken = servers.map { Array(repeating: 0, count: spec.stations[$0].maintenance.count) }
    }
}

extension Replication {
    // MARK: States

    /// The state of a server of a planned station, by precedence: off shift, down, stopped,
    /// blocked, unstaffed, setup, processing, starved.
    func plannedState(_ h: ServerHandle) -> Int {
        let s = h.server
        if s.pointee.hold & Hold.offShift != 0 { return ServerState.offShift.index }
        if s.pointee.down { return ServerState.down.index }
        if plan.active[h.index] >= 0 { return ServerState.maintenance.index }
        if s.pointee.holding { return ServerState.blocked.index }
        if s.pointee.part >= 0 {
            if plan.staff[h.index] == 1 || (!s.pointee.processing && plan.operatorCrew[s.pointee.station] >= 0) {
                return ServerState.unstaffed.index
            }
            return s.pointee.inSetup ? ServerState.setup.index : ServerState.processing.index
        }
        return ServerState.starved.index
    }

    /// At time 0: shifts that start off, and the first due times of clock stops.
    func startPlanned(station i: Int) {
        let first = stations[i].firstServer
        if let shift = plan.shifts[i] {
            if !shift.isOn(at: 0) {
                for sv in first..<(first + stations[i].servers) {
                    servers[sv].hold |= Hold.offShift
                    markIdle(handle(sv))
                    updateState(sv)
                }
            }
            if let t = shift.nextChange(after: 0) { calendar.schedule(time: t, kind: .shift, target: i) }
        }
        for sv in first..<(first + stations[i].servers) {
            for (k, p) in plan.plans[i].enumerated() {
                if case .clock(let every) = p.every { scheduleDue(sv, plan: k, at: every) }
            }
        }
    }

    // MARK: Starting and resuming work

    /// Whether server `h` may begin (or resume) its segment now: on shift, and staffed if its
    /// station has operators (asking for one if not).
    func mayWork(_ h: ServerHandle) -> Bool {
        let s = h.server
        guard s.pointee.hold & Hold.offShift == 0, !s.pointee.down, plan.active[h.index] < 0 else { return false }
        let crew = plan.operatorCrew[s.pointee.station]
        guard crew >= 0, plan.staff[h.index] != 2 else { return true }
        if plan.staff[h.index] == 0 { requestOperator(h.index, crew: crew) }
        return plan.staff[h.index] == 2
    }

    /// Server `sv` resumes its part, if it has one unfinished and may work; else it takes new
    /// work if it can.
    func resumeOrStart(_ sv: Int) {
        let h = handle(sv)
        let s = h.server
        if s.pointee.part >= 0 && !s.pointee.holding {
            if !s.pointee.processing && mayWork(h) { beginSegment(h) }
        } else if s.pointee.part < 0 {
            afterRelease(h)
        }
        updateState(h)
    }

    /// A held server (`hold` not 0), free and up, asked to take work: only one that pulls
    /// may, when on shift now (a shift ending at this instant ends before starts) and with no
    /// stop due.
    @inline(never)
    func heldStart(_ h: ServerHandle) -> Bool {
        guard h.server.pointee.hold == Hold.pull else { return false }
        if offShiftNow(h.server.pointee.station) { return false }
        if h.station.pointee.assembles { return startAssembly(h) }
        return h.station.pointee.batchSize > 1 ? startBatch(h) : take(h, RichPlant.self)
    }

    /// Free servers of station `i`, which pull their work, take what they can.
    @inline(never)
    func pullWork(station i: Int) {
        let st = stations.at(i)
        let first = st.pointee.firstServer
        for sv in first..<(first + st.pointee.servers) {
            let h = handle(sv)
            if h.server.pointee.part < 0 && !h.server.pointee.down && h.server.pointee.hold == Hold.pull {
                guard heldStart(h) else { return }
            }
        }
    }

    /// Whether station `i` is off shift at this instant (a shift ending now has ended, though
    /// its event may not have come yet).
    func offShiftNow(_ i: Int) -> Bool {
        stations[i].planned && !(plan.shifts[i]?.isOn(at: now) ?? true)
    }

    /// Whether a server of station `i`, which pulls its work, could take a part now.
    @inline(never)
    func canPullNow(_ i: Int) -> Bool {
        let st = stations.at(i)
        guard st.pointee.batchSize <= 1, !st.pointee.assembles else { return false }
        if offShiftNow(i) { return false }
        let first = st.pointee.firstServer
        return (first..<(first + st.pointee.servers)).contains {
            servers[$0].part < 0 && !servers[$0].down && servers[$0].hold == Hold.pull
        }
    }

    // MARK: Operators

    func requestOperator(_ sv: Int, crew c: Int) {
        accrueCrew(c, until: now)
        let n = plan.nextRequest
        plan.nextRequest += 1
        plan.staffRequest[sv] = n
        if crews[c].free > 0 && crews[c].queued == 0 {
            grantOperator(sv, crew: c, asked: now)
        } else {
            plan.staff[sv] = 1
            crews[c].operators.append(CrewRequest(server: Int32(sv), number: n, since: now))
        }
    }

    func grantOperator(_ sv: Int, crew c: Int, asked: Double) {
        crews[c].grant(waited: now - asked, inWindow: now >= warmup)
        plan.staff[sv] = 2
    }

    /// Server `sv` lets its operator go (or withdraws its request).
    func releaseOperator(_ sv: Int) {
        let c = plan.operatorCrew[servers[sv].station]
        guard c >= 0 else { return }
        switch plan.staff[sv] {
        case 2:
            plan.staff[sv] = 0
            releaseMember(c)
        case 1:
            // The request stays in the queue, no longer matching: it is skipped when reached.
            accrueCrew(c, until: now)
            plan.staff[sv] = 0
            crews[c].withdrawn += 1
        default:
            break
        }
    }

    /// A waiting operator request was granted: the server starts or resumes its part.
    func operatorGranted(_ sv: Int) {
        let h = handle(sv)
        if h.server.pointee.part >= 0 && !h.server.pointee.holding && !h.server.pointee.processing && mayWork(h) {
            beginSegment(h)
        }
        updateState(h)
    }

    // MARK: Completion and failure

    /// A planned station's server finished a part (before it moves on): the operator goes,
    /// and parts-count stops count it.
    func plannedCompletion(_ h: ServerHandle, parts n: Int) {
        releaseOperator(h.index)
        let i = h.server.pointee.station
        for (k, p) in plan.plans[i].enumerated() {
            guard case .parts(let every) = p.every else { continue }
            plan.partsSince[h.index][k] += n
            if plan.partsSince[h.index][k] >= every { markDue(h.index, plan: k) }
        }
        startDueStop(h.index)
    }

    /// A planned station's server went down: its operator goes.
    func plannedFailure(_ sv: Int) {
        releaseOperator(sv)
    }

    // MARK: Shifts

    func shiftChange(station i: Int) {
        // Crews' shift changes are numbered below the stations'.
        if i < 0 { return crewShiftChange(-1 - i) }
        guard let shift = plan.shifts[i] else { return }
        let on = shift.isOn(at: now)
        if tracing { note(on ? .onShift : .offShift, .station(i)) }
        let first = stations[i].firstServer
        for sv in first..<(first + stations[i].servers) {
            let h = handle(sv)
            if on {
                h.server.pointee.hold &= ~Hold.offShift
                markIdle(h)
                if !startDueStop(sv) { resumeOrStart(sv) }
            } else {
                h.server.pointee.hold |= Hold.offShift
                if h.server.pointee.processing {
                    // Setup or processing pauses, to resume on the next shift.
                    endSegment(h)
                    h.server.pointee.token &+= 1
                }
                releaseOperator(sv)
                markIdle(h)
            }
            updateState(h)
        }
        if let t = shift.nextChange(after: now) { calendar.schedule(time: t, kind: .shift, target: i) }
    }

    // MARK: Planned stops

    func scheduleDue(_ sv: Int, plan k: Int, at t: Double) {
        plan.dueToken[sv][k] &+= 1
        calendar.schedule(time: t, kind: .maintenanceDue, target: sv, detail: k, token: plan.dueToken[sv][k])
    }

    func maintenanceDue(_ sv: Int, plan k: Int, token: UInt32) {
        guard plan.dueToken[sv][k] == token else { return }
        markDue(sv, plan: k)
        startDueStop(sv)
        updateState(sv)
    }

    /// Plan `k` is due at server `sv`: it takes no new part from now on.
    func markDue(_ sv: Int, plan k: Int) {
        plan.due[sv] |= 1 << UInt32(k)
        servers[sv].hold |= Hold.stop
        markIdle(handle(sv))
    }

    /// Starts the first stop due, if the server is free to stop: up, not stopped already, and
    /// not in the middle of a part (clock stops run off shift too). Returns whether it did.
    @discardableResult
    func startDueStop(_ sv: Int) -> Bool {
        let s = servers.at(sv)
        guard plan.due[sv] != 0, plan.active[sv] < 0, !s.pointee.down, s.pointee.part < 0 || s.pointee.holding else { return false }
        let k = plan.due[sv].trailingZeroBitCount
        plan.due[sv] &= ~(1 << UInt32(k))
        plan.active[sv] = k
        if tracing { note(.maintain, server: sv) }
        releaseOperator(sv)
        updateState(sv)
        let i = s.pointee.station
        if let c = plan.plans[i][k].crew {
            accrueCrew(c, until: now)
            if crews[c].free > 0 && crews[c].queued == 0 {
                grantStop(sv, plan: k, crew: c, asked: now)
            } else {
                crews[c].stops.append(CrewRequest(server: Int32(sv), number: k, since: now))
            }
        } else {
            scheduleStopEnd(sv, plan: k)
        }
        return true
    }

    func grantStop(_ sv: Int, plan k: Int, crew c: Int, asked: Double) {
        crews[c].grant(waited: now - asked, inWindow: now >= warmup)
        scheduleStopEnd(sv, plan: k)
    }

    func scheduleStopEnd(_ sv: Int, plan k: Int) {
        let i = servers[sv].station
        let t = plan.plans[i][k].duration.sample(&plan.planRng[i][k])
        calendar.schedule(time: now + t, kind: .maintenanceEnd, target: sv, detail: k)
    }

    func maintenanceEnd(_ sv: Int, plan k: Int) {
        let i = servers[sv].station
        if let c = plan.plans[i][k].crew { releaseMember(c) }
        plan.active[sv] = -1
        switch plan.plans[i][k].every {
        case .clock(let every): scheduleDue(sv, plan: k, at: now + every)
        case .parts: plan.partsSince[sv][k] = 0
        }
        if plan.due[sv] == 0 { servers[sv].hold &= ~Hold.stop }
        markIdle(handle(sv))
        // A clock failure that fell due during the stop goes first.
        if servers[sv].pendingCount > 0 {
            let base = servers[sv].failureBase
            let next = pending[base]
            for x in 1..<servers[sv].pendingCount { pending[base + x - 1] = pending[base + x] }
            servers[sv].pendingCount -= 1
            goDown(sv, next)
            return
        }
        if !startDueStop(sv) { resumeOrStart(sv) }
    }

    /// Whether server `sv` is in a planned stop (a clock failure due then waits).
    func inStop(_ sv: Int) -> Bool { stations[servers[sv].station].planned && plan.active[sv] >= 0 }
}
