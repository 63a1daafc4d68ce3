/// A scheduled event. Ties in time resolve by priority, then by the order of scheduling,
/// so every run of the same model and seed processes events in the same order.
struct Event {
    var time: Double
    /// The kind (which is its priority) in the top byte, a small detail (a failure mode) in the
    /// next, the scheduling sequence in the low 48 bits: one comparison breaks ties, and the
    /// event fits in 24 bytes, so large calendars stay in cache.
    var order: UInt64
    var target: Int32
    var token: UInt32

    var kind: EventKind { EventKind(rawValue: UInt8(order >> 56)) ?? .arrival }
    var detail: Int32 { Int32((order >> 48) & 0xFF) }

    @inline(__always)
    func precedes(_ other: Event) -> Bool {
        time < other.time || (time == other.time && order < other.order)
    }
}

enum EventKind: UInt8 {
    case repair, failure, completion, arrival
}

/// The event calendar: a 4-ary min-heap keyed (time, priority, sequence), in memory the
/// calendar owns, so scheduling never allocates once the heap has grown to the model's size.
/// Four children per node halve the depth of a binary heap, which matters for large plants.
final class EventCalendar {
    private var heap: UnsafeMutablePointer<Event>
    private var capacity = 1024
    private(set) var count = 0
    private var nextSeq: UInt64 = 0

    init() {
        heap = UnsafeMutablePointer<Event>.allocate(capacity: capacity)
    }

    deinit {
        heap.deallocate()
    }

    var isEmpty: Bool { count == 0 }

    func schedule(time: Double, kind: EventKind, target: Int, detail: Int = 0, token: UInt32 = 0) {
        if count == capacity { grow() }
        let e = Event(time: time, order: UInt64(kind.rawValue) << 56 | UInt64(detail & 0xFF) << 48 | nextSeq,
                      target: Int32(target), token: token)
        nextSeq &+= 1
        var i = count
        count += 1
        while i > 0 {
            let parent = (i - 1) >> 2
            if !e.precedes(heap[parent]) { break }
            heap[i] = heap[parent]
            i = parent
        }
        heap[i] = e
    }

    func pop() -> Event? {
        guard count > 0 else { return nil }
        let first = heap[0]
        count -= 1
        let n = count
        if n > 0 {
            let last = heap[n]
            var i = 0
            while true {
                let first = 4 * i + 1
                if first >= n { break }
                var c = first
                let end = min(first + 4, n)
                var k = first + 1
                while k < end {
                    if heap[k].precedes(heap[c]) { c = k }
                    k += 1
                }
                if !heap[c].precedes(last) { break }
                heap[i] = heap[c]
                i = c
            }
            heap[i] = last
        }
        return first
    }

    private func grow() {
        let bigger = UnsafeMutablePointer<Event>.allocate(capacity: capacity * 2)
        bigger.moveInitialize(from: heap, count: count)
        heap.deallocate()
        heap = bigger
        capacity *= 2
    }
}
