import Foundation
import XCTest
@testable import TaktCore

/// The core against results known exactly. Each check allows a few confidence half-widths
/// plus a small relative margin, so a wrong model fails and a right one passes with any seed.
final class ValidationTests: XCTestCase {
    func run(_ spec: ModelSpec, horizon: Double, warmup: Double, reps: Int = 8, jobs: Int? = nil, seed: UInt64 = 7) throws -> [ReplicationResult] {
        try Simulation.run(spec, settings: RunSettingsCore(warmup: warmup, horizon: horizon, seed: seed), replications: reps, jobs: jobs).replications
    }

    func assertNear(_ values: [Double], _ exact: Double, rel: Double = 0.02, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        guard let e = Estimate.of(observed: values) else { return XCTFail("no observations of \(what)", file: file, line: line) }
        let tolerance = 3 * (e.ci ?? 0) + rel * abs(exact) + 1e-9
        XCTAssertEqual(e.mean, exact, accuracy: tolerance, "\(what): \(e.mean) ± \(e.ci ?? 0) vs exact \(exact)", file: file, line: line)
    }

    func singleStation(lambda: Double, mu: Double, servers: Int) -> ModelSpec {
        var m = ModelSpec()
        m.sources = [SourceSpec(name: "arrivals", interarrival: .exponential(mean: 1 / lambda), routing: .next(.station(0)))]
        m.stations = [StationSpec(name: "m", servers: servers, process: .exponential(mean: 1 / mu), routing: .next(.sink(0)))]
        m.sinks = [SinkSpec(name: "done")]
        return m
    }

    func testMM1() throws {
        let lambda = 0.8, mu = 1.0, rho = lambda / mu
        let r = try run(singleStation(lambda: lambda, mu: mu, servers: 1), horizon: 200_000, warmup: 5_000)
        let lq = rho * rho / (1 - rho)
        assertNear(r.map { $0.stations[0].utilization }, rho, "utilization")
        assertNear(r.map { $0.stations[0].starved }, 1 - rho, "starved")
        assertNear(r.map { $0.stations[0].queue }, lq, rel: 0.05, "queue")
        assertNear(r.compactMap { $0.stations[0].wait }, lq / lambda, rel: 0.05, "wait")
        assertNear(r.map(\.wip), lq + rho, rel: 0.05, "wip")
        assertNear(r.compactMap(\.cycleTime), 1 / (mu - lambda), rel: 0.05, "cycle time")
        assertNear(r.map(\.throughput), lambda, rel: 0.01, "throughput")
    }

    /// Erlang C for the probability of waiting in M/M/c.
    func erlangC(c: Int, a: Double) -> Double {
        var term = 1.0, sum = 1.0
        for k in 1..<c {
            term *= a / Double(k)
            sum += term
        }
        let last = term * a / Double(c) * Double(c) / (Double(c) - a)
        return last / (sum + last)
    }

    func testMMcErlangC() throws {
        let c = 3, lambda = 2.4, mu = 1.0
        let a = lambda / mu, rho = a / Double(c)
        let pw = erlangC(c: c, a: a)
        let lq = pw * rho / (1 - rho)
        let r = try run(singleStation(lambda: lambda, mu: mu, servers: c), horizon: 100_000, warmup: 5_000)
        assertNear(r.map { $0.stations[0].utilization }, rho, "utilization")
        assertNear(r.map { $0.stations[0].queue }, lq, rel: 0.05, "queue")
        assertNear(r.compactMap { $0.stations[0].wait }, lq / lambda, rel: 0.05, "wait")
        assertNear(r.map(\.wip), lq + a, rel: 0.04, "wip")
        assertNear(r.compactMap(\.cycleTime), lq / lambda + 1 / mu, rel: 0.04, "cycle time")
    }

    /// Two stations with a rework loop: a Jackson network, so each is M/M/1 at the total rate.
    func testJacksonNetworkWithRework() throws {
        let lambda = 0.5, muA = 1.0, muB = 0.8, pBack = 0.25
        let total = lambda / (1 - pBack)
        var m = ModelSpec()
        m.sources = [SourceSpec(name: "jobs", interarrival: .exponential(mean: 1 / lambda), routing: .next(.station(0)))]
        m.stations = [
            StationSpec(name: "a", process: .exponential(mean: 1 / muA), routing: .next(.station(1))),
            StationSpec(name: "b", process: .exponential(mean: 1 / muB), routing: .split([1 - pBack, pBack], [.sink(0), .station(0)])),
        ]
        m.sinks = [SinkSpec(name: "done")]
        let r = try run(m, horizon: 200_000, warmup: 5_000)
        let ra = total / muA, rb = total / muB
        let l = ra / (1 - ra) + rb / (1 - rb)
        assertNear(r.map { $0.stations[0].utilization }, ra, "utilization a")
        assertNear(r.map { $0.stations[1].utilization }, rb, "utilization b")
        assertNear(r.map(\.wip), l, rel: 0.05, "wip")
        assertNear(r.map(\.throughput), lambda, rel: 0.01, "throughput")
        assertNear(r.compactMap(\.cycleTime), l / lambda, rel: 0.05, "cycle time")
        assertNear(r.compactMap { $0.stations[0].wait }, (ra / (1 - ra)) / total - 1 / muA, rel: 0.06, "wait a (rework visits included)")
    }

