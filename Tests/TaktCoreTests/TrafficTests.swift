import XCTest
@testable import TaktCore

/// The traffic equations and loop checks behind the model warnings, on plants whose rates are
/// known by hand.
final class TrafficTests: XCTestCase {
    let minute = 60.0

    /// The four-station Jackson network of Benchmarks/optimizer: 4/min in, 10% of d reworked.
    func jackson(servers: [Int]) -> ModelSpec {
        var m = ModelSpec()
        m.sources = [SourceSpec(name: "in", interarrival: .exponential(mean: 0.25 * minute), routing: .next(.station(0)))]
        let means = [0.5, 1.0, 1.5, 0.4]
        let routes: [Routing] = [.split([0.6, 0.4], [.station(1), .station(2)]), .next(.station(3)), .next(.station(3)),
                                 .split([0.9, 0.1], [.sink(0), .station(0)])]
        for k in 0..<4 {
            m.stations.append(StationSpec(name: "s\(k)", servers: servers[k], process: .exponential(mean: means[k] * minute), routing: routes[k]))
        }
        m.sinks = [SinkSpec(name: "done")]
        return m
    }

    func testArrivalRatesSolveTheTrafficEquations() {
        let rates = jackson(servers: [3, 4, 4, 3]).arrivalRates().map { $0 * minute }
        let a = 4 / 0.9
        XCTAssertEqual(rates[1], a, accuracy: 1e-9)
        XCTAssertEqual(rates[2], 0.6 * a, accuracy: 1e-9)
        XCTAssertEqual(rates[3], 0.4 * a, accuracy: 1e-9)
        XCTAssertEqual(rates[4], a, accuracy: 1e-9)
        XCTAssertEqual(jackson(servers: [3, 4, 4, 3]).overloads(), [])
    }

    func testAnOverloadedStationIsFoundAndPassesOnItsCapacity() {
        // c with 2 servers of 1.5 min can process 1.333/min but is offered 1.778/min; d then
        // gets b's 2.667/min and c's capacity.
        let spec = jackson(servers: [3, 4, 2, 3])
        let o = spec.overloads()
        XCTAssertEqual(o.map(\.stations), [[2]])
        XCTAssertEqual(o[0].capacity * minute, 2 / 1.5, accuracy: 1e-9)
        XCTAssertGreaterThan(o[0].offered * minute, 1.7)
    }

    func testSaturatedSourcesDoNotWarnAndFiniteRoomDoesNot() {
        var m = ModelSpec()
        m.sources = [SourceSpec(name: "raw", interarrival: nil, saturated: true, routing: .next(.station(0)))]
        m.stations = [StationSpec(name: "m1", process: .exponential(mean: minute), routing: .next(.buffer(0))),
                      StationSpec(name: "m2", process: .exponential(mean: 1.1 * minute), routing: .next(.sink(0)))]
        m.buffers = [BufferSpec(name: "b1", capacity: 5, routing: .next(.station(1)))]
        m.sinks = [SinkSpec(name: "done")]
        XCTAssertEqual(m.overloads(), [], "m2 is slower, but its buffer is finite")
        m.buffers[0].capacity = nil
        XCTAssertEqual(m.overloads().map(\.stations), [[1]], "an unlimited buffer lets its queue grow")
    }

    func testRulesPoolTheirDestinations() {
        var m = ModelSpec()
        m.sources = [SourceSpec(name: "jobs", interarrival: .exponential(mean: 0.5 * minute), routing: .rule(.shortestQueue, [.station(0), .station(1)]))]
        m.stations = [StationSpec(name: "fast", process: .exponential(mean: minute), routing: .next(.sink(0))),
                      StationSpec(name: "slow", process: .exponential(mean: 2 * minute), routing: .next(.sink(0)))]
        m.sinks = [SinkSpec(name: "done")]
        let o = m.overloads()
        XCTAssertEqual(o.map(\.stations), [[0, 1]])
        XCTAssertEqual(o.first?.pooledBy, .source(0))
        XCTAssertEqual((o.first?.capacity ?? 0) * minute, 1.5, accuracy: 1e-9)
        m.sources[0].interarrival = .exponential(mean: minute)
        XCTAssertEqual(m.overloads(), [], "1/min against 1.5/min pooled")
    }

    func testFailuresTakeCapacity() {
        var m = jackson(servers: [3, 4, 4, 3])
        m.stations[0].failures = [FailureSpec(name: "f", up: .exponential(mean: 90 * minute), down: .exponential(mean: 10 * minute), clock: .clock)]
        XCTAssertEqual(m.capacity(ofStation: 0) * minute, 3 / 0.5 * 0.9, accuracy: 1e-9)
        m.stations[0].failures = [FailureSpec(name: "f", up: nil, down: .constant(5 * minute), clock: .parts(10))]
        XCTAssertEqual(m.capacity(ofStation: 0) * minute, 3 / (0.5 + 0.5), accuracy: 1e-9)
    }

    func testFiniteLoopsAreFound() {
        var m = ModelSpec()
        m.sources = [SourceSpec(name: "raw", interarrival: .exponential(mean: 3 * minute), routing: .next(.buffer(0)))]
        m.buffers = [BufferSpec(name: "queue", capacity: 3, routing: .next(.station(0))),
                     BufferSpec(name: "rework", capacity: 2, routing: .next(.buffer(0)))]
        m.stations = [StationSpec(name: "weld", process: .exponential(mean: minute), routing: .next(.station(1))),
                      StationSpec(name: "inspect", process: .exponential(mean: 0.5 * minute), queueCapacity: 2,
                                  routing: .split([0.9, 0.1], [.sink(0), .buffer(1)]))]
        m.sinks = [SinkSpec(name: "done")]
        XCTAssertEqual(m.finiteLoops(), [[.station(0), .station(1), .buffer(1), .buffer(0)]])
        m.buffers[1].capacity = nil
        XCTAssertEqual(m.finiteLoops(), [], "an unlimited buffer on the loop cannot fill")
    }
}
