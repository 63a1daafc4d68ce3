/// A FIFO ring buffer in memory it manages itself: O(1) at both ends, no allocation once grown,
/// and no copy-on-write check when it is mutated in place inside a `FixedArray` element.
/// The owner calls `free()` exactly once. (The core stays free of dependencies so other front
/// ends can embed it as it is.)
struct Ring<Element> {
    private var items: UnsafeMutablePointer<Element>
    // Narrow, so that a ring takes 24 bytes of its node's record.
    @Narrow<Int32> private var head: Int = 0
    @Narrow<Int32> private(set) var count: Int = 0
    @Narrow<Int32> private var mask: Int = 7

    init() { items = .allocate(capacity: 8) }

    var isEmpty: Bool { count == 0 }
    var first: Element? { count > 0 ? items[head] : nil }

    @inline(__always)
    mutating func append(_ x: Element) {
        if count > mask { grow() }
        (items + ((head + count) & mask)).initialize(to: x)
        count += 1
    }

    /// The element `i` places from the front.
    subscript(i: Int) -> Element { items[(head + i) & mask] }

    /// Appends `x`, then moves it forward past every element it goes `before`: the queue
    /// stays ordered, ties in arrival order. O(elements passed).
    mutating func insert(_ x: Element, before: (Element, Element) -> Bool) {
        append(x)
        var i = count - 1
        while i > 0 {
            let prev = (items + ((head + i - 1) & mask)), cur = (items + ((head + i) & mask))
            guard before(cur.pointee, prev.pointee) else { break }
            swap(&prev.pointee, &cur.pointee)
            i -= 1
        }
    }

    /// Removes the element `i` places from the front, keeping the others' order. O(i).
    mutating func remove(at i: Int) -> Element {
        var k = i
        while k > 0 {
            swap(&(items + ((head + k) & mask)).pointee, &(items + ((head + k - 1) & mask)).pointee)
            k -= 1
        }
        return removeFirst()
    }

    @inline(__always)
    mutating func removeFirst() -> Element {
        let x = (items + head).move()
        head = (head + 1) & mask
        count -= 1
        return x
    }

    @inline(never)
    private mutating func grow() {
        let capacity = 2 * (mask + 1)
        let bigger = UnsafeMutablePointer<Element>.allocate(capacity: capacity)
        for i in 0..<count { (bigger + i).initialize(to: (items + ((head + i) & mask)).move()) }
        items.deallocate()
        items = bigger
        head = 0
        mask = capacity - 1
    }

    /// Calls `body` with each element, first to last.
    func forEach(_ body: (Element) -> Void) {
        for i in 0..<count { body(items[(head + i) & mask]) }
    }

    func free() {
        for i in 0..<count { (items + ((head + i) & mask)).deinitialize(count: 1) }
        items.deallocate()
    }
}

/// A part waiting in a queue or buffer, and when it came: the time it waits is read where the
/// queue is, not in the part's own record, which in a large plant is in no cache.
struct QueuedPart {
    var arrived: Double
    var part: Int32

    init(part: Int32, arrived: Double) {
        self.part = part
        self.arrived = arrived
    }
}

/// The parts waiting in a queue or buffer, in order.
typealias PartQueue = Ring<QueuedPart>

/// A blocked entity waiting for room at a node, and the blocking sequence that was current
/// when it registered (a stale entry no longer matches and is skipped).
struct Waiter {
    var entity: Int32
    var seq: Int
}

/// A first-in, first-out list of plain values for the engine's slower paths (crew requests):
/// amortized O(1) at both ends.
struct FIFO<Element> {
    private var items: [Element] = []
    private var head = 0

    var count: Int { items.count - head }

    mutating func append(_ x: Element) { items.append(x) }

    mutating func popFirst() -> Element? {
        guard head < items.count else { return nil }
        let x = items[head]
        head += 1
        if head > 64 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        return x
    }
}
