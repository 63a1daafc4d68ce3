/// The statistics of section 4: opened at the end of the warm-up, closed at the end of the window.
extension Replication {
    /// Everything observed so far was warm-up: counts and sums start again from zero, areas
    /// from what the parts present have already spent, and server states from `warmup`. Done
    /// once, rather than a check per update.
    func openWindow() {
        var before = 0.0
        partsAtWindow = (parts.live, parts.made)
        parts.forEachLive { before += warmup - $0.created }
        wipArea = -before
        if typed {
            typeStats = TypeStatistics(slots: typeSlots, sinks: sinks.count)
            parts.forEachLive { typeStats.wipArea[Int($0.type)] -= warmup - $0.created }
        }
        for sv in servers.indices { servers[sv].stateSince = warmup }
        for i in stations.indices {
            let st = stations.at(i)
            st.pointee.queueArea = -Replication.waitedBefore(warmup, st.pointee.queue)
            processedBeforeWindow[i] = st.pointee.processed
            st.pointee.processed = 0
            scrapped[i] = 0
            st.pointee.waitSum = 0
            st.pointee.waitCount = -inService(station: i)
            for k in 0..<ServerState.count { stateTime[i << ServerState.shift | k] = 0 }
        }
        for j in buffers.indices { buffers[j].levelArea = -Replication.waitedBefore(warmup, buffers[j].parts) }
        for k in sinks.indices { sinks[k] = SinkRT() }
        consumed = 0
        sourcesAtWindow = sources.indices.map { (sources[$0].created - sources[$0].lost, sources[$0].lost) }
        for k in sources.indices { sources[k].blockedTime = 0 }
        openCrewWindow()
    }

    func collect() -> ReplicationResult {
        var r = ReplicationResult()
        let horizon = end - warmup
        parts.forEachLive { wipArea += end - $0.created }
        if typed { parts.forEachLive { typeStats.wipArea[Int($0.type)] += end - $0.created } }
        for sv in servers.indices { accrue(handle(sv), until: end) }
        for i in stations.indices {
            stations[i].queueArea += Replication.waitedBefore(end, stations[i].queue)
            stations[i].waitCount += stations[i].processed + inService(station: i)
            let st = stations[i]
            let serverTime = Double(st.servers) * horizon
            var out = ReplicationResult.Station()
            func fraction(_ state: ServerState) -> Double { stateTime[i << ServerState.shift | state.index] / serverTime }
            out.down = fraction(.down)
            out.blocked = fraction(.blocked)
            out.utilization = fraction(.processing)
            out.starved = fraction(.starved)
            out.setup = fraction(.setup)
            out.unstaffed = fraction(.unstaffed)
            out.maintenance = fraction(.maintenance)
            out.offShift = fraction(.offShift)
            out.queue = st.queueArea / horizon
            // An assembly's starts each take a set: its waits are its components'.
            let waits = st.waitCount * componentsPerStart(i)
            out.wait = waits > 0 ? st.waitSum / Double(waits) : nil
            out.processed = Double(st.processed)
            out.scrapped = Double(scrapped[i])
            r.scrapped += out.scrapped
            r.stations.append(out)
        }
        for j in buffers.indices {
            buffers[j].levelArea += Replication.waitedBefore(end, buffers[j].parts)
            r.buffers.append(ReplicationResult.Buffer(level: buffers[j].levelArea / horizon))
        }
        var absorbed = 0, cycleSum = 0.0
        for s in sinks {
            r.sinks.append(ReplicationResult.Sink(count: Double(s.count), throughput: Double(s.count) / horizon,
                                                  cycleTime: s.count > 0 ? s.cycleSum / Double(s.count) : nil))
            absorbed += s.count
            cycleSum += s.cycleSum
        }
        if typed { collectTypes(into: &r, horizon: horizon) }
        r.throughput = Double(absorbed) / horizon
        r.wip = wipArea / horizon
        r.cycleTime = absorbed > 0 ? cycleSum / Double(absorbed) : nil
        for k in sources.indices {
            if sources[k].blockSeq != 0 && sources[k].held >= 0 { accrueSourceBlocked(k, until: end) }
            let before = sourcesAtWindow[k]
            r.sources.append(ReplicationResult.Source(created: Double(sources[k].created - sources[k].lost - before.made),
                                                      lost: Double(sources[k].lost - before.lost),
                                                      blocked: sources[k].blockedTime / horizon))
        }
        r.crews = collectCrews()
        r.events = events
        r.partsAtStart = partsAtWindow.live
        r.partsCreated = parts.made - partsAtWindow.made
        r.partsAtEnd = parts.live
        r.consumed = consumed
        return r
    }

    /// The time the parts in `queue` have waited there by `time`. A queue's area is the sum of
    /// its parts' waits (each added as the part leaves), so the window opens by taking off what
    /// the parts present had waited before it and closes by adding what those still there have
    /// waited: one subtraction per part instead of a time-average update at every arrival and
    /// departure.
    static func waitedBefore(_ time: Double, _ queue: PartQueue) -> Double {
        var sum = 0.0
        queue.forEach { sum += time - $0.arrived }
        return sum
    }

    /// Station `i`'s parts started and not yet completed (processing or down with a part).
    func inService(station i: Int) -> Int {
        let first = stations[i].firstServer
        let inProcess = (first..<(first + stations[i].servers)).filter { servers[$0].part >= 0 && !servers[$0].holding }
        // A batch in process is all its members.
        return stations[i].batchSize > 1 ? inProcess.reduce(0) { $0 + Int(batchHeld[$1]) } : inProcess.count
    }

    /// Results by part type (the untyped slot is not reported), and by sink and type.
    func collectTypes(into r: inout ReplicationResult, horizon: Double) {
        let st = typeStats
        let types = typeSlots - 1
        func mean(_ sum: Double, _ n: Int) -> Double? { n > 0 ? sum / Double(n) : nil }
        r.parts = (0..<types).map { t in
            ReplicationResult.PartType(count: Double(st.count[t]), throughput: Double(st.count[t]) / horizon,
                                       cycleTime: mean(st.cycleSum[t], st.count[t]), wip: st.wipArea[t] / horizon,
                                       scrapped: Double(st.scrapped[t]))
        }
        for k in r.sinks.indices {
            r.sinks[k].parts = (0..<types).map { t in
                let n = st.sinkCount[k * typeSlots + t]
                return ReplicationResult.Sink(count: Double(n), throughput: Double(n) / horizon,
                                              cycleTime: mean(st.sinkCycleSum[k * typeSlots + t], n))
            }
        }
    }
}
