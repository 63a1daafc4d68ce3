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
    /// Ends the run at once (first at its instant): scheduled when a guard trips mid-event.
    case halt
    case repair, failure, completion
    /// A station's shift turns on or off (the target is the station), then a server's planned
    /// stop falls due or ends (detail: the plan): after completions, before starts.
    case shift, maintenanceEnd, maintenanceDue
    /// A part in a buffer with a delay becomes ready to leave (the target is the buffer).
    case ready
    case arrival
}

/// The event calendar, ordered by (time, priority, sequence). Up to a couple of thousand
/// pending events it is a 4-ary min-heap (time keys, and the rest of each event, in parallel
/// arrays the calendar owns); past that the events move to a calendar queue whose cost per
/// event does not grow with their number. Both give exactly the same order. A plant in step
/// (constant times: many events tied at each instant) takes the queue from sixteen events on,
/// since each tie sends the heap to its slow exact comparison and costs the queue nothing.
final class EventCalendar {
    /// Pending events above which the calendar queue takes over, and below which the heap
    /// returns: for events spread in time, and for events tied in time.
    static let bucketsAbove = 2048, heapBelow = 512
    static let bucketsAboveTied = 16, heapBelowTied = 4
    /// Where the heap next considers handing over: first at `bucketsAboveTied` events, where it
    /// looks for ties, then at `bucketsAbove` if there are few.
    private var switchAbove = EventCalendar.bucketsAboveTied
    /// The calendar queue was chosen for ties (so it returns to the heap later).
    private var tied = false
    /// Used while `inBuckets`; otherwise an empty placeholder (optional access to a struct this
    /// size costs a copy per event).
    private var buckets = BucketCalendar(buckets: 1, width: 1)
    private(set) var inBuckets = false

    /// Each event's time as a 64-bit key (see `key`): the four children of an entry are
    /// compared on these alone, with selects rather than branches, and sit in half a cache
    /// line. The order that breaks ties is read from `slots` only when two times are equal.
    /// (Keys of time and order as one 128-bit number, the previous layout, made each level of
    /// a sift-down twice the bytes and a longer chain of dependent instructions: a heap of a
    /// thousand events cost 30 ns per hold instead of 22.)
    private var keys: UnsafeMutablePointer<UInt64>
    private var slots: UnsafeMutablePointer<Slot>
    private var capacity = 1024
    private(set) var count = 0
    private var nextSeq: UInt64 = 0
    /// The heap's root is the event `pop` last returned, still in place: most handlers schedule
    /// one event, which then replaces the root with one sift-down instead of a pop and a push.
    private var rootIsTaken = false

    /// An event apart from its time.
    struct Slot {
        var order: UInt64
        var target: Int32
        var token: UInt32
    }

    init() {
        keys = EventCalendar.allocateKeys(capacity)
        slots = .allocate(capacity: capacity)
    }

    deinit {
        EventCalendar.deallocateKeys(keys)
        slots.deallocate()
        buckets.free()
    }