    /// A saturated machine, a finite buffer, a second machine: a birth-death chain on the
    /// parts between them (n = 0 ... K + 2, the last with the first machine blocked).
    func finiteBufferLine(k: Int, mu1: Double, mu2: Double) throws {
        var m = ModelSpec()
        m.sources = [SourceSpec(name: "raw", interarrival: nil, saturated: true, routing: .next(.station(0)))]
        m.stations = [
            StationSpec(name: "m1", process: .exponential(mean: 1 / mu1), routing: .next(.buffer(0))),
            StationSpec(name: "m2", process: .exponential(mean: 1 / mu2), routing: .next(.sink(0))),
        ]
        m.buffers = [BufferSpec(name: "b", capacity: k, routing: .next(.station(1)))]
        m.sinks = [SinkSpec(name: "done")]
        let r = try run(m, horizon: 100_000, warmup: 2_000)
        let states = k + 3
        var p = (0..<states).map { pow(mu1 / mu2, Double($0)) }
        let total = p.reduce(0, +)
        p = p.map { $0 / total }
        let level = (1..<states).reduce(0.0) { $0 + Double(min($1 - 1, k)) * p[$1] }
        assertNear(r.map(\.throughput), mu2 * (1 - p[0]), rel: 0.01, "throughput K=\(k)")
        assertNear(r.map { $0.stations[0].blocked }, p[states - 1], rel: 0.03, "m1 blocked K=\(k)")
        assertNear(r.map { $0.stations[1].starved }, p[0], rel: 0.03, "m2 starved K=\(k)")
        assertNear(r.map { $0.buffers[0].level }, level, rel: 0.03, "buffer level K=\(k)")
        assertNear(r.map { $0.stations[0].utilization }, 1 - p[states - 1], rel: 0.01, "m1 utilization K=\(k)")
    }

    func testFiniteBufferLineAgainstMarkovChain() throws {
        try finiteBufferLine(k: 2, mu1: 1.0, mu2: 0.9)
        try finiteBufferLine(k: 0, mu1: 1.0, mu2: 1.0)
        try finiteBufferLine(k: 5, mu1: 0.8, mu2: 1.0)
    }

    func saturatedMachine(_ failure: FailureSpec, process: Distribution) -> ModelSpec {
        var m = ModelSpec()
        m.sources = [SourceSpec(name: "raw", interarrival: nil, saturated: true, routing: .next(.station(0)))]
        m.stations = [StationSpec(name: "m", process: process, failures: [failure], routing: .next(.sink(0)))]
        m.sinks = [SinkSpec(name: "done")]
        return m
    }

    func testBusyTimeFailuresGiveAvailabilityTimesRate() throws {
        let mttf = 100.0, mttr = 10.0
        let m = saturatedMachine(FailureSpec(name: "f", up: .exponential(mean: mttf), down: .exponential(mean: mttr), clock: .busy),
                                 process: .exponential(mean: 1))
        let r = try run(m, horizon: 200_000, warmup: 1_000)
        let a = mttf / (mttf + mttr)
        assertNear(r.map(\.throughput), a * 1.0, rel: 0.01, "throughput")
        assertNear(r.map { $0.stations[0].down }, 1 - a, rel: 0.03, "down")
        assertNear(r.map { $0.stations[0].utilization }, a, rel: 0.01, "utilization")
    }

    func testClockTimeFailures() throws {
        let mttf = 50.0, mttr = 5.0
        let m = saturatedMachine(FailureSpec(name: "f", up: .exponential(mean: mttf), down: .exponential(mean: mttr), clock: .clock),
                                 process: .exponential(mean: 2))
        let r = try run(m, horizon: 200_000, warmup: 1_000)
        let a = mttf / (mttf + mttr)
        assertNear(r.map { $0.stations[0].down }, 1 - a, rel: 0.03, "down")
        assertNear(r.map(\.throughput), a / 2, rel: 0.01, "throughput")
    }

