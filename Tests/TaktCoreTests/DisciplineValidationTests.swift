import XCTest
@testable import TaktCore

/// Queue disciplines against exact results for an M/M/1 queue (service exponential with mean
/// 1, arrivals at rate λ): two priority classes (Cobham's formula), LIFO (the same mean wait as
/// FIFO, being work-conserving and blind to service times), and shortest processing time
/// first (the non-preemptive shortest-job-first formula, integrated numerically).
final class DisciplineValidationTests: XCTestCase {
    func queue(_ discipline: Discipline, lambda: Double, mix: [TypeShare] = [], types: [PartTypeSpec] = [], viaBuffer: Bool = false) -> ModelSpec {
        var m = ModelSpec()
        m.partTypes = types
        let first: NodeRef = viaBuffer ? .buffer(0) : .station(0)
        m.sources = [SourceSpec(name: "arrivals", interarrival: .exponential(mean: 1 / lambda), routing: .next(first), mix: mix)]
        var station = StationSpec(name: "server", process: .exponential(mean: 1), routing: .next(.sink(0)))
        if viaBuffer {
            var b = BufferSpec(name: "waiting", capacity: nil, routing: .next(.station(0)))
            b.discipline = discipline
            m.buffers = [b]
        } else {
            station.discipline = discipline
        }
        m.stations = [station]
        m.sinks = [SinkSpec(name: "done")]
        return m
    }

    func run(_ m: ModelSpec, seed: UInt64 = 21) throws -> [ReplicationResult] {
        XCTAssertNil(m.structuralProblem())
        return try Simulation.run(m, settings: RunSettingsCore(warmup: 2_000, horizon: 200_000, seed: seed), replications: 8).replications
    }

    /// Cobham: W0 = λE[S²]/2 = ρ, W1 = W0/(1 − ρ1), W2 = W0/((1 − ρ1)(1 − ρ)).
    func testTwoPriorityClasses() throws {
        for viaBuffer in [false, true] {
            let lambda = 0.8, high = 0.3
            let types = [PartTypeSpec(name: "rush", priority: 2), PartTypeSpec(name: "normal", priority: 1)]
            let m = queue(.priority, lambda: lambda, mix: [TypeShare(type: 0, weight: high), TypeShare(type: 1, weight: 1 - high)],
                          types: types, viaBuffer: viaBuffer)
            let r = try run(m)
            let rho1 = lambda * high, w0 = lambda
            assertNear(r.compactMap { $0.parts[0].cycleTime }, w0 / (1 - rho1) + 1, "rush cycle time (buffer: \(viaBuffer))", relative: 0.01)
            assertNear(r.compactMap { $0.parts[1].cycleTime }, w0 / ((1 - rho1) * (1 - lambda)) + 1, "normal cycle time (buffer: \(viaBuffer))",
                       relative: 0.01)
        }
    }

    func testLastInFirstOutWaitsAsLongOnAverage() throws {
        let lambda = 0.7
        let r = try run(queue(.lifo, lambda: lambda))
        assertNear(r.compactMap { $0.stations[0].wait }, lambda / (1 - lambda), "LIFO wait", relative: 0.01)
    }

    /// Non-preemptive SJF with service density f: a job of size x waits
    /// W0 / (1 − ρ(x⁻))(1 − ρ(x)), ρ(x) = λ∫₀ˣ t f(t) dt, W0 = λE[S²]/2.
    func testShortestProcessingTimeFirst() throws {
        for viaBuffer in [false, true] {
            let lambda = 0.8
            let r = try run(queue(.spt, lambda: lambda, viaBuffer: viaBuffer))
            let w0 = lambda
            // ρ(x) = λ(1 − e^−x(1 + x)) for exponential service of mean 1.
            var wait = 0.0
            let dx = 1e-4
            var x = dx / 2
            while x < 40 {
                let rho = lambda * (1 - exp(-x) * (1 + x))
                wait += exp(-x) * w0 / ((1 - rho) * (1 - rho)) * dx
                x += dx
            }
            assertNear(r.compactMap { $0.stations[0].wait }, wait, "SPT wait (buffer: \(viaBuffer))", relative: 0.01)
        }
    }

    /// Earliest due date with one due time for all is arrival order.
    func testEarliestDueDateWithOneDueTimeIsFirstInFirstOut() throws {
        let types = [PartTypeSpec(name: "a", due: 60)]
        let fifo = try run(queue(.fifo, lambda: 0.8, mix: [TypeShare(type: 0, weight: 1)], types: types))
        let edd = try run(queue(.edd, lambda: 0.8, mix: [TypeShare(type: 0, weight: 1)], types: types))
        for (a, b) in zip(fifo, edd) { XCTAssertEqual(a.stations[0].wait!, b.stations[0].wait!, accuracy: 1e-9) }
    }
}
