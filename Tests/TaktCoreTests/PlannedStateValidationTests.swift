import XCTest
@testable import TaktCore

/// Shifts, planned stops and operators against exact results: a deterministic shift pattern
/// (exact counts), a saturated station with scrap, failures and count-based maintenance
/// (renewal-reward), and operators shared by saturated stations.
final class PlannedStateValidationTests: XCTestCase {
    let hour = 3600.0, week = 7 * 86_400.0

    func saturated(_ station: StationSpec, crews: [CrewSpec] = []) -> ModelSpec {
        var m = ModelSpec()
        m.crews = crews
        m.sources = [SourceSpec(name: "feed", interarrival: nil, saturated: true, routing: .next(.station(0)))]
        m.stations = [station]
        m.sinks = [SinkSpec(name: "done")]
        return m
    }

    /// Two shifts on weekdays (6h–14h, 14h–22h) and a night shift of Friday into Saturday:
    /// a 10-minute press makes 6 parts an hour on shift, and a part started at a shift's
    /// end waits for the next.
    func testADeterministicShiftPattern() throws {
        var s = StationSpec(name: "press", process: .constant(600), routing: .next(.sink(0)))
        s.shift = Shift([Shift.Part(from: 6 * hour, to: 14 * hour, days: Array(1...5)), Shift.Part(from: 14 * hour, to: 22 * hour, days: Array(1...5)),
                         Shift.Part(from: 22 * hour, to: 6 * hour, days: [5])])
        let m = saturated(s)
        XCTAssertNil(m.structuralProblem())
        let r = try Simulation.run(m, settings: RunSettingsCore(warmup: week, horizon: 4 * week, seed: 1), replications: 2).replications
        let onPerWeek = 5 * 16 + 8.0
        for x in r {
            XCTAssertEqual(x.stations[0].processed, 4 * onPerWeek * 6)
            XCTAssertEqual(x.stations[0].offShift, 1 - onPerWeek / 168, accuracy: 1e-12)
            XCTAssertEqual(x.stations[0].utilization, onPerWeek / 168, accuracy: 1e-12)
            XCTAssertEqual(x.cycleTime!, 600, accuracy: 1e-9)
        }
        // Five weekday spans; Friday night joins Friday's.
        XCTAssertEqual(s.shift!.spans.count, 5)
    }

    /// Per 50 parts: 50 min of processing, busy failures adding D/U of it down, and a 10-minute
    /// stop by the crew: every fraction is its share of the cycle. Scrapped parts count toward
    /// the 50.
    func testScrapFailuresAndCountBasedMaintenance() throws {
        var s = StationSpec(name: "m", process: .exponential(mean: 60), failures: [
            FailureSpec(name: "f", up: .exponential(mean: 3000), down: .exponential(mean: 300), clock: .busy),
        ], routing: .next(.sink(0)), scrap: 0.1)
        s.maintenance = [MaintenanceSpec(name: "pm", every: .parts(50), duration: .uniform(low: 300, high: 900), crew: 0)]
        let m = saturated(s, crews: [CrewSpec(name: "fitters", size: 1)])
        let r = try Simulation.run(m, settings: RunSettingsCore(warmup: 10_000, horizon: 2_000_000, seed: 7), replications: 6).replications
        let cycle = 50 * 60 * (1 + 300.0 / 3000) + 600
        assertNear(r.map { $0.stations[0].utilization }, 3000 / cycle, "processing")
        assertNear(r.map { $0.stations[0].down }, 300 / cycle, "down")
        assertNear(r.map { $0.stations[0].maintenance }, 600 / cycle, "maintenance")
        assertNear(r.map(\.throughput), 50 * 0.9 / cycle, "good parts")
        assertNear(r.map { $0.crews[0].utilization }, 600 / cycle, "fitter")
        for x in r {
            let st = x.stations[0]
            XCTAssertEqual(st.utilization + st.blocked + st.starved + st.down + st.setup + st.unstaffed + st.maintenance + st.offShift,
                           1, accuracy: 1e-9)
        }
    }