    /// Ten constant one-minute parts, then a constant five-minute repair: exactly 10 parts per 15 minutes.
    func testPartCountFailuresAreExact() throws {
        let m = saturatedMachine(FailureSpec(name: "f", up: nil, down: .constant(5), clock: .parts(10)), process: .constant(1))
        let r = try run(m, horizon: 15_000, warmup: 0, reps: 2)
        XCTAssertEqual(r[0].throughput, 10.0 / 15.0, accuracy: 1e-3)
        XCTAssertEqual(r[0].stations[0].down, 5.0 / 15.0, accuracy: 1e-3)
    }

    /// Two modes by parts: each counts the parts completed since its own last repair, and one
    /// falling due while the other is under repair waits its turn (docs/model.md). A
    /// step-by-step reference of that rule gives the exact count of parts.
    func testTwoPartCountModesCountSinceTheirOwnRepair() throws {
        var m = saturatedMachine(FailureSpec(name: "a", up: nil, down: .constant(10), clock: .parts(3)), process: .constant(1))
        m.stations[0].failures.append(FailureSpec(name: "b", up: nil, down: .constant(7), clock: .parts(5)))
        let horizon = 1_000.0
        var t = 0.0, sinceA = 0, sinceB = 0, done = 0.0, downTime = 0.0
        while true {
            t += 1
            if t > horizon { break }
            done += 1
            sinceA += 1
            sinceB += 1
            let dueA = sinceA >= 3, dueB = sinceB >= 5
            if dueA { downTime += min(10, horizon - t); t += 10; sinceA = 0 }
            if dueB { downTime += max(0, min(7, horizon - t)); t += 7; sinceB = 0 }
        }
        let r = try run(m, horizon: horizon, warmup: 0, reps: 1)
        XCTAssertEqual(r[0].stations[0].processed, done)
        XCTAssertEqual(r[0].stations[0].down, downTime / horizon, accuracy: 1e-9)
        // Had mode b counted since any repair, it would never reach 5 parts: a repair of a every 3.
        XCTAssertLessThan(done, horizon * 3 / 13)
    }

    func testStateFractionsSumToOneAndLittlesLawHolds() throws {
        var m = ModelSpec()
        let fail = FailureSpec(name: "f", up: .exponential(mean: 80), down: .exponential(mean: 8), clock: .busy)
        m.sources = [SourceSpec(name: "raw", interarrival: nil, saturated: true, routing: .next(.station(0)))]
        m.stations = [
            StationSpec(name: "m1", process: .exponential(mean: 1), failures: [fail], routing: .next(.buffer(0))),
            StationSpec(name: "m2", servers: 2, process: .uniform(low: 1, high: 2.5), failures: [fail], routing: .next(.buffer(1))),
            StationSpec(name: "m3", process: .triangular(low: 0.5, mode: 1, high: 1.2), failures: [fail], routing: .next(.sink(0))),
        ]
        m.buffers = [BufferSpec(name: "b1", capacity: 3, routing: .next(.station(1))),
                     BufferSpec(name: "b2", capacity: 2, routing: .next(.station(2)))]
        m.sinks = [SinkSpec(name: "done")]
        let r = try run(m, horizon: 50_000, warmup: 1_000, reps: 4)
        for rep in r {
            for s in rep.stations {
                XCTAssertEqual(s.utilization + s.blocked + s.starved + s.down, 1, accuracy: 1e-9)
            }
            XCTAssertEqual(rep.wip, rep.throughput * rep.cycleTime!, accuracy: 0.02 * rep.wip)
        }
    }

    func testSameSeedSameResultsWhateverTheWorkers() throws {
        let m = singleStation(lambda: 0.9, mu: 1, servers: 1)
        let one = try run(m, horizon: 20_000, warmup: 100, reps: 6, jobs: 1)
        let two = try run(m, horizon: 20_000, warmup: 100, reps: 6, jobs: 2)
        XCTAssertEqual(one.map(\.wip), two.map(\.wip))
        XCTAssertEqual(one.map(\.throughput), two.map(\.throughput))
        let other = try run(m, horizon: 20_000, warmup: 100, reps: 6, jobs: 2, seed: 8)
        XCTAssertNotEqual(one.map(\.wip), other.map(\.wip))
    }

    func testWarmupRemovesInitialBias() throws {
        // Starting empty, a heavily loaded queue needs time to fill; a short run without warm-up
        // underestimates its WIP, and a warm-up brings the estimate back.
        let m = singleStation(lambda: 0.95, mu: 1, servers: 1)
        let exact = 0.95 / 0.05
        let cold = try run(m, horizon: 1_000, warmup: 0, reps: 40)
        let warm = try run(m, horizon: 1_000, warmup: 20_000, reps: 40)
        let coldMean = cold.map(\.wip).reduce(0, +) / 40
        let warmMean = warm.map(\.wip).reduce(0, +) / 40
        XCTAssertLessThan(coldMean, 0.8 * exact)
        XCTAssertLessThan(abs(warmMean - exact), abs(coldMean - exact))
    }

