import XCTest
@testable import TaktCore

/// The index of the earliest of the pending events by (time, order): what the calendar must
/// hand out next.
private func earliest(_ pending: [(Double, UInt64)]) -> Int {
    pending.indices.min { pending[$0] < pending[$1] }!
}

final class EventCalendarTests: XCTestCase {
    /// Random schedules and pops, crossing between the heap and the calendar queue both ways,
    /// must come out in exactly (time, priority, sequence) order.
    func testOrderMatchesASortedReference() {
        var rng = RandomStream(seed: 5)
        let calendar = EventCalendar()
        var pending: [(time: Double, order: UInt64, target: Int32)] = []
        var now = 0.0
        var seq: UInt64 = 0
        var popped = 0
        // Grow past the calendar queue's threshold, then drain below the heap's, twice over.
        var growing = true
        var crossings = 0
        var sawBuckets = false
        while crossings < 4 {
            if growing && pending.count > 2 * EventCalendar.bucketsAbove || !growing && pending.count < EventCalendar.heapBelow / 2 {
                growing.toggle()
                crossings += 1
            }
            sawBuckets = sawBuckets || calendar.inBuckets
            let schedules = growing ? Int(rng.next() % 3) : Int(rng.next() % 2)
            for _ in 0..<schedules {
                // Ties on purpose: times on a coarse grid, several kinds.
                let t = now + Double(rng.next() % 50) * 0.25
                let kind = EventKind(rawValue: UInt8(rng.next() % 4))!
                let target = Int(rng.next() % 1000)
                calendar.schedule(time: t, kind: kind, target: target)
                pending.append((t, UInt64(kind.rawValue) << 56 | seq, Int32(target)))
                seq += 1
            }
            if growing && rng.next() % 3 != 0 { continue }
            guard let e = calendar.pop() else {
                XCTAssertTrue(pending.isEmpty)
                continue
            }
            let k = earliest(pending.map { ($0.time, $0.order) })
            XCTAssertEqual(e.time, pending[k].time)
            XCTAssertEqual(e.order, pending[k].order)
            XCTAssertEqual(e.target, pending[k].target)
            XCTAssertGreaterThanOrEqual(e.time, now)
            now = e.time
            pending.remove(at: k)
            popped += 1
        }
        while let e = calendar.pop() {
            let k = earliest(pending.map { ($0.time, $0.order) })
            XCTAssertEqual(e.order, pending[k].order)
            pending.remove(at: k)
            popped += 1
        }
        XCTAssertTrue(pending.isEmpty)
        XCTAssertTrue(sawBuckets)
        XCTAssertFalse(calendar.inBuckets)
        XCTAssertGreaterThan(popped, 10_000)
    }

    /// The heap compares times alone and turns to the order only where two times are equal:
    /// a heap of up to sixteen events (below any hand-over) on a grid of four instants, so
    /// that most comparisons tie, full groups of children and the last partial one alike.
    func testTiesInsideTheHeapComeOutByOrder() {
        var rng = RandomStream(seed: 9)
        let calendar = EventCalendar()
        var pending: [(time: Double, order: UInt64)] = []
        var seq: UInt64 = 0
        var now = 0.0
        var ties = 0
        for step in 0..<20_000 {
            let size = 1 + step / 200 % EventCalendar.bucketsAboveTied
            while pending.count < size {
                let t = now + Double(rng.next() % 4)
                let kind = EventKind(rawValue: UInt8(rng.next() % 4))!
                calendar.schedule(time: t, kind: kind, target: 0)
                pending.append((t, UInt64(kind.rawValue) << 56 | seq))
                seq += 1
            }
            XCTAssertFalse(calendar.inBuckets)
            let e = calendar.pop()!
            let k = earliest(pending.map { ($0.time, $0.order) })
            if pending.contains(where: { $0.time == e.time && $0.order != e.order }) { ties += 1 }
            XCTAssertEqual(e.time, pending[k].time)
            XCTAssertEqual(e.order, pending[k].order)
            now = e.time
            pending.remove(at: k)
        }
        XCTAssertGreaterThan(ties, 10_000)
    }

    /// A plant in step (constant times) puts thousands of events at one instant: they must still
    /// come out by priority, then in the order they were scheduled, also while more arrive.
    func testManyTiedEventsKeepTheirOrder() {
        var rng = RandomStream(seed: 9)
        let calendar = EventCalendar()
        var pending: [(time: Double, order: UInt64)] = []
        var seq: UInt64 = 0
        func add(_ t: Double) {
            let kind = EventKind(rawValue: UInt8(rng.next() % 4))!
            calendar.schedule(time: t, kind: kind, target: 0)
            pending.append((t, UInt64(kind.rawValue) << 56 | seq))
            seq += 1
        }
        for k in 0..<3_000 { add(Double(k % 3)) }
        var popped = 0
        while let e = calendar.pop() {
            let k = earliest(pending.map { ($0.time, $0.order) })
            XCTAssertEqual(e.time, pending[k].time)
            XCTAssertEqual(e.order, pending[k].order)
            if e.order != pending[k].order { break }
            pending.remove(at: k)
            popped += 1
            // Each handled event schedules one more at the next whole time, as a plant in step does.
            if popped < 6_000 { add(e.time + 1) }
        }
        XCTAssertTrue(pending.isEmpty)
        XCTAssertEqual(popped, 8_999)
    }

    /// The heap orders times by their bit patterns: that must agree with the numbers from
    /// subnormals to infinity, and a time of -0 must count as 0.
    func testTimesOrderAcrossMagnitudes() {
        let times: [Double] = [.infinity, 1e300, 3.5, 1, 1e-300, .leastNonzeroMagnitude, 0, -0.0, 2, .greatestFiniteMagnitude]
        let calendar = EventCalendar()
        for (k, t) in times.enumerated() { calendar.schedule(time: t, kind: .completion, target: k) }
        var popped: [Int32] = []
        while let e = calendar.pop() { popped.append(e.target) }
        // Ties (0 and -0) keep the order of scheduling.
        XCTAssertEqual(popped, [6, 7, 5, 4, 3, 8, 2, 1, 9, 0])
        // The same through the calendar queue and back to the heap: thousands of events at -0
        // and 0 all tie, so they come out in the order they were scheduled.
        let big = EventCalendar()
        for k in 0..<3_000 { big.schedule(time: k % 2 == 0 ? -0.0 : 0, kind: .completion, target: k) }
        XCTAssertTrue(big.inBuckets)
        var order: [Int32] = []
        while let e = big.pop() { order.append(e.target) }
        XCTAssertEqual(order, (0..<3_000).map(Int32.init))
    }

    /// Events tied in time move to the calendar queue early (a tie costs the heap a full
    /// sift-down); events spread in time stay in the heap up to its larger threshold.
    func testTiedEventsTakeTheCalendarQueueEarly() {
        let tied = EventCalendar(), spread = EventCalendar()
        var rng = RandomStream(seed: 3)
        for k in 0..<300 {
            tied.schedule(time: Double(k / 100), kind: .completion, target: k)
            spread.schedule(time: rng.uniform() * 100, kind: .completion, target: k)
        }
        XCTAssertTrue(tied.inBuckets)
        XCTAssertFalse(spread.inBuckets)
        var popped: [Int32] = []
        while let e = tied.pop() { popped.append(e.target) }
        XCTAssertEqual(popped, (0..<300).map(Int32.init))
        XCTAssertFalse(tied.inBuckets)
    }
}