    /// Clock-based stops every 8 h for 30 min, from the end of the last: the server first
    /// finishes its part (exponential, so 1 min on average), so a cycle is 8 h + 1 min + 30 min.
    func testClockMaintenanceAfterTheCurrentPart() throws {
        var s = StationSpec(name: "m", process: .exponential(mean: 60), routing: .next(.sink(0)))
        s.maintenance = [MaintenanceSpec(name: "pm", every: .clock(8 * hour), duration: .constant(1800))]
        let r = try Simulation.run(saturated(s), settings: RunSettingsCore(warmup: 0, horizon: 4_000 * hour, seed: 3), replications: 6).replications
        assertNear(r.map { $0.stations[0].maintenance }, 1800 / (8 * hour + 60 + 1800), "maintenance")
    }

    /// A source on a weekday shift makes parts only then, its clock paused off shift: exactly
    /// 6 an hour for 40 hours a week. A crew on a day shift repairs only then: breakdowns at
    /// 2h every day wait for 8h, and each takes 30 min.
    func testSourcesAndCrewsOnShifts() throws {
        var m = ModelSpec()
        m.crews = [CrewSpec(name: "day", size: 1)]
        m.crews[0].shift = Shift([Shift.Part(from: 8 * hour, to: 16 * hour)])
        m.sources = [SourceSpec(name: "orders", interarrival: .constant(600), routing: .next(.station(0)))]
        m.sources[0].shift = Shift([Shift.Part(from: 6 * hour, to: 14 * hour, days: Array(1...5))])
        // Fails 2 h after each day starts: clock failures every 24 h, the first at 2h.
        m.stations = [StationSpec(name: "press", process: .constant(300), failures: [
            FailureSpec(name: "f", up: .constant(2 * hour), down: .constant(1800), clock: .clock, crew: 0),
        ], routing: .next(.sink(0)))]
        m.sinks = [SinkSpec(name: "done")]
        let r = try Simulation.run(m, settings: RunSettingsCore(warmup: 0, horizon: 4 * week, seed: 1), replications: 1).replications[0]
        XCTAssertEqual(r.sources[0].created, 4 * 40 * 6)
        // Down from 2h to 8h30 on day 1, then a new up time of 2h: 10h30 to 16h, then 18h to 8h30
        // next day... every repair waits for the fitter's shift, so the fitter works 30 min at
        // a time and never off shift.
        XCTAssertLessThanOrEqual(r.crews[0].utilization, 8.0 / 24 + 1e-9)
        XCTAssertGreaterThan(r.crews[0].wait!, 0)
    }

    /// Three saturated stations share two operators: a free operator goes to the oldest request,
    /// so with exponential processing the number staffed is always two: each station is
    /// processing two thirds of the time and unstaffed one third.
    func testOperatorsSharedByStations() throws {
        var m = ModelSpec()
        m.crews = [CrewSpec(name: "ops", size: 2)]
        m.sinks = [SinkSpec(name: "done")]
        for i in 0..<3 {
            m.sources.append(SourceSpec(name: "f\(i)", interarrival: nil, saturated: true, routing: .next(.station(i))))
            var s = StationSpec(name: "m\(i)", process: .exponential(mean: 60), routing: .next(.sink(0)))
            s.operatorCrew = 0
            m.stations.append(s)
        }
        let r = try Simulation.run(m, settings: RunSettingsCore(warmup: 1_000, horizon: 1_000_000, seed: 5), replications: 6).replications
        assertNear(r.map { ($0.stations.map(\.utilization).reduce(0, +)) / 3 }, 2.0 / 3, "processing")
        assertNear(r.map { ($0.stations.map(\.unstaffed).reduce(0, +)) / 3 }, 1.0 / 3, "unstaffed")
        assertNear(r.map { $0.crews[0].utilization }, 1, "operators busy")
        assertNear(r.map(\.throughput), 2.0 / 60, "throughput")
    }
}
