/// The parts in the plant: creation time, arrival at the current station or buffer, and a
/// destination drawn in advance, by part number; numbers of absorbed parts are reused. The
/// table owns its memory, so the event loop reads and writes it without copy-on-write checks.
final class PartTable {
    private(set) var created: UnsafeMutablePointer<Double>
    private(set) var arrived: UnsafeMutablePointer<Double>
    private(set) var target: UnsafeMutablePointer<Int32>
    private var free: UnsafeMutablePointer<Int32>
    private var freeCount = 0
    private var count = 0
    private var capacity = 256

    init() {
        created = .allocate(capacity: capacity)
        arrived = .allocate(capacity: capacity)
        target = .allocate(capacity: capacity)
        free = .allocate(capacity: capacity)
    }

    deinit {
        created.deallocate(); arrived.deallocate(); target.deallocate(); free.deallocate()
    }

    /// A part number for a part created now.
    @inline(__always)
    func create(at now: Double) -> Int32 {
        let p: Int32
        if freeCount > 0 {
            freeCount -= 1
            p = free[freeCount]
        } else {
            if count == capacity { grow() }
            p = Int32(count)
            count += 1
        }
        created[Int(p)] = now
        arrived[Int(p)] = now
        target[Int(p)] = -1
        return p
    }

    @inline(__always)
    func release(_ p: Int32) {
        free[freeCount] = p
        freeCount += 1
    }

    private func grow() {
        let n = capacity * 2
        created = created.grown(keeping: capacity, capacity: n)
        arrived = arrived.grown(keeping: capacity, capacity: n)
        target = target.grown(keeping: capacity, capacity: n)
        free = free.grown(keeping: capacity, capacity: n)
        capacity = n
    }
}
