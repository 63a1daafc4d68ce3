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

/// The event calendar, ordered by (time, priority, sequence). Up to a couple of thousand
/// pending events it is a 4-ary min-heap (128-bit keys and payloads in parallel arrays the
/// calendar owns); past that the events move to a calendar queue whose cost per event does not
/// grow with their number. Both give exactly the same order. A plant in step (constant times:
/// many events tied at each instant) takes the queue from a hundred events on, since ties
/// cost the heap a full sift-down each and the queue nothing.
final class EventCalendar {
    /// Pending events above which the calendar queue takes over, and below which the heap
    /// returns: for events spread in time, and for events tied in time.
    static let bucketsAbove = 2048, heapBelow = 512
    static let bucketsAboveTied = 128, heapBelowTied = 32
    /// Where the heap next considers handing over: first at `bucketsAboveTied` events, where it
    /// looks for ties, then at `bucketsAbove` if there are few.
    private var switchAbove = EventCalendar.bucketsAboveTied
    /// The calendar queue was chosen for ties (so it returns to the heap later).
    private var tied = false
    /// Used while `inBuckets`; otherwise an empty placeholder (optional access to a struct this
    /// size costs a copy per event).
    private var buckets = BucketCalendar(buckets: 1, width: 1)
    private(set) var inBuckets = false

    /// Each event's time and tie-break order as one 128-bit key (see `key`), which compares
    /// without a branch: choosing among four children then compiles to selects, where two
    /// comparisons per key mispredicted about half the time.
    private var keys: UnsafeMutablePointer<UInt128>
    private var payloads: UnsafeMutablePointer<(Int32, UInt32)>
    private var capacity = 1024
    private(set) var count = 0
    private var nextSeq: UInt64 = 0
    /// The heap's root is the event `pop` last returned, still in place: most handlers schedule
    /// one event, which then replaces the root with one sift-down instead of a pop and a push.
    private var rootIsTaken = false

    init() {
        keys = EventCalendar.allocateKeys(capacity)
        payloads = .allocate(capacity: capacity)
    }

    deinit {
        EventCalendar.deallocateKeys(keys)
        payloads.deallocate()
        buckets.free()
    }

