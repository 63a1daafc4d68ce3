/// Buffers with a delay (conveyors, cooling): a part may leave a drawn time after it enters.
/// The buffer keeps its parts in the order they become ready, so that its head is the next to
/// go and the paths that take a buffer's head only need to ask whether it is ready yet; an
/// event at each part's ready time lets it move on.
extension Replication {
    func enterDelay(buffer j: Int, _ q: QueuedPart) {
        let t = now + (bufferDelay[j]?.sample(&delayRng[j], zig) ?? 0)
        parts[readyAt: q.part] = t
        buffers[j].parts.insert(q) { a, b in parts[readyAt: a.part] < parts[readyAt: b.part] }
        // The part's type rides on the event, for the counts of an assembly after the buffer.
        calendar.schedule(time: t, kind: .ready, target: j, token: UInt32(parts[q.part].type))
    }

    /// Whether a buffer's head part may leave now.
    @inline(__always)
    func isReady(_ head: QueuedPart, in j: Int) -> Bool {
        !buffers[j].delays || parts[readyAt: head.part] <= now
    }

    /// A part of buffer `j` became ready: it moves on if it can (a station that pulls batches
    /// looks whether one is complete).
    func partReady(buffer j: Int, type: Int) {
        if buffers[j].feedsPuller, case .station(let i) = buffers[j].route.next {
            if stations[i].assembles { countForSet(station: i, type: type, by: 1) }
            pullWork(station: i)
        } else {
            advanceBuffer(j)
        }
    }
}
