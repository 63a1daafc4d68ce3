/// Servers: taking work, processing in segments between failures, finishing, and the time
/// each spends in each state.
extension Replication {
    @inline(__always)
    func updateState(_ sv: Int) {
        let new = servers[sv].down ? Replication.stateDown : servers[sv].holding ? Replication.stateBlocked
            : servers[sv].part >= 0 ? Replication.stateProcessing : Replication.stateStarved
        if new == servers[sv].state { return }
        accrue(sv, until: now)
        servers[sv].state = new
        servers[sv].stateSince = now
    }

    /// Adds the server's time in its current state, within the window, to its station.
    @inline(__always)
    func accrue(_ sv: Int, until t: Double) {
        let since = servers[sv].stateSince
        let from = since > warmup ? since : warmup
        guard t > from else { return }
        let d = t - from, i = servers[sv].station
        switch servers[sv].state {
        case Replication.stateDown: stations[i].timeDown += d
        case Replication.stateBlocked: stations[i].timeBlocked += d
        case Replication.stateProcessing: stations[i].timeProcessing += d
        default: stations[i].timeStarved += d
        }
    }

    func startService(_ sv: Int, part p: Int32) {
        let i = servers[sv].station
        if now >= warmup {
            stations[i].waitSum += now - parts.arrived[Int(p)]
            stations[i].waitCount += 1
        }
        servers[sv].part = p
        servers[sv].remaining = process[i].sample(&stations[i].rng)
        beginSegment(sv)
    }

    /// Processing (re)starts: schedules whichever comes first, completion or a busy-time failure.
    func beginSegment(_ sv: Int) {
        servers[sv].processing = true
        servers[sv].segmentStart = now
        servers[sv].token &+= 1
        let token = servers[sv].token
        var due = servers[sv].remaining
        var mode = -1
        let i = servers[sv].station
        if stations[i].hasBusyFailures {
            let base = servers[sv].failureBase, modeBase = stations[i].modeBase
            for m in 0..<stations[i].modeCount where modes[modeBase + m].clock == .busy && ttf[base + m] < due {
                due = ttf[base + m]
                mode = m
            }
        }
        if mode >= 0 {
            calendar.schedule(time: now + due, kind: .failure, target: sv, detail: mode, token: token)
        } else {
            calendar.schedule(time: now + due, kind: .completion, target: sv, token: token)
        }
        updateState(sv)
    }

    func endSegment(_ sv: Int) {
        let elapsed = now - servers[sv].segmentStart
        servers[sv].remaining = max(0, servers[sv].remaining - elapsed)
        let i = servers[sv].station
        if stations[i].hasBusyFailures {
            let base = servers[sv].failureBase, modeBase = stations[i].modeBase
            for m in 0..<stations[i].modeCount where modes[modeBase + m].clock == .busy {
                ttf[base + m] = max(0, ttf[base + m] - elapsed)
            }
        }
        servers[sv].processing = false
        servers[sv].token &+= 1
    }

    func completion(_ sv: Int) {
        endSegment(sv)
        servers[sv].remaining = 0
        let i = servers[sv].station
        if now >= warmup { stations[i].processed += 1 }
        servers[sv].holding = true
        if stations[i].route.drawsAtFinish {
            servers[sv].target = chooseAtFinish(stations[i].route, rng: &stations[i].routeRng, rr: &stations[i].rr)
        }
        // A parts-count failure falls due as this part completes; the part may still move on.
        if stations[i].hasPartFailures {
            let base = servers[sv].failureBase, modeBase = stations[i].modeBase
            for m in 0..<stations[i].modeCount where modes[modeBase + m].clock == .parts {
                partsSince[base + m] += 1
                if partsSince[base + m] >= modes[modeBase + m].everyParts {
                    if servers[sv].down { addPending(sv, m) } else { goDown(sv, m) }
                }
            }
        }
        // States that last no time are never recorded: only a part that cannot move makes
        // the server blocked.
        if !tryServerMove(sv) {
            updateState(sv)
            block(entity: Int32(sv))
        }
    }

    /// Passes the finished part on if it can, then takes new work.
    func tryServerMove(_ sv: Int) -> Bool {
        let i = servers[sv].station
        guard let dest = destination(stations[i].route, chosen: servers[sv].target) else { return false }
        let p = servers[sv].part
        servers[sv].part = -1
        servers[sv].holding = false
        servers[sv].blockSeq = 0
        stations[i].present -= 1
        accept(dest, part: p)
        afterRelease(sv)
        updateState(sv)
        return true
    }

    /// A free server takes its next part: from its own queue, from the buffers feeding it, or
    /// new from a saturated source.
    func afterRelease(_ sv: Int) {
        guard !servers[sv].down, servers[sv].part < 0 else { return }
        let i = servers[sv].station
        if stations[i].saturatedBy >= 0 {
            let k = stations[i].saturatedBy
            guard sources[k].created < sources[k].limit else { return }
            sources[k].created += 1
            let p = newPart()
            stations[i].present += 1
            startService(sv, part: p)
        } else if stations[i].hasOwnQueue {
            guard !stations[i].queue.isEmpty else {
                // A free server is room too (it matters when the queue holds nothing).
                roomAt(.station(i))
                return
            }
            let p = stations[i].queue.removeFirst()
            stations[i].queueAvg.set(Double(stations[i].queue.count), at: now, start: warmup)
            startService(sv, part: p)
            roomAt(.station(i))
        } else {
            pull(sv)
        }
    }

    /// A buffer-fed server takes the head part that has waited longest among the buffers that
    /// would send it here.
    func pull(_ sv: Int) {
        let i = servers[sv].station
        var best = -1
        let sole = stations[i].soleFeeder
        if sole >= 0 {
            if let head = buffers[sole].parts.first {
                // A plain `next` into this station always takes it: this server is free.
                if buffers[sole].route.kind == .next || bufferDestination(sole, part: head) == .station(i) { best = sole }
            }
        } else {
            var bestTime = Double.infinity
            let start = stations[i].feederStart
            for f in start..<(start + stations[i].feederCount) {
                let j = feeders[f]
                guard let head = buffers[j].parts.first, bestTime > parts.arrived[Int(head)] else { continue }
                if bufferDestination(j, part: head) == .station(i) {
                    best = j
                    bestTime = parts.arrived[Int(head)]
                }
            }
        }
        guard best >= 0 else {
            // Nothing waiting: a hand-off buffer can now pass a part straight through.
            if sole >= 0 {
                if buffers[sole].parts.isEmpty { roomAt(.buffer(sole)) }
            } else {
                let start = stations[i].feederStart
                for f in start..<(start + stations[i].feederCount) where buffers[feeders[f]].parts.isEmpty {
                    roomAt(.buffer(feeders[f]))
                }
            }
            return
        }
        let p = takeHead(best)
        stations[i].present += 1
        startService(sv, part: p)
        advanceBuffer(best)
        roomAt(.buffer(best))
    }
}