    /// Keys stored from 24 bytes into a cache line, so that the four children of any entry
    /// (4i + 1 ... 4i + 4) fill exactly one half of a line.
    private static func allocateKeys(_ n: Int) -> UnsafeMutablePointer<UInt64> {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: 8 * (n + 3), alignment: 64)
        return (raw + 24).bindMemory(to: UInt64.self, capacity: n)
    }

    private static func deallocateKeys(_ keys: UnsafeMutablePointer<UInt64>) {
        (UnsafeMutableRawPointer(keys) - 24).deallocate()
    }

    /// For times of at least +0 the bit patterns order as the numbers do. Adding +0 turns a
    /// time of -0 into +0, whose bit pattern orders first.
    @inline(__always)
    private static func key(_ time: Double) -> UInt64 { (time + 0).bitPattern }

    @inline(__always)
    func schedule(time: Double, kind: EventKind, target: Int, detail: Int = 0, token: UInt32 = 0) {
        let order = UInt64(kind.rawValue) << 56 | UInt64(detail & 0xFF) << 48 | nextSeq
        nextSeq &+= 1
        if inBuckets {
            scheduleInBuckets(BucketCalendar.Entry(time: time, order: order, target: Int32(target), token: token))
            return
        }
        let slot = Slot(order: order, target: Int32(target), token: token)
        if rootIsTaken {
            rootIsTaken = false
            siftDown(EventCalendar.key(time), slot, count: count)
            return
        }
        push(EventCalendar.key(time), slot)
        if count > switchAbove { heapOutgrown() }
    }

    @inline(never)
    private func scheduleInBuckets(_ entry: BucketCalendar.Entry) {
        buckets.insert(entry)
        if buckets.count > buckets.growAbove { rebuildBuckets() }
    }

    /// Whether entry `a` comes before an event of key `k` and order `o`.
    @inline(__always)
    private func before(_ a: Int, _ k: UInt64, _ o: UInt64) -> Bool {
        keys[a] < k || (keys[a] == k && slots[a].order < o)
    }

    /// Adds an event below the root (the root being in use). Out of line: inlined, it made
    /// `schedule` too large for the compiler to inline into the handlers.
    @inline(never)
    private func push(_ key: UInt64, _ slot: Slot) {
        if count == capacity { grow() }
        var i = count
        count += 1
        while i > 0 {
            let parent = (i - 1) >> 2
            if before(parent, key, slot.order) { break }
            keys[i] = keys[parent]
            slots[i] = slots[parent]
            i = parent
        }
        keys[i] = key
        slots[i] = slot
    }

    /// The target of the event that will most likely come next, if that is cheap to tell: the
    /// engine prefetches its records while it handles the current event.
    @inline(__always)
    var likelyNextTarget: Int32? {
        if inBuckets { return buckets.headTarget }
        guard rootIsTaken else { return count > 0 ? slots[0].target : nil }
        // The root's least child (by time alone: a hint), unless the handler schedules an
        // earlier event. The same selects as in `siftDown`, written out: as a shared function
        // returning index and key the compiler turned some into branches.
        guard count > 4 else { return count > 1 ? slots[1].target : nil }
        let k0 = keys[1], k1 = keys[2], k2 = keys[3], k3 = keys[4]
        let a = k1 < k0, b = k3 < k2
        let d = (b ? k3 : k2) < (a ? k1 : k0)
        return slots[d ? (b ? 4 : 3) : (a ? 2 : 1)].target
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
        let s = slots[0]
        return Event(time: Double(bitPattern: keys[0]), order: s.order, target: s.target, token: s.token)
    }

    /// Takes out the root that `pop` handed out. Out of line, so that `pop` stays small enough
    /// to be inlined into the event loop.
    @inline(never)
    private func removeRoot() {
        rootIsTaken = false
        count -= 1
        if count > 0 { siftDown(keys[count], slots[count], count: count) }
    }

    /// Puts an event at the root of a heap of `count` entries and moves it down to its place.
    /// The tables are read into locals, as a store through one would otherwise make the
    /// compiler read both addresses again.
    @inline(__always)
    private func siftDown(_ key: UInt64, _ slot: Slot, count n: Int) {
        let keys = self.keys, slots = self.slots
        var i = 0
        while true {
            let first = 4 &* i &+ 1
            var c: Int
            var kc: UInt64
            var tie: Bool
            var m = 4
            if first &+ 3 < n {
                let k0 = keys[first], k1 = keys[first &+ 1], k2 = keys[first &+ 2], k3 = keys[first &+ 3]
                let a = k1 < k0, b = k3 < k2
                let ka = a ? k1 : k0, kb = b ? k3 : k2
                let ia = a ? first &+ 1 : first, ib = b ? first &+ 3 : first &+ 2
                let d = kb < ka
                c = d ? ib : ia
                kc = d ? kb : ka
                // A comparison between equal times went by position, not by order.
                tie = k0 == k1 || k2 == k3 || ka == kb
            } else {
                if first >= n { break }
                m = n &- first
                c = first
                kc = keys[first]
                tie = false
                var k = first &+ 1
                while k < n {
                    let kk = keys[k]
                    tie = tie || kk == kc
                    let better = kk < kc
                    c = better ? k : c
                    kc = better ? kk : kc
                    k &+= 1
                }
            }
            if _slowPath(tie || kc == key) {
                c = exactStep(first, m, key, slot.order)
                if c < 0 { break }
                kc = keys[c]
            } else if kc > key {
                break
            }
            keys[i] = kc
            slots[i] = slots[c]
            i = c
        }
        keys[i] = key
        slots[i] = slot
    }

    /// A step of `siftDown` where times tie: the least of the children `first..<first + m` by
    /// (time, order), if it comes before the event being placed, or -1. Time and order are
    /// compared as one 128-bit number, with selects: in a plant in step (constant times)
    /// nearly every step ties, and branches on the order would be mispredicted.
    @inline(never)
    private func exactStep(_ first: Int, _ m: Int, _ key: UInt64, _ order: UInt64) -> Int {
        let keys = self.keys, slots = self.slots
        @inline(__always) func full(_ k: Int) -> UInt128 { UInt128(keys[k]) << 64 | UInt128(slots[k].order) }
        // The same selects as in `siftDown`, on 128-bit keys: one generic helper for both
        // added 24 instructions per event to the sift-down of the 1,000-station line.
        var c: Int
        var kc: UInt128
        if m == 4 {
            let k0 = full(first), k1 = full(first &+ 1), k2 = full(first &+ 2), k3 = full(first &+ 3)
            let a = k1 < k0, b = k3 < k2
            let ka = a ? k1 : k0, kb = b ? k3 : k2
            let ia = a ? first &+ 1 : first, ib = b ? first &+ 3 : first &+ 2
            let d = kb < ka
            c = d ? ib : ia
            kc = d ? kb : ka
        } else {
            c = first
            kc = full(first)
            var k = first &+ 1
            while k < first &+ m {
                let kk = full(k)
                let better = kk < kc
                c = better ? k : c
                kc = better ? kk : kc
                k &+= 1
            }
        }
        return kc < UInt128(key) << 64 | UInt128(order) ? c : -1
    }

    /// The heap passed `switchAbove` events: at the first threshold it hands over only if the
    /// earliest events tie with the root (half of the sixteen below it share its time).
    @inline(never)
    private func heapOutgrown() {
        if switchAbove < EventCalendar.bucketsAbove {
            let rootTime = keys[0]
            var same = 0
            for k in 1...16 where keys[k] == rootTime { same += 1 }
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
            for e in all { push(EventCalendar.key(e.time), Slot(order: e.order, target: e.target, token: e.token)) }
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
        slots = slots.grown(keeping: count, capacity: n)
        capacity = n
    }
}
