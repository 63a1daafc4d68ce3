/// A calendar queue (Brown, 1988) for large plants: events hash by time into buckets one
/// "day" wide, so finding the next event costs about the same with a thousand events pending
/// as with ten. Each bucket is kept sorted by (time, order) and each event remembers its
/// absolute day, so the order is exactly the heap's: (time, priority, sequence).
struct BucketCalendar {
    struct Entry {
        var time: Double
        var order: UInt64
        var day: UInt64
        var target: Int32
        var token: UInt32
    }

    /// One bucket: entries sorted ascending, consumed from `head`.
    struct Bucket {
        var items: UnsafeMutablePointer<Entry>
        var head = 0
        var end = 0
        var capacity = 4

        init() { items = .allocate(capacity: 4) }

        var isEmpty: Bool { head == end }

        mutating func insert(_ e: Entry) {
            if end == capacity {
                if head > 0 {
                    // Reclaim consumed space before growing.
                    for k in 0..<(end - head) { items[k] = items[head + k] }
                    end -= head
                    head = 0
                } else {
                    items = items.grown(keeping: end, capacity: capacity * 2)
                    capacity *= 2
                }
            }
            var i = end
            while i > head {
                let p = items[i - 1]
                if p.time < e.time || (p.time == e.time && p.order < e.order) { break }
                items[i] = p
                i -= 1
            }
            items[i] = e
            end += 1
        }

        mutating func removeFirst() -> Entry {
            let e = items[head]
            head += 1
            if head == end { head = 0; end = 0 }
            return e
        }

        func free() { items.deallocate() }
    }

    private(set) var buckets: [Bucket]
    private var width: Double
    private(set) var count = 0
    /// The absolute day being scanned; no pending event is on an earlier day.
    private var currentDay: UInt64 = 0

    init(buckets n: Int, width: Double) {
        buckets = (0..<n).map { _ in Bucket() }
        self.width = width
    }

    func free() { for b in buckets { b.free() } }

    @inline(__always)
    func day(of time: Double) -> UInt64 {
        let d = time / width
        return d < 9.0e18 ? UInt64(d) : UInt64(9.0e18)
    }

    mutating func insert(_ e: Entry) {
        var e = e
        e.day = day(of: e.time)
        if e.day < currentDay { currentDay = e.day }
        buckets[Int(e.day & UInt64(buckets.count - 1))].insert(e)
        count += 1
    }

    /// The earliest entry, or nil.
    mutating func removeFirst() -> Entry? {
        guard count > 0 else { return nil }
        let mask = UInt64(buckets.count - 1)
        // One pass over the days ahead; events far in the future are found by a direct search.
        for _ in 0..<buckets.count {
            let b = Int(currentDay & mask)
            if !buckets[b].isEmpty, buckets[b].items[buckets[b].head].day == currentDay {
                count -= 1
                return buckets[b].removeFirst()
            }
            currentDay &+= 1
        }
        var best = -1
        var bestEntry: Entry? = nil
        for (k, bucket) in buckets.enumerated() where !bucket.isEmpty {
            let e = bucket.items[bucket.head]
            if bestEntry == nil || e.time < bestEntry!.time || (e.time == bestEntry!.time && e.order < bestEntry!.order) {
                best = k
                bestEntry = e
            }
        }
        guard best >= 0, let e = bestEntry else { return nil }
        currentDay = e.day
        count -= 1
        return buckets[best].removeFirst()
    }
}
