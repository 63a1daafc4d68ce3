import XCTest
@testable import TaktCore

/// Batches: exact counts and waits in deterministic plants, and the parts accounted for.
final class BatchValidationTests: XCTestCase {
    /// Parts every minute, batches of 10 baked for 8 minutes: the k-th part of a batch waits
    /// 10 − k minutes for the batch to fill, so waits average 4.5 min and cycle times 12.5.
    func testABatchGathersThenProcessesTogether() throws {
        var m = ModelSpec()
        m.sources = [SourceSpec(name: "s", interarrival: .constant(60), routing: .next(.station(0)))]
        var oven = StationSpec(name: "oven", process: .constant(480), routing: .next(.sink(0)))
        oven.batch = 10
        m.stations = [oven]
        m.sinks = [SinkSpec(name: "done")]
        XCTAssertNil(m.structuralProblem())
        // The window starts just after a batch left (a multiple of 10 arrivals) and spans 100 batches.
        let r = try Simulation.run(m, settings: RunSettingsCore(warmup: 600 * 10 + 30, horizon: 600 * 100, seed: 1), replications: 1)
            .replications[0]
        XCTAssertEqual(r.stations[0].processed, 1000)
        XCTAssertEqual(r.stations[0].wait!, 270, accuracy: 1e-9)
        XCTAssertEqual(r.cycleTime!, 750, accuracy: 1e-9)
        XCTAssertEqual(r.stations[0].utilization, 0.8, accuracy: 1e-9)
    }

    /// A saturated source fills a batch at once; members leave one by one into a buffer of 3
    /// before a one-minute station, so the oven stays blocked until the last has left.
    func testMembersLeaveOneByOneAndBlockTheServer() throws {
        var m = ModelSpec()
        m.sources = [SourceSpec(name: "s", interarrival: nil, saturated: true, routing: .next(.station(0)))]
        var oven = StationSpec(name: "oven", process: .constant(300), routing: .next(.buffer(0)))
        oven.batch = 5
        m.stations = [oven, StationSpec(name: "pack", process: .constant(60), routing: .next(.sink(0)))]
        m.buffers = [BufferSpec(name: "b", capacity: 3, routing: .next(.station(1)))]
        m.sinks = [SinkSpec(name: "done")]
        // A cycle: 5 min baking, then the 5 members go on (1 at once onto pack, 3 into the
        // buffer, the 5th after a minute): the oven is blocked 1 min of every 6.
        let r = try Simulation.run(m, settings: RunSettingsCore(warmup: 3600, horizon: 360 * 100, seed: 1), replications: 1).replications[0]
        XCTAssertEqual(r.stations[0].utilization, 5.0 / 6, accuracy: 1e-9)
        XCTAssertEqual(r.stations[0].blocked, 1.0 / 6, accuracy: 1e-9)
        // One part more or less at the window's edges.
        XCTAssertEqual(r.throughput, 5.0 / 360, accuracy: 1.5 / (360 * 100))
        XCTAssertEqual(Double(r.partsAtStart + r.partsCreated - r.partsAtEnd), r.sinks[0].count)
    }
}
