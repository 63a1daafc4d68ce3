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

/// The event calendar, ordered by (time, priority, sequence). Small calendars are a 4-ary
/// min-heap (times, tie-break keys and payloads in parallel arrays the calendar owns); past a
/// few hundred pending events, as in large plants, the events move to a calendar queue whose
/// cost per event does not grow with their number. Both give exactly the same order.
final class EventCalendar {
    /// Pending events above which the calendar queue takes over, and below which the heap returns.
    static let bucketsAbove = 128
    static let heapBelow = 32
    /// Used while `inBuckets`; otherwise an empty placeholder (optional access to a struct this
    /// size costs a copy per event).
    private var buckets = BucketCalendar(buckets: 1, width: 1)
    private var inBuckets = false

    private var times: UnsafeMutablePointer<Double>
    private var orders: UnsafeMutablePointer<UInt64>
    private var payloads: UnsafeMutablePointer<(Int32, UInt32)>
    private var capacity = 1024
    private(set) var count = 0
    private var nextSeq: UInt64 = 0
    /// The heap's root is the event `pop` last returned, still in place: most handlers schedule
    /// one event, which then replaces the root with one sift-down instead of a pop and a push.
    private var rootIsTaken = false

    init() {
        times = .allocate(capacity: capacity)
        orders = .allocate(capacity: capacity)
        payloads = .allocate(capacity: capacity)
    }

    deinit {
        times.deallocate()
        orders.deallocate()
        payloads.deallocate()
        buckets.free()
    }

    var isEmpty: Bool { count == (rootIsTaken ? 1 : 0) && (!inBuckets || buckets.count == 0) }

    @inline(__always)
    private func move(from a: Int, to b: Int) {
        times[b] = times[a]
        orders[b] = orders[a]
        payloads[b] = payloads[a]
    }

    @inline(__always)
    func schedule(time: Double, kind: EventKind, target: Int, detail: Int = 0, token: UInt32 = 0) {
        let order = UInt64(kind.rawValue) << 56 | UInt64(detail & 0xFF) << 48 | nextSeq
        nextSeq &+= 1
        if inBuckets {
            scheduleInBuckets(BucketCalendar.Entry(time: time, order: order, target: Int32(target), token: token))
            return
        }
        if rootIsTaken {
            rootIsTaken = false
            siftDown(time: time, order: order, payload: (Int32(target), token), count: count)
            return
        }
        push(time: time, order: order, target: Int32(target), token: token)
        if count > EventCalendar.bucketsAbove { rebuildBuckets() }
    }

    @inline(never)
    private func scheduleInBuckets(_ entry: BucketCalendar.Entry) {
        buckets.insert(entry)
        if buckets.count > buckets.growAbove { rebuildBuckets() }
    }

    @inline(__always)
    private func push(time: Double, order: UInt64, target: Int32, token: UInt32) {
        if count == capacity { grow() }
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
        payloads[i] = (target, token)
    }

    /// The target of the event that will most likely come next, if that is cheap to tell: the
    /// engine prefetches its records while it handles the current event.
    @inline(__always)
    var likelyNextTarget: Int32? {
        if inBuckets { return buckets.headTarget }
        let next = rootIsTaken ? 1 : 0
        return count > next ? payloads[next].0 : nil
    }

    @inline(__always)
    func pop() -> Event? {
        inBuckets ? popBucket() : popHeap()
    }

    @inline(never)
    private func popBucket() -> Event? {
        guard let e = buckets.removeFirst() else { return nil }
        if buckets.count < buckets.shrinkBelow { rebuildBuckets() }
        return Event(time: e.time, order: e.order, target: e.target, token: e.token)
    }

    @inline(__always)
    private func popHeap() -> Event? {
        if rootIsTaken { removeRoot() }
        guard count > 0 else { return nil }
        rootIsTaken = true
        return Event(time: times[0], order: orders[0], target: payloads[0].0, token: payloads[0].1)
    }

    @inline(__always)
    private func removeRoot() {
        rootIsTaken = false
        count -= 1
        if count > 0 { siftDown(time: times[count], order: orders[count], payload: payloads[count], count: count) }
    }

    /// Puts an event at the root of a heap of `count` entries and moves it down to its place.
    @inline(__always)
    private func siftDown(time: Double, order: UInt64, payload: (Int32, UInt32), count n: Int) {
        var i = 0
        while true {
            let firstChild = 4 * i + 1
            if firstChild >= n { break }
            // Both keys of each child read up front, so the choice can compile to selects.
            var c = firstChild
            var tc = times[c], oc = orders[c]
            let end = min(firstChild + 4, n)
            var k = firstChild + 1
            while k < end {
                let tk = times[k], ok = orders[k]
                let better = tk < tc || (tk == tc && ok < oc)
                c = better ? k : c
                tc = better ? tk : tc
                oc = better ? ok : oc
                k += 1
            }
            if !(tc < time || (tc == time && oc < order)) { break }
            move(from: c, to: i)
            i = c
        }
        times[i] = time
        orders[i] = order
        payloads[i] = payload
    }

    /// Moves every pending event into a calendar queue sized for their number (or back into
    /// the heap when few remain). The day width is three times the mean gap between the
    /// earliest events, the classic choice.
    @inline(never)
    private func rebuildBuckets() {
        var all: [Event] = []
        all.reserveCapacity(count + (inBuckets ? buckets.count : 0))
        if inBuckets {
            while let e = buckets.removeFirst() { all.append(Event(time: e.time, order: e.order, target: e.target, token: e.token)) }
            inBuckets = false
        }
        if rootIsTaken { removeRoot() }
        while let e = popHeap() {
            removeRoot()
            all.append(e)
        }
        // `all` is now in order.
        if all.count < EventCalendar.heapBelow * 2 {
            for e in all { push(time: e.time, order: e.order, target: e.target, token: e.token) }
            return
        }
        let sample = min(all.count, 64)
        var gap = (all[sample - 1].time - all[0].time) / Double(sample - 1)
        if !(gap > 0) || !gap.isFinite { gap = 1 }
        var n = 1
        while n < all.count { n <<= 1 }
        buckets.free()
        buckets = BucketCalendar(buckets: n, width: 3 * gap)
        for e in all {
            buckets.insert(BucketCalendar.Entry(time: e.time, order: e.order, target: e.target, token: e.token))
        }
        inBuckets = true
    }

    @inline(never)
    private func grow() {
        let n = capacity * 2
        times = times.grown(keeping: count, capacity: n)
        orders = orders.grown(keeping: count, capacity: n)
        payloads = payloads.grown(keeping: count, capacity: n)
        capacity = n
    }
}