    /// Keys stored from 48 bytes into a cache line, so that the four children of any entry
    /// (4i + 1 ... 4i + 4) fill exactly one line.
    private static func allocateKeys(_ n: Int) -> UnsafeMutablePointer<UInt128> {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: 16 * (n + 3), alignment: 64)
        return (raw + 48).bindMemory(to: UInt128.self, capacity: n)
    }

    private static func deallocateKeys(_ keys: UnsafeMutablePointer<UInt128>) {
        (UnsafeMutableRawPointer(keys) - 48).deallocate()
    }

    /// Time in the high half, order in the low: for times of at least +0, the bit patterns
    /// order as the numbers do, so one unsigned comparison orders by (time, order). Adding +0
    /// turns a time of -0 into +0, whose bit pattern orders first.
    @inline(__always)
    private static func key(_ time: Double, _ order: UInt64) -> UInt128 {
        UInt128((time + 0).bitPattern) << 64 | UInt128(order)
    }

    @inline(__always)
    private static func event(_ key: UInt128, _ payload: (Int32, UInt32)) -> Event {
        Event(time: Double(bitPattern: UInt64(truncatingIfNeeded: key >> 64)), order: UInt64(truncatingIfNeeded: key),
              target: payload.0, token: payload.1)
    }

    @inline(__always)
    private func move(from a: Int, to b: Int) {
        keys[b] = keys[a]
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
        let k = EventCalendar.key(time, order)
        if rootIsTaken {
            rootIsTaken = false
            siftDown(k, payload: (Int32(target), token), count: count)
            return
        }
        push(k, payload: (Int32(target), token))
        if count > switchAbove { heapOutgrown() }
    }

    @inline(never)
    private func scheduleInBuckets(_ entry: BucketCalendar.Entry) {
        buckets.insert(entry)
        if buckets.count > buckets.growAbove { rebuildBuckets() }
    }

    @inline(__always)
    private func push(_ key: UInt128, payload: (Int32, UInt32)) {
        if count == capacity { grow() }
        var i = count
        count += 1
        while i > 0 {
            let parent = (i - 1) >> 2
            if key >= keys[parent] { break }
            move(from: parent, to: i)
            i = parent
        }
        keys[i] = key
        payloads[i] = payload
    }

    /// The target of the event that will most likely come next, if that is cheap to tell: the
    /// engine prefetches its records while it handles the current event.
    @inline(__always)
    var likelyNextTarget: Int32? {
        if inBuckets { return buckets.headTarget }
        guard rootIsTaken else { return count > 0 ? payloads[0].0 : nil }
        // The root's least child, unless the handler schedules an earlier event. (The same
        // selects as in `siftDown`, written out: as a shared function returning index and key
        // the compiler turned some into branches, 6 % slower on the 1,000-station line.)
        guard count > 4 else { return count > 1 ? payloads[1].0 : nil }
        let k0 = keys[1], k1 = keys[2], k2 = keys[3], k3 = keys[4]
        let a = k1 < k0, b = k3 < k2
        let d = (b ? k3 : k2) < (a ? k1 : k0)
        return payloads[d ? (b ? 4 : 3) : (a ? 2 : 1)].0
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
        return EventCalendar.event(keys[0], payloads[0])
    }

    @inline(__always)
    private func removeRoot() {
        rootIsTaken = false
        count -= 1
        if count > 0 { siftDown(keys[count], payload: payloads[count], count: count) }
    }

    /// Puts an event at the root of a heap of `count` entries and moves it down to its place.
    @inline(__always)
    private func siftDown(_ key: UInt128, payload: (Int32, UInt32), count n: Int) {
        var i = 0
        while true {
            let first = 4 * i + 1
            var c: Int
            var kc: UInt128
            if first + 3 < n {
                // The least of four as a tree of selects: two pairs, then their winners.
                let k0 = keys[first], k1 = keys[first + 1], k2 = keys[first + 2], k3 = keys[first + 3]
                let a = k1 < k0, b = k3 < k2
                let ka = a ? k1 : k0, kb = b ? k3 : k2
                let ia = a ? first + 1 : first, ib = b ? first + 3 : first + 2
                let d = kb < ka
                c = d ? ib : ia
                kc = d ? kb : ka
            } else {
                if first >= n { break }
                c = first
                kc = keys[first]
                var k = first + 1
                while k < n {
                    let better = keys[k] < kc
                    c = better ? k : c
                    kc = better ? keys[k] : kc
                    k += 1
                }
            }
            if kc >= key { break }
            move(from: c, to: i)
            i = c
        }
        keys[i] = key
        payloads[i] = payload
    }

    /// The heap passed `switchAbove` events: at the first threshold it hands over only if the
    /// earliest events tie with the root (half of the sixteen below it share its time).
    @inline(never)
    private func heapOutgrown() {
        if switchAbove < EventCalendar.bucketsAbove {
            let rootTime = keys[0] >> 64
            var same = 0
            for k in 1...16 where keys[k] >> 64 == rootTime { same += 1 }
            tied = same >= 8
            if !tied {
                switchAbove = EventCalendar.bucketsAbove
                return
            }
        }
        rebuildBuckets()
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
        let heapBelow = tied ? EventCalendar.heapBelowTied : EventCalendar.heapBelow
        if all.count < heapBelow * 2 {
            for e in all { push(EventCalendar.key(e.time, e.order), payload: (e.target, e.token)) }
            switchAbove = EventCalendar.bucketsAboveTied
            tied = false
            return
        }
        let sample = min(all.count, 64)
        var gap = (all[sample - 1].time - all[0].time) / Double(sample - 1)
        if !(gap > 0) || !gap.isFinite { gap = 1 }
        var n = 1
        while n < all.count { n <<= 1 }
        buckets.free()
        buckets = BucketCalendar(buckets: n, width: 3 * gap, heapBelow: heapBelow)
        for e in all {
            buckets.insert(BucketCalendar.Entry(time: e.time, order: e.order, target: e.target, token: e.token))
        }
        inBuckets = true
    }

    @inline(never)
    private func grow() {
        let n = capacity * 2
        let bigger = EventCalendar.allocateKeys(n)
        bigger.moveInitialize(from: keys, count: count)
        EventCalendar.deallocateKeys(keys)
        keys = bigger
        payloads = payloads.grown(keeping: count, capacity: n)
        capacity = n
    }
}
