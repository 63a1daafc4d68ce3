/// A calendar queue (Brown, 1988) for large plants: events hash by time into buckets one
/// "day" wide, so finding the next event costs about the same with a thousand events pending
/// as with ten. Each bucket is a list kept sorted by (time, order), and an event belongs to the
/// day its time falls in, so the order is exactly the heap's: (time, priority, sequence).
/// All entries live in one pool of nodes linked by index: a plant with a thousand stations
/// keeps its pending events in a few pages rather than in a thousand small allocations.
struct BucketCalendar {
    struct Entry {
        var time: Double
        var order: UInt64
        var target: Int32
        var token: UInt32
    }

    private struct Node {
        var entry: Entry
        var next: Int32
    }

    private var pool: UnsafeMutablePointer<Node>
    private var poolCapacity: Int
    /// Nodes handed out so far; freed ones are reused through `freeList`.
    private var used = 0
    private var freeList: Int32 = -1
    /// The first and last node of each bucket, or -1. Events that tie in time (constant
    /// process times keep a whole plant in step) queue at the end of their bucket in
    /// sequence order, so a new event is first compared with the last one: without that, a
    /// thousand tied events made every insertion walk a thousand nodes.
    private let heads: UnsafeMutablePointer<Int32>
    private let tails: UnsafeMutablePointer<Int32>
    let bucketCount: Int
    /// Outside this range of pending events the calendar is resized (or given back to the heap).
    let shrinkBelow: Int, growAbove: Int
    private let perDay: Double
    private(set) var count = 0
    /// The day being scanned; no pending event is on an earlier day.
    private var currentDay: Int64 = 0

    init(buckets n: Int, width: Double, heapBelow: Int = 0) {
        bucketCount = n
        shrinkBelow = max(heapBelow, n / 2)
        growAbove = 2 * n
        perDay = 1 / width
        heads = .allocate(capacity: n)
        heads.initialize(repeating: -1, count: n)
        tails = .allocate(capacity: n)
        tails.initialize(repeating: -1, count: n)
        poolCapacity = max(16, n)
        pool = .allocate(capacity: poolCapacity)
    }

    func free() {
        heads.deallocate()
        tails.deallocate()
        pool.deallocate()
    }

    @inline(__always)
    private func day(of time: Double) -> Int64 {
        // Times are never negative; the range test lets the conversion go unchecked.
        let d = time * perDay
        return d >= 0 && d < 9.0e18 ? Int64(d) : d < 0 ? 0 : Int64(9.0e18)
    }

    @inline(__always)
    private static func less(_ a: Entry, _ b: Entry) -> Bool {
        a.time < b.time || (a.time == b.time && a.order < b.order)
    }

    @inline(__always)
    mutating func insert(_ e: Entry) {
        let d = day(of: e.time)
        if d < currentDay { currentDay = d }
        let node: Int32
        if freeList >= 0 {
            node = freeList
            freeList = pool[Int(node)].next
        } else {
            if used == poolCapacity {
                pool = pool.grown(keeping: used, capacity: 2 * poolCapacity)
                poolCapacity *= 2
            }
            node = Int32(used)
            used += 1
        }
        let b = Int(d & Int64(bucketCount - 1))
        count += 1
        let tail = tails[b]
        if tail < 0 || !BucketCalendar.less(e, pool[Int(tail)].entry) {
            pool[Int(node)] = Node(entry: e, next: -1)
            if tail >= 0 { pool[Int(tail)].next = node } else { heads[b] = node }
            tails[b] = node
            return
        }
        var previous: Int32 = -1
        var current = heads[b]
        while BucketCalendar.less(pool[Int(current)].entry, e) {
            previous = current
            current = pool[Int(current)].next
        }
        pool[Int(node)] = Node(entry: e, next: current)
        if previous >= 0 { pool[Int(previous)].next = node } else { heads[b] = node }
    }

    /// Unlinks the first node of bucket `b` and returns its entry.
    @inline(__always)
    private mutating func takeHead(_ b: Int) -> Entry {
        let node = heads[b]
        heads[b] = pool[Int(node)].next
        if heads[b] < 0 { tails[b] = -1 }
        pool[Int(node)].next = freeList
        freeList = node
        count -= 1
        return pool[Int(node)].entry
    }

    /// The target of the first entry of the current day's bucket, which is usually the next.
    var headTarget: Int32? {
        let h = heads[Int(currentDay & Int64(bucketCount - 1))]
        return h >= 0 ? pool[Int(h)].entry.target : nil
    }

    /// The earliest entry, or nil.
    @inline(__always)
    mutating func removeFirst() -> Entry? {
        guard count > 0 else { return nil }
        let mask = Int64(bucketCount - 1)
        // One pass over the days ahead; events far in the future are found by a direct search.
        // No pending event is on an earlier day, so a head is on the current day exactly when
        // its scaled time (as `day(of:)` computes it) is below the next day's start.
        for _ in 0..<bucketCount {
            let b = Int(currentDay & mask)
            let h = heads[b]
            if h >= 0, pool[Int(h)].entry.time * perDay < Double(currentDay &+ 1) { return takeHead(b) }
            currentDay &+= 1
        }
        var best = -1
        for b in 0..<bucketCount where heads[b] >= 0 {
            if best < 0 || BucketCalendar.less(pool[Int(heads[b])].entry, pool[Int(heads[best])].entry) { best = b }
        }
        guard best >= 0 else { return nil }
        currentDay = day(of: pool[Int(heads[best])].entry.time)
        return takeHead(best)
    }
}
