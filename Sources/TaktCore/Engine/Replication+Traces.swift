/// Trace sources: parts made at listed times (from 0, ties in list order) instead of drawn
/// interarrival times. The next arrival is scheduled as each one happens, whatever the source's
/// state; parts made while the source is blocked wait at it, in order, and are counted in the
/// WIP from their arrival.
extension Replication {
    /// Schedules the next listed arrival, if any is left.
    func scheduleTraceArrival(_ k: Int) {
        let i = sources[k].created
        if i < traceTimes[k].count { calendar.schedule(time: traceTimes[k][i], kind: .arrival, target: k) }
    }

    @inline(never)
    func traceArrival(_ k: Int) {
        let i = sources[k].created
        guard i < traceTimes[k].count else { return }
        sources[k].created += 1
        scheduleTraceArrival(k)
        let type = traceTypes[k].isEmpty ? nextType(source: k, RichPlant.self) : traceTypes[k][i]
        if sources[k].held >= 0 {
            let p = parts.create(at: now, type: type)
            traceBacklog[k].append(p)
            if tracing { note(.arrive, .source(k), part: p) }
            return
        }
        if sources[k].route.drawsAtFinish {
            sources[k].target = chooseAtFinish(sources[k].route, rng: &sources[k].routeRng, rr: &sources[k].rr, type: type)
        }
        if sources[k].losesWhenFull && destination(sources[k].route, chosen: sources[k].target) == nil {
            sources[k].lost += 1
            if tracing { note(.lost, .source(k), type: type) }
            return
        }
        sources[k].held = parts.create(at: now, type: type)
        if tracing { note(.arrive, .source(k), part: sources[k].held) }
        if !trySourceMove(k) {
            sources[k].blockedSince = now
            block(entity: -1 - Int32(k))
        }
    }

    /// After the held part moved on, the parts waiting at the source follow while they can; the
    /// first that cannot is held, and the source blocks again.
    func releaseBacklog(_ k: Int) {
        while sources[k].held < 0, let p = traceBacklog[k].first {
            _ = traceBacklog[k].removeFirst()
            sources[k].held = p
            if sources[k].route.drawsAtFinish {
                sources[k].target = chooseAtFinish(sources[k].route, rng: &sources[k].routeRng, rr: &sources[k].rr, type: parts[p].type)
            }
            guard let dest = destination(sources[k].route, chosen: sources[k].target) else {
                sources[k].blockedSince = now
                block(entity: -1 - Int32(k))
                return
            }
            sources[k].held = -1
            accept(dest, part: p)
        }
    }
}
