import XCTest
@testable import TaktCore

/// A spec from another front end that the engine cannot run safely is refused before it runs,
/// with a reason, never a trap.
final class StructuralCheckTests: XCTestCase {
    private func plant(_ change: (inout ModelSpec) -> Void) -> ModelSpec {
        var m = ModelSpec()
        m.sources = [SourceSpec(name: "in", interarrival: .exponential(mean: 1), routing: .next(.buffer(0)))]
        m.buffers = [BufferSpec(name: "b", capacity: 3, routing: .next(.station(0)))]
        m.stations = [StationSpec(name: "m", process: .exponential(mean: 0.5), routing: .next(.sink(0)))]
        m.sinks = [SinkSpec(name: "out")]
        change(&m)
        return m
    }

    private func refusal(_ m: ModelSpec) -> String? {
        let settings = RunSettingsCore(warmup: 0, horizon: 100, seed: 1)
        do {
            _ = try Simulation.run(m, settings: settings, replications: 2)
            return nil
        } catch SimulationError.invalidModel(let why) {
            return why
        } catch {
            return "unexpected \(error)"
        }
    }

    func testAValidPlantRuns() {
        XCTAssertNil(plant { _ in }.structuralProblem())
        XCTAssertNil(refusal(plant { _ in }))
        // Right at the limit of servers, counting each failure mode, the check lets it pass.
        XCTAssertNil(plant {
            $0.stations[0].servers = ModelSpec.maxServerSlots / 2
            $0.stations[0].failures = (0..<2).map { FailureSpec(name: "f\($0)", up: .exponential(mean: 9), down: .constant(1), clock: .busy) }
        }.structuralProblem())
    }

    func testEachStructuralFaultIsRefusedWithItsReason() {
        let cases: [(String, (inout ModelSpec) -> Void)] = [
            ("station #4 does not exist", { $0.buffers[0].routing = .next(.station(4)) }),
            ("sink #1 does not exist", { $0.stations[0].routing = .rule(.random, [.sink(0), .sink(1)]) }),
            ("buffer #-1 does not exist", { $0.sources[0].routing = .next(.buffer(-1)) }),
            ("a source cannot take parts", { $0.stations[0].routing = .next(.source(0)) }),
            ("one weight per destination", { $0.stations[0].routing = .split([1], [.sink(0), .sink(0)]) }),
            ("split weights must be >= 0", { $0.stations[0].routing = .split([-1, 2], [.sink(0), .sink(0)]) }),
            ("at least one destination", { $0.stations[0].routing = .rule(.firstAvailable, []) }),
            ("at least one server", { $0.stations[0].servers = 0 }),
            ("queue capacity must be >= 0", { $0.stations[0].queueCapacity = -2 }),
            ("the capacity must be >= 0", { $0.buffers[0].capacity = -1 }),
            ("the limit must be >= 0", { $0.sources[0].limit = -5 }),
            ("empirical needs at least one value", { $0.stations[0].process = .empirical([]) }),
            ("the mean must be > 0", { $0.sources[0].interarrival = .exponential(mean: -1) }),
            ("low must be <= high", { $0.stations[0].process = .uniform(low: 3, high: 1) }),
            ("the part count must be >= 1", {
                $0.stations[0].failures = [FailureSpec(name: "f", up: nil, down: .constant(1), clock: .parts(0))]
            }),
            ("the sd must be >= 0", {
                $0.stations[0].failures = [FailureSpec(name: "f", up: .exponential(mean: 9), down: .normal(mean: 1, sd: -1), clock: .busy)]
            }),
            ("a saturated source feeds one station", { $0.sources[0].saturated = true }),
            // A size that would ask for gigabytes: refused before anything is allocated.
            ("too many servers", { $0.stations[0].servers = 1_000_000_000 }),
            ("too many servers", {
                $0.stations[0].servers = 4_000_000
                $0.stations[0].failures = (0..<3).map { FailureSpec(name: "f\($0)", up: .exponential(mean: 9), down: .constant(1), clock: .busy) }
            }),
        ]
        for (expected, change) in cases {
            let why = refusal(plant(change))
            XCTAssertTrue(why?.contains(expected) ?? false, "expected '\(expected)', got \(why ?? "a run")")
        }
    }
}
