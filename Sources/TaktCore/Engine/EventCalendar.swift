/// A scheduled event. Ties in time resolve by priority, then by the order of scheduling,
/// so every run of the same model and seed processes events in the same order.
struct Event {
    var time: Double
    var priority: UInt8
    var kind: EventKind
    var seq: UInt64
    var target: Int32
    var detail: Int32
    var token: UInt32

    @inline(__always)
    func precedes(_ other: Event) -> Bool {
        if time != other.time { return time < other.time }
        if priority != other.priority { return priority < other.priority }
        return seq < other.seq
    }
}

enum EventKind: UInt8 {
    case repair, failure, completion, arrival
}

/// The event calendar: a binary min-heap keyed (time, priority, sequence), stored flat so
/// scheduling never allocates once the heap has grown to the model's working size.
struct EventCalendar {
    private var heap: [Event] = []
    private var nextSeq: UInt64 = 0

    init() { heap.reserveCapacity(1024) }

    var isEmpty: Bool { heap.isEmpty }
    var count: Int { heap.count }
    var nextTime: Double { heap.first?.time ?? .infinity }

    mutating func schedule(time: Double, kind: EventKind, target: Int, detail: Int = 0, token: UInt32 = 0) {
        let e = Event(time: time, priority: kind.rawValue, kind: kind, seq: nextSeq, target: Int32(target),
                      detail: Int32(detail), token: token)
        nextSeq &+= 1
        heap.append(e)
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) >> 1
            if !e.precedes(heap[parent]) { break }
            heap[i] = heap[parent]
            i = parent
        }
        heap[i] = e
    }

    mutating func pop() -> Event? {
        guard let first = heap.first else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            var i = 0
            let n = heap.count
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
}
