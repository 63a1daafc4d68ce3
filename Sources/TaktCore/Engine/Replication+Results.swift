/// The statistics of section 4, closed at the end of the window.
extension Replication {
    func collect() -> ReplicationResult {
        var r = ReplicationResult()
        let horizon = end - warmup
        wip.advance(to: end, start: warmup)
        for sv in servers.indices { accrue(servers.at(sv), until: end) }
        for i in stations.indices {
            stations[i].queueAvg.advance(to: end, start: warmup)
            let st = stations[i]
            let serverTime = Double(st.servers) * horizon
            var out = ReplicationResult.Station()
            out.down = st.timeDown / serverTime
            out.blocked = st.timeBlocked / serverTime
            out.utilization = st.timeProcessing / serverTime
            out.starved = st.timeStarved / serverTime
            out.queue = st.queueAvg.area / horizon
            out.wait = st.waitCount > 0 ? st.waitSum / Double(st.waitCount) : nil
            out.processed = Double(st.processed)
            r.stations.append(out)
        }
        for j in buffers.indices {
            buffers[j].level.advance(to: end, start: warmup)
            r.buffers.append(ReplicationResult.Buffer(level: buffers[j].level.area / horizon))
        }
        for s in sinks {
            r.sinks.append(ReplicationResult.Sink(count: Double(s.count), throughput: Double(s.count) / horizon,
                                                  cycleTime: s.count > 0 ? s.cycleSum / Double(s.count) : nil))
        }
        r.throughput = Double(absorbed) / horizon
        r.wip = wip.area / horizon
        r.cycleTime = absorbed > 0 ? cycleSum / Double(absorbed) : nil
        r.events = events
        return r
    }
}
