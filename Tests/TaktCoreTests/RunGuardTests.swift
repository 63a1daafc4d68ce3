import XCTest
@testable import TaktCore

/// A run that cannot end well ends early with a reason naming the element, never by the
/// allocator aborting or by spinning forever.
final class RunGuardTests: XCTestCase {
    private func line(every: Distribution, process: Distribution = .constant(60), buffered: Bool = false) -> ModelSpec {
        var m = ModelSpec()
        m.sources = [SourceSpec(name: "jobs", interarrival: every, routing: .next(buffered ? .buffer(0) : .station(0)))]
        if buffered { m.buffers = [BufferSpec(name: "b", capacity: nil, routing: .next(.station(0)))] }
        m.stations = [StationSpec(name: "m1", process: process, routing: .next(.sink(0)))]
        m.sinks = [SinkSpec(name: "done")]
        return m
    }

    private func error(_ m: ModelSpec, _ settings: RunSettingsCore) -> SimulationError? {
        do {
            _ = try Simulation.run(m, settings: settings, replications: 2, jobs: 2)
            return nil
        } catch let e as SimulationError {
            return e
        } catch {
            return .cancelled
        }
    }

    func testPartsPilingUpInAQueueStopAtTheLimit() {
        let settings = RunSettingsCore(warmup: 0, horizon: 600, seed: 1, maxParts: 5_000)
        guard case .tooManyParts(let t, let element, let held, let entered)? = error(line(every: .constant(0.01)), settings) else {
            return XCTFail("expected tooManyParts")
        }
        // Halted at the part past the limit: 5,000 waiting and one in service.
        XCTAssertEqual(element, .station(0))
        XCTAssertEqual(held, 5_000)
        XCTAssertEqual(entered, 5_001)
        XCTAssertEqual(t, 50.01, accuracy: 1e-9)       // the 5,001st arrival, one every 0.01 s
    }

    func testPartsPilingUpInABufferNameTheBuffer() {
        let settings = RunSettingsCore(warmup: 0, horizon: 600, seed: 1, maxParts: 2_000)
        guard case .tooManyParts(_, let element, let held, _)? = error(line(every: .exponential(mean: 0.01), buffered: true), settings) else {
            return XCTFail("expected tooManyParts")
        }
        XCTAssertEqual(element, .buffer(0))
        XCTAssertEqual(held, 2_000)
    }

    func testAStablePlantNeverMeetsTheLimit() {
        let settings = RunSettingsCore(warmup: 0, horizon: 100_000, seed: 1, maxParts: 50)
        XCTAssertNil(error(line(every: .exponential(mean: 100), process: .exponential(mean: 50)), settings))
    }

    func testTimeThatStopsAdvancingIsARunaway() {
        // Interarrival times of the smallest double: every event at its own instant, yet time stands still.
        let settings = RunSettingsCore(warmup: 0, horizon: 60, seed: 1, stallTolerance: 1e-9 * 60)
        guard case .runaway(_, let element)? = error(line(every: .constant(.leastNonzeroMagnitude)), settings) else {
            return XCTFail("expected runaway")
        }
        XCTAssertEqual(element, .source(0))
    }

    func testFailuresWithoutDurationAreARunawayAtTheirStation() {
        var m = line(every: .constant(60))
        m.stations[0].failures = [FailureSpec(name: "f", up: .constant(.leastNonzeroMagnitude), down: .constant(.leastNonzeroMagnitude), clock: .clock)]
        let settings = RunSettingsCore(warmup: 0, horizon: 60, seed: 1, stallTolerance: 1e-9 * 60)
        guard case .runaway(_, let element)? = error(m, settings) else { return XCTFail("expected runaway") }
        XCTAssertEqual(element, .station(0))
    }

    func testTheMemoryEstimateGrowsWithServersAndFailureModes() {
        var m = line(every: .constant(1))
        let small = MemoryBudget.bytesPerReplication(m)
        m.stations[0].servers = 1_000_000
        let large = MemoryBudget.bytesPerReplication(m)
        m.stations[0].failures = [FailureSpec(name: "f", up: .exponential(mean: 9), down: .constant(1), clock: .busy)]
        let withFailures = MemoryBudget.bytesPerReplication(m)
        XCTAssertGreaterThan(large, small + 64 * 1_000_000)
        XCTAssertGreaterThan(withFailures, large + 100 * 1_000_000)
        XCTAssertGreaterThan(MemoryBudget.available(reservingStacks: 0), 0)
    }
}