    func testStudentT() {
        XCTAssertEqual(StudentT.quantile975(degreesOfFreedom: 9), 2.262157163, accuracy: 1e-9)
        XCTAssertEqual(StudentT.quantile975(degreesOfFreedom: 40), 2.021075390, accuracy: 1e-6)
        XCTAssertEqual(StudentT.quantile975(degreesOfFreedom: 120), 1.979930405, accuracy: 1e-6)
        let e = Estimate.of(observed: [1, 2, 3, 4])!
        XCTAssertEqual(e.mean, 2.5)
        XCTAssertEqual(e.ci!, 3.182446305 * (1.6666666666666667 / 4).squareRoot(), accuracy: 1e-9)
        XCTAssertNil(Estimate.of(observed: [5])!.ci)
        XCTAssertNil(Estimate.of([nil, nil]))
    }

    /// The observation window on a deterministic queue, against closed forms: part k (from 1)
    /// arrives at 2k, starts at 2.5k - 0.5 and leaves at 2.5k + 2 (one server, 2.5 per part).
    /// Statistics restart once at the end of the warm-up; events exactly at the window's start
    /// or end count (4.5 and 14.5 are such times below).
    func testWindowIsExactOnADeterministicQueue() throws {
        var m = ModelSpec()
        m.sources = [SourceSpec(name: "in", interarrival: .constant(2), routing: .next(.station(0)))]
        m.stations = [StationSpec(name: "m", process: .constant(2.5), routing: .next(.sink(0)))]
        m.sinks = [SinkSpec(name: "out")]
        // The same queue held in a buffer before the station instead.
        var buffered = m
        buffered.sources[0].routing = .next(.buffer(0))
        buffered.buffers = [BufferSpec(name: "b", capacity: nil, routing: .next(.station(0)))]
        let parts = Array(1...20)
        func arrival(_ k: Int) -> Double { 2 * Double(k) }
        func start(_ k: Int) -> Double { 2.5 * Double(k) - 0.5 }
        func leave(_ k: Int) -> Double { 2.5 * Double(k) + 2 }
        func count(_ times: (Int) -> Double, upTo t: Double) -> Double {
            Double(parts.filter { times($0) <= t }.count)
        }
        func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }
        for warmup in [3.3, 4.5, 8.3] {
            let end = warmup + 10
            let r = try run(m, horizon: 10, warmup: warmup, reps: 1)[0]
            let starts = parts.filter { start($0) >= warmup && start($0) <= end }
            let leaves = parts.filter { leave($0) >= warmup && leave($0) <= end }
            // Piecewise-constant integrals over the window, between consecutive change points.
            var changes: [Double] = [warmup, end]
            for k in parts {
                for t in [arrival(k), start(k), leave(k)] where t > warmup && t < end { changes.append(t) }
            }
            changes.sort()
            var queueArea = 0.0, wipArea = 0.0
            for (a, b) in zip(changes, changes.dropFirst()) {
                let mid = (a + b) / 2
                let waiting: Double = count(arrival, upTo: mid) - count(start, upTo: mid)
                let inPlant: Double = count(arrival, upTo: mid) - count(leave, upTo: mid)
                queueArea += waiting * (b - a)
                wipArea += inPlant * (b - a)
            }
            let what = "warm-up \(warmup)"
            let station = r.stations[0]
            XCTAssertEqual(station.utilization, 1, accuracy: 1e-12, what)
            XCTAssertEqual(station.processed, Double(leaves.count), what)
            XCTAssertEqual(station.wait ?? -1, mean(starts.map { start($0) - arrival($0) }), accuracy: 1e-9, what)
            XCTAssertEqual(station.queue, queueArea / 10, accuracy: 1e-9, what)
            XCTAssertEqual(r.wip, wipArea / 10, accuracy: 1e-9, what)
            XCTAssertEqual(r.sinks[0].count, Double(leaves.count), what)
            XCTAssertEqual(r.cycleTime ?? -1, mean(leaves.map { leave($0) - arrival($0) }), accuracy: 1e-9, what)
            let b = try run(buffered, horizon: 10, warmup: warmup, reps: 1)[0]
            XCTAssertEqual(b.buffers[0].level, queueArea / 10, accuracy: 1e-9, what)
            XCTAssertEqual(b.stations[0].wait ?? -1, station.wait ?? -2, accuracy: 1e-9, what)
            XCTAssertEqual(b.wip, r.wip, accuracy: 1e-9, what)
        }
    }
}
