/// Failures: each server fails independently by busy time, clock time or part count, is
/// repaired by its own repairer or a member of its mode's crew (Replication+Crews), and
/// resumes the interrupted part (preempt-resume).
extension Replication {
    func goDown(_ sv: Int, _ m: Int) {
        if servers[sv].processing {
            // Interrupted (a clock failure): its completion or failure event is still pending.
            endSegment(sv)
            servers[sv].token &+= 1
        }
        servers[sv].down = true
        if tracing { note(.fail, server: sv) }
        markBusy(handle(sv))
        if stations[servers[sv].station].planned { plannedFailure(sv) }
        servers[sv].repairing = m
        updateState(sv)
        let crew = Int(modeCrew[stations[servers[sv].station].modeBase + m])
        if crew >= 0 {
            requestRepair(sv, m, crew: crew)
        } else {
            scheduleRepair(sv, m)
        }
    }

    /// The repair starts now and takes its drawn time.
    func scheduleRepair(_ sv: Int, _ m: Int) {
        let f = stations[servers[sv].station].modeBase + m
        let t = failureDown[f].sample(&downRng[servers[sv].failureBase + m], zig)
        calendar.schedule(time: now + t, kind: .repair, target: sv, detail: m)
    }

    /// A failure that falls due during a repair waits its turn. Each mode is pending at most
    /// once (its next failure is only drawn at its own repair), so a server's `modeCount` slots
    /// always suffice.
    func addPending(_ sv: Int, _ m: Int) {
        let n = servers[sv].pendingCount
        guard n < stations[servers[sv].station].modeCount else { return }
        pending[servers[sv].failureBase + n] = m
        servers[sv].pendingCount = n + 1
    }

    func busyFailure(_ sv: Int, _ m: Int) {
        endSegment(sv)
        ttf[servers[sv].failureBase + m] = 0
        goDown(sv, m)
    }

    func clockFailure(_ sv: Int, _ m: Int) {
        if servers[sv].down || inStop(sv) {
            addPending(sv, m)
        } else {
            goDown(sv, m)
        }
    }

    func repair(_ sv: Int, _ m: Int) {
        let f = stations[servers[sv].station].modeBase + m
        if modeCrew[f] >= 0 { releaseMember(Int(modeCrew[f])) }
        servers[sv].down = false
        if tracing { note(.repair, server: sv) }
        markIdle(handle(sv))
        servers[sv].repairing = -1
        let x = servers[sv].failureBase + m
        switch modes[f].clock {
        case .busy:
            ttf[x] = failureUp[f]?.sample(&upRng[x], zig) ?? .infinity
        case .clock:
            clockToken[x] &+= 1
            if let up = failureUp[f] {
                let t = up.sample(&upRng[x], zig)
                calendar.schedule(time: now + t, kind: .failure, target: sv, detail: m, token: clockToken[x])
            }
        case .parts:
            partsSince[x] = 0
        }
        let waitingFailures = servers[sv].pendingCount
        if waitingFailures > 0 {
            let base = servers[sv].failureBase
            let next = pending[base]
            for k in 1..<waitingFailures { pending[base + k - 1] = pending[base + k] }
            servers[sv].pendingCount = waitingFailures - 1
            goDown(sv, next)
            return
        }
        updateState(sv)
        if stations[servers[sv].station].planned {
            if !startDueStop(sv) { resumeOrStart(sv) }
        } else if servers[sv].part >= 0 && !servers[sv].holding {
            beginSegment(sv)
        } else if servers[sv].part < 0 {
            afterRelease(sv)
        }
    }
}
