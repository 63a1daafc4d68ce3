/// The parts in the plant, by part number: when each was created and a destination drawn in
/// advance. (When it joined a queue is kept in the queue.) Numbers of absorbed parts are reused, and
/// the table owns its memory, so the event loop reads and writes it without copy-on-write checks.
final class PartTable {
    struct Record {
        var created: Double
        var target: Int32
        /// The part's type slot (`ModelSpec.untypedSlot` for untyped parts).
        var type: Int32
    }

    private var records: UnsafeMutablePointer<Record>
    /// A process time drawn in advance (shortest processing time first), or -1: apart from
    /// the records, which only this discipline would make larger.
    private var presets: UnsafeMutablePointer<Double>
    /// When a part in a buffer with a delay may leave it.
    private var readyTimes: UnsafeMutablePointer<Double>
    /// Each part's number in the order made (1 for the first), which the event trace shows:
    /// table numbers are reused.
    private var serials: UnsafeMutablePointer<Int>
    private var free: UnsafeMutablePointer<Int32>
    private var freeCount = 0
    private var count = 0
    private var capacity: Int
    /// Parts present at once before `overLimit` is raised. The table only grows when every
    /// number is in use, so a growth is the moment the count of parts present reaches it.
    private let limit: Int
    /// Set when more than `limit` parts were present, as a halt event is put on the calendar
    /// (first at its instant, so the run stops before anything else happens). Only a growth
    /// can pass the limit, so the part-making path pays nothing for the guard.
    private(set) var overLimit = false
    private unowned let calendar: EventCalendar
    /// Parts ever created, for the accounting a replication reports.
    private(set) var made = 0

    /// Parts in the plant now.
    var live: Int { count - freeCount }

    init(limit: Int = Int(Int32.max), calendar: EventCalendar) {
        self.calendar = calendar
        self.limit = max(1, min(limit, Int(Int32.max) / 2))
        capacity = min(256, self.limit)
        records = .allocate(capacity: capacity)
        presets = .allocate(capacity: capacity)
        readyTimes = .allocate(capacity: capacity)
        serials = .allocate(capacity: capacity)
        free = .allocate(capacity: capacity)
    }

    deinit {
        records.deallocate()
        presets.deallocate()
        readyTimes.deallocate()
        serials.deallocate()
        free.deallocate()
    }

    /// Part `p`'s record; `p` is a number `create` handed out.
    subscript(p: Int32) -> Record {
        @inline(__always) unsafeAddress { UnsafePointer(records + Int(p)) }
        @inline(__always) unsafeMutableAddress { records + Int(p) }
    }

    /// A part number for a part created now.
    @inline(__always)
    func create(at now: Double, type: Int32) -> Int32 {
        made &+= 1
        let p: Int32
        if freeCount > 0 {
            freeCount -= 1
            p = free[freeCount]
        } else {
            if count == capacity { grow(at: now) }
            p = Int32(count)
            count += 1
        }
        records[Int(p)] = Record(created: now, target: -1, type: type)
        presets[Int(p)] = -1
        serials[Int(p)] = made
        return p
    }

    /// Part `p`'s number in the order made.
    func serial(_ p: Int32) -> Int { serials[Int(p)] }

    /// When part `p` may leave the buffer with a delay it is in.
    subscript(readyAt p: Int32) -> Double {
        @inline(__always) get { readyTimes[Int(p)] }
        @inline(__always) set { readyTimes[Int(p)] = newValue }
    }

    /// Part `p`'s process time drawn in advance, or -1.
    subscript(preset p: Int32) -> Double {
        @inline(__always) get { presets[Int(p)] }
        @inline(__always) set { presets[Int(p)] = newValue }
    }

    @inline(__always)
    func release(_ p: Int32) {
        free[freeCount] = p
        freeCount += 1
    }

    /// Calls `body` with the record of every part in the plant (made and not yet released).
    func forEachLive(_ body: (Record) -> Void) {
        var released = [Bool](repeating: false, count: count)
        for k in 0..<freeCount { released[Int(free[k])] = true }
        for p in 0..<count where !released[p] { body(records[p]) }
    }

    @inline(never)
    private func grow(at now: Double) {
        // Past the limit, room for what the current event still creates before the halt.
        if count >= limit && !overLimit {
            overLimit = true
            calendar.schedule(time: now, kind: .halt, target: 0)
        }
        let n = overLimit ? capacity + 1024 : min(capacity * 2, limit)
        records = records.grown(keeping: capacity, capacity: n)
        presets = presets.grown(keeping: capacity, capacity: n)
        readyTimes = readyTimes.grown(keeping: capacity, capacity: n)
        serials = serials.grown(keeping: capacity, capacity: n)
        free = free.grown(keeping: capacity, capacity: n)
        capacity = n
    }
}
