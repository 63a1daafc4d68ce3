/// A scheduled event. Ties in time resolve by priority, then by the order of scheduling,
/// so every run of the same model and seed processes events in the same order.
struct Event {
    var time: Double
    /// Priority in the top byte, scheduling sequence below: one comparison breaks ties.
    var order: UInt64
    var target: Int32
    var detail: Int32
    var token: UInt32
    var kind: EventKind

    @inline(__always)
    func precedes(_ other: Event) -> Bool {
        time < other.time || (time == other.time && order < other.order)
    }
}

enum EventKind: UInt8 {
    case repair, failure, completion, arrival
}

/// The event calendar: a binary min-heap keyed (time, priority, sequence), in memory the
/// calendar owns, so scheduling never allocates once the heap has grown to the model's size.
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
        let e = Event(time: time, order: UInt64(kind.rawValue) << 56 | nextSeq, target: Int32(target),
                      detail: Int32(detail), token: token, kind: kind)
        nextSeq &+= 1
        var i = count
        count += 1
        while i > 0 {
            let parent = (i - 1) >> 1
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
                let l = 2 * i + 1
                if l >= n { break }
                var c = l
                let r = l + 1
                if r < n && heap[r].precedes(heap[l]) { c = r }
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
