/// Queue disciplines other than first in, first out (docs/model.md): a queue or buffer is kept
/// in its discipline's order as parts join, so that its head is always the next part to go and
/// the paths that take the head stay as they are. Ties keep arrival order; nothing preempts.
extension Replication {
    /// Whether queued part `a` goes strictly before `b` under discipline `d` (raw `Discipline`).
    func goesBefore(_ a: QueuedPart, _ b: QueuedPart, _ d: UInt8) -> Bool {
        switch Discipline(rawValue: d) ?? .fifo {
        case .fifo: return a.arrived < b.arrived
        case .lifo: return a.arrived > b.arrived
        case .priority: return typePriority[Int(parts[a.part].type)] > typePriority[Int(parts[b.part].type)]
        case .spt: return parts[preset: a.part] < parts[preset: b.part]
        case .edd: return dueDate(a.part) < dueDate(b.part)
        }
    }

    func dueDate(_ p: Int32) -> Double { parts[p].created + typeDue[Int(parts[p].type)] }

    /// A part joins station `i`'s queue, which is not a plain one: in its discipline's order,
    /// and perhaps completing a batch.
    @inline(never)
    func join(station i: Int, _ q: QueuedPart) {
        if stations[i].assembles { countForSet(station: i, type: Int(parts[q.part].type), by: 1) }
        if stations[i].discipline == 0 { stations[i].queue.append(q) } else { enqueue(station: i, q) }
        if servers[stations[i].firstServer].hold & Hold.pull != 0 { pullWork(station: i) }
    }

    /// A part joins buffer `j`, which is not a plain one. Returns whether it fed a batch
    /// station, which has taken what it could.
    @inline(never)
    func join(buffer j: Int, _ q: QueuedPart) -> Bool {
        if buffers[j].delays {
            enterDelay(buffer: j, q)
            return true
        }
        enqueue(buffer: j, q)
        guard buffers[j].feedsPuller, case .station(let i) = buffers[j].route.next else { return false }
        if stations[i].assembles { countForSet(station: i, type: Int(parts[q.part].type), by: 1) }
        pullWork(station: i)
        return true
    }

    func enqueue(station i: Int, _ q: QueuedPart) {
        let st = stations.at(i)
        let d = st.pointee.discipline
        if d == Discipline.spt.rawValue { drawAhead(q.part, station: i) }
        st.pointee.queue.insert(q) { goesBefore($0, $1, d) }
    }

    func enqueue(buffer j: Int, _ q: QueuedPart) {
        let b = buffers.at(j)
        let d = b.pointee.discipline
        if b.pointee.drawsAhead, case .station(let i) = b.pointee.route.next { drawAhead(q.part, station: i) }
        if d == 0 {
            b.pointee.parts.append(q)
        } else {
            b.pointee.parts.insert(q) { goesBefore($0, $1, d) }
        }
    }

    /// Whether buffer `j` would send its head part to station `i` now. A station that pulls its
    /// work is fed only by buffers of its own, and has no idle bits that the buffer's routing
    /// could read.
    func sendsHere(_ j: Int, _ head: QueuedPart, station i: Int) -> Bool {
        servers[stations[i].firstServer].hold & Hold.pull != 0 || bufferDestination(j, part: head.part) == .station(i)
    }

    /// Draws part `p`'s process time at station `i` now, as it joins a queue ordered by it.
    func drawAhead(_ p: Int32, station i: Int) {
        parts[preset: p] = drawProcess(station: i, part: p)
    }

    /// Among the head parts of the buffers feeding station `i` that would be sent here, the
    /// feeder whose head goes first by the station's discipline (ties: the longest waiting).
    func bestFeeder(station i: Int) -> Int {
        let st = stations.at(i)
        let d = st.pointee.discipline
        var best = -1
        var bestHead = QueuedPart(part: -1, arrived: 0)
        let start = st.pointee.feederStart
        for f in start..<(start + st.pointee.feederCount) {
            let j = feeders[f]
            guard let head = buffers[j].parts.first, isReady(head, in: j), sendsHere(j, head, station: i) else { continue }
            if best < 0 || goesBefore(head, bestHead, d) || (!goesBefore(bestHead, head, d) && head.arrived < bestHead.arrived) {
                best = j
                bestHead = head
            }
        }
        return best
    }
}
