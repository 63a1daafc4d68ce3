/// A scheduled event. Ties in time resolve by priority, then by the order of scheduling,
/// so every run of the same model and seed processes events in the same order.
struct Event {
    var time: Double
    /// The kind (which is its priority) in the top byte, a small detail (a failure mode) in the
    /// next, the scheduling sequence in the low 48 bits: one comparison breaks ties.
    var order: UInt64
    var target: Int32
    var token: UInt32

    var kind: EventKind { EventKind(rawValue: UInt8(order >> 56)) ?? .arrival }
    var detail: Int32 { Int32((order >> 48) & 0xFF) }
}

enum EventKind: UInt8 {
    case repair, failure, completion, arrival
}

/// The event calendar: a 4-ary min-heap keyed (time, priority, sequence). Times, tie-break
/// keys and payloads sit in three parallel arrays the calendar owns: sifting reads only the
/// times (four children share one cache line), so large plants stay fast, and scheduling
/// never allocates once the heap has grown to the model's size.
final class EventCalendar {
    private var times: UnsafeMutablePointer<Double>
    private var orders: UnsafeMutablePointer<UInt64>
    private var payloads: UnsafeMutablePointer<(Int32, UInt32)>
    private var capacity = 1024
    private(set) var count = 0
    private var nextSeq: UInt64 = 0

    init() {
        times = .allocate(capacity: capacity)
        orders = .allocate(capacity: capacity)
        payloads = .allocate(capacity: capacity)
    }

    deinit {
        times.deallocate()
        orders.deallocate()
        payloads.deallocate()
    }

    var isEmpty: Bool { count == 0 }

    @inline(__always)
    private func less(_ a: Int, _ b: Int) -> Bool {
        let ta = times[a], tb = times[b]
        return ta < tb || (ta == tb && orders[a] < orders[b])
    }

    @inline(__always)
    private func move(from a: Int, to b: Int) {
        times[b] = times[a]
        orders[b] = orders[a]
        payloads[b] = payloads[a]
    }

    func schedule(time: Double, kind: EventKind, target: Int, detail: Int = 0, token: UInt32 = 0) {
        if count == capacity { grow() }
        let order = UInt64(kind.rawValue) << 56 | UInt64(detail & 0xFF) << 48 | nextSeq
        nextSeq &+= 1
        var i = count
        count += 1
        while i > 0 {
            let parent = (i - 1) >> 2
            let tp = times[parent]
            if !(time < tp || (time == tp && order < orders[parent])) { break }
            move(from: parent, to: i)
            i = parent
        }
        times[i] = time
        orders[i] = order
        payloads[i] = (Int32(target), token)
    }

    func pop() -> Event? {
        guard count > 0 else { return nil }
        let first = Event(time: times[0], order: orders[0], target: payloads[0].0, token: payloads[0].1)
        count -= 1
        let n = count
        if n > 0 {
            let lastTime = times[n], lastOrder = orders[n], lastPayload = payloads[n]
            var i = 0
            while true {
                let firstChild = 4 * i + 1
                if firstChild >= n { break }
                var c = firstChild
                let end = min(firstChild + 4, n)
                var k = firstChild + 1
                while k < end {
                    if less(k, c) { c = k }
                    k += 1
                }
                let tc = times[c]
                if !(tc < lastTime || (tc == lastTime && orders[c] < lastOrder)) { break }
                move(from: c, to: i)
                i = c
            }
            times[i] = lastTime
            orders[i] = lastOrder
            payloads[i] = lastPayload
        }
        return first
    }

    private func grow() {
        let n = capacity * 2
        func bigger<T>(_ old: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<T> {
            let b = UnsafeMutablePointer<T>.allocate(capacity: n)
            b.moveInitialize(from: old, count: count)
            old.deallocate()
            return b
        }
        times = bigger(times)
        orders = bigger(orders)
        payloads = bigger(payloads)
        capacity = n
    }
}
