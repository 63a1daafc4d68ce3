import XCTest
@testable import TaktCore

/// Plants drawn at random — every routing rule, buffer sizes including hand-offs, own queues,
/// saturated and limited sources, failures of all three clocks, part types with splits by
/// type, work by type and setups, disciplines, batches, delays, shifts, planned stops and
/// operators — must run without a fault,
/// give the same numbers whatever the number of workers, and keep each station's state
/// fractions summing to one and every part accounted for.
final class RandomPlantTests: XCTestCase {
    func distribution(_ r: inout RandomStream) -> Distribution {
        let m = 0.3 + 1.7 * r.uniform()
        switch r.next() % 10 {
        case 0: return .constant(m)
        case 1: return .uniform(low: m / 2, high: m * 1.5)
        case 2: return .triangular(low: m / 2, mode: m, high: 2 * m)
        case 3: return .normal(mean: m, sd: m / 4)
        case 4: return .lognormal(mean: m, sd: m / 3)
        case 5: return .erlang(k: 3, mean: m)
        case 6: return .gamma(shape: 2, mean: m)
        case 7: return .weibull(shape: 1.5, scale: m)
        case 8: return .empirical([m / 2, m, 1.5 * m])
        default: return .exponential(mean: m)
        }
    }

    func plant(_ seed: UInt64) -> ModelSpec {
        var r = RandomStream(seed: seed)
        var m = ModelSpec()
        let n = 1 + Int(r.next() % 6)
        let saturated = r.next() % 3 == 0
        // Each station after the first may be fed through a buffer of its own.
        let buffered = (0..<n).map { i in !(saturated && i == 0) && r.next() % 5 < 3 }
        var bufferOf = Array(repeating: -1, count: n)
        for i in 0..<n where buffered[i] {
            bufferOf[i] = m.buffers.count
            let caps: [Int?] = [0, 1, 2, 5, nil]
            m.buffers.append(BufferSpec(name: "b\(i)", capacity: caps[Int(r.next() % 5)], routing: .next(.station(i))))
        }
        func entry(_ i: Int) -> NodeRef { buffered[i] ? .buffer(bufferOf[i]) : .station(i) }
        let limit: Int? = r.next() % 5 == 0 ? 2_000 : nil
        m.sources = [SourceSpec(name: "src", interarrival: saturated ? nil : .exponential(mean: 0.4 + r.uniform()),
                                saturated: saturated, limit: limit, routing: .next(entry(0)))]
        m.sinks = [SinkSpec(name: "out"), SinkSpec(name: "scrap")]
        // Some plants share repair crews among their failures.
        if r.next() % 2 == 0 { m.crews = (0..<(1 + Int(r.next() % 2))).map { CrewSpec(name: "crew\($0)", size: 1 + Int(r.next() % 2)) } }
        for i in 0..<n {
            var failures: [FailureSpec] = []
            for k in 0..<Int(r.next() % 3) {
                let up = Distribution.exponential(mean: 20 + 80 * r.uniform())
                switch r.next() % 3 {
                case 0: failures.append(FailureSpec(name: "f\(k)", up: up, down: distribution(&r), clock: .busy))
                case 1: failures.append(FailureSpec(name: "f\(k)", up: up, down: distribution(&r), clock: .clock))
                default: failures.append(FailureSpec(name: "f\(k)", up: nil, down: distribution(&r), clock: .parts(5 + Int(r.next() % 30))))
                }
                if !m.crews.isEmpty && r.next() % 3 != 0 { failures[failures.count - 1].crew = Int(r.next() % UInt64(m.crews.count)) }
            }
            let later = (i + 1..<n).map(entry)
            let routing: Routing
            switch (later.count, r.next() % 4) {
            case (0, 0): routing = .split([0.9, 0.1], [.sink(0), .sink(1)])
            case (0, _): routing = .next(.sink(0))
            case (1, _), (_, 0), (_, 1): routing = .next(later[0])
            case (_, 2): routing = .split([0.7, 0.3], [later[0], later[1]])
            default:
                let rules: [RoutingRule] = [.random, .roundRobin, .shortestQueue, .firstAvailable]
                routing = .rule(rules[Int(r.next() % 4)], [later[0], later[1]])
            }
            let ownQueue = !buffered[i] && !(saturated && i == 0) && r.next() % 3 == 0
            // Now and then a large parallel station, whose free servers span several words of
            // the engine's idle bits (the checked build compares them with the servers).
            let servers = r.next() % 8 == 0 ? 60 + Int(r.next() % 140) : 1 + Int(r.next() % 3 == 0 ? r.next() % 3 : 0)
            m.stations.append(StationSpec(name: "s\(i)", servers: servers,
                                          process: distribution(&r), queueCapacity: ownQueue ? Int(r.next() % 6) : nil,
                                          failures: failures, routing: routing,
                                          scrap: r.next() % 4 == 0 ? 0.05 * Double(1 + r.next() % 4) : 0))
        }
        if r.next() % 2 == 0 { addRicherFeatures(&m, &r, buffered: buffered, bufferOf: bufferOf) }
        return m
    }

    /// Part types, disciplines, batches, delays, shifts, stops and operators, where the plant
    /// drawn allows them.
    func addRicherFeatures(_ m: inout ModelSpec, _ r: inout RandomStream, buffered: [Bool], bufferOf: [Int]) {
        m.partTypes = [PartTypeSpec(name: "a", priority: 1, due: 60), PartTypeSpec(name: "b", priority: 2)]
        m.sources[0].mix = [TypeShare(type: 0, weight: 0.6), TypeShare(type: 1, weight: 0.4)]
        if m.crews.isEmpty { m.crews = [CrewSpec(name: "team", size: 1 + Int(r.next() % 2))] }
        let slots = m.typeSlots
        for i in m.stations.indices {
            if r.next() % 3 == 0 { m.stations[i].typed.process = (0..<slots).map { _ in distribution(&r) } }
            if r.next() % 3 == 0 {
                m.stations[i].typed.setup = (0..<(slots * slots)).map { k in k / slots != k % slots && r.next() % 2 == 0 ? distribution(&r) : nil }
            }
            if case .split(_, let d) = m.stations[i].routing, r.next() % 2 == 0 { m.stations[i].routing = .byType([0, 1, 1], d) }
            let disciplines: [Discipline] = [.fifo, .lifo, .priority, .edd, .spt]
            m.stations[i].discipline = disciplines[Int(r.next() % 5)]
            let room = buffered[i] ? m.buffers[bufferOf[i]].capacity : m.stations[i].queueCapacity
            let fedByOthers = m.sources[0].saturated && i == 0 ? false : true
            // Pulling stations take their parts from a buffer of their own with room.
            let canPull = room != 0 && fedByOthers || (m.sources[0].saturated && i == 0)
            if canPull && m.stations[i].discipline != .spt && r.next() % 4 == 0 {
                let batch = 2 + Int(r.next() % 3)
                if room.map({ $0 >= batch }) ?? true { m.stations[i].batch = batch }
            }
            if canPull && r.next() % 3 == 0 {
                m.stations[i].shift = Shift([Shift.Part(from: Double(r.next() % 20) * 60, to: Double(30 + r.next() % 60) * 60)])
            }
            if canPull && r.next() % 3 == 0 {
                let every: MaintenanceSpec.Every = r.next() % 2 == 0 ? .clock(100 + 200 * r.uniform()) : .parts(10 + Int(r.next() % 20))
                m.stations[i].maintenance = [MaintenanceSpec(name: "pm", every: every, duration: distribution(&r),
                                                             crew: r.next() % 2 == 0 ? 0 : nil)]
            }
            if canPull && r.next() % 3 == 0 { m.stations[i].operatorCrew = Int(r.next() % UInt64(m.crews.count)) }
        }
        for j in m.buffers.indices {
            if m.buffers[j].capacity != 0 && r.next() % 3 == 0 { m.buffers[j].delay = distribution(&r) }
            if m.buffers[j].delay == nil && r.next() % 3 == 0 { m.buffers[j].discipline = [.lifo, .priority, .edd][Int(r.next() % 3)] }
        }
        // Sometimes the first source replays a trace of its own draws, some at one instant.
        if !m.sources[0].saturated, m.sources[0].shift == nil, let d = m.sources[0].interarrival, r.next() % 3 == 0 {
            var t = 0.0
            m.sources[0].arrivals = (0..<300).map { _ in
                if r.next() % 5 != 0 { t += d.sample(&r) }
                return t
            }
            m.sources[0].interarrival = nil
            m.sources[0].limit = nil
            if r.next() % 2 == 0 {
                m.sources[0].arrivalTypes = (0..<300).map { _ in Int(r.next() % 2) }
                m.sources[0].mix = []
            }
        }
        // A station whose buffer has no room cannot pull; spt needs its time drawn as a part joins.
        for i in m.stations.indices where m.stations[i].pulls {
            if let j = buffered[i] ? bufferOf[i] : nil, m.buffers[j].capacity == 0 { m.stations[i] = stripPulls(m.stations[i]) }
        }
    }

    func stripPulls(_ s: StationSpec) -> StationSpec {
        var s = s
        s.batch = 1
        s.shift = nil
        s.maintenance = []
        s.operatorCrew = nil
        return s
    }

    /// Runs a random plant with one worker and with two, or nil when it deadlocks (a legitimate
    /// outcome of some random plants); the two must agree, and in every replication the state
    /// fractions sum to one and every part is accounted for.
    func runChecked(_ m: ModelSpec, _ settings: RunSettingsCore, _ label: String) throws -> (Simulation.Outcome, Simulation.Outcome)? {
        if let problem = m.structuralProblem() {
            XCTFail("\(label): \(problem)")
            return nil
        }
        let one: Simulation.Outcome
        do {
            one = try Simulation.run(m, settings: settings, replications: 3, jobs: 1)
        } catch SimulationError.deadlock {
            return nil
        }
        let two = try Simulation.run(m, settings: settings, replications: 3, jobs: 2)
        for (a, b) in zip(one.replications, two.replications) {
            XCTAssertEqual(a.wip, b.wip, label)
            XCTAssertEqual(a.events, b.events, label)
        }
        for rep in one.replications {
            for s in rep.stations {
                let fractions = [s.utilization, s.blocked, s.starved, s.down, s.setup, s.unstaffed, s.maintenance, s.offShift]
                XCTAssertEqual(fractions.reduce(0, +), 1, accuracy: 1e-9, label)
                XCTAssertTrue(fractions.allSatisfy { $0 >= -1e-12 }, label)
            }
            let absorbed = rep.sinks.reduce(0) { $0 + Int($1.count) }
            XCTAssertEqual(rep.partsAtStart + rep.partsCreated, absorbed + Int(rep.scrapped) + rep.consumed + rep.partsAtEnd, label)
            XCTAssertTrue(rep.wip >= -1e-9 && rep.wip.isFinite, label)
        }
        return (one, two)
    }

    func testRandomPlantsKeepTheirInvariants() throws {
        var ran = 0
        for seed in 1...200 as ClosedRange<UInt64> {
            let m = plant(seed)
            let settings = RunSettingsCore(warmup: Double(seed % 2) * 50, horizon: 3_000, seed: seed)
            guard let (one, two) = try runChecked(m, settings, "plant \(seed)") else { continue }
            ran += 1
            for (a, b) in zip(one.replications, two.replications) {
                XCTAssertEqual(a.wip, b.wip, "plant \(seed)")
                XCTAssertEqual(a.throughput, b.throughput, "plant \(seed)")
                XCTAssertEqual(a.stations.map(\.utilization), b.stations.map(\.utilization), "plant \(seed)")
            }
            for rep in one.replications {
                for s in rep.stations { XCTAssertTrue(s.queue >= 0 && s.queue.isFinite, "plant \(seed)") }
                for b in rep.buffers { XCTAssertTrue(b.level >= 0 && b.level.isFinite, "plant \(seed)") }
                for c in rep.crews {
                    XCTAssertTrue(c.utilization >= 0 && c.utilization <= 1 + 1e-9, "plant \(seed)")
                    XCTAssertTrue(c.queue >= 0 && c.queue.isFinite && (c.wait ?? 0) >= 0, "plant \(seed)")
                }
                XCTAssertEqual(rep.crews.count, m.crews.count, "plant \(seed)")
                // Parts leave only through sinks, counted once each.
                XCTAssertEqual(rep.sinks.reduce(0) { $0 + $1.count }, rep.throughput * settings.horizon, accuracy: 1e-6, "plant \(seed)")
                // (Conservation of parts is checked by `runChecked`.)
                let absorbed = rep.sinks.reduce(0) { $0 + Int($1.count) }
                XCTAssertEqual(rep.scrapped, rep.stations.reduce(0) { $0 + $1.scrapped }, "plant \(seed)")
                // (Scrapped parts spend time in the plant that no sink's cycle time counts.)
                guard rep.scrapped == 0 else { continue }
                // Little's law, as bounds that hold in every replication: the area under the
                // WIP is the absorbed parts' time in the plant, less what those present at the
                // start had spent before it (at most the warm-up each), plus what those present
                // at the end spent in it (at most the horizon each).
                let area = rep.wip * settings.horizon
                let cycles = (rep.cycleTime ?? 0) * Double(absorbed)
                let slack = 1e-9 * max(area, cycles, 1)
                XCTAssertLessThanOrEqual(area, cycles + Double(rep.partsAtEnd) * settings.horizon + slack, "plant \(seed)")
                XCTAssertGreaterThanOrEqual(area, cycles - Double(rep.partsAtStart) * settings.warmup - slack, "plant \(seed)")
            }
        }
        XCTAssertGreaterThan(ran, 130)
    }

    /// The event loop has a copy for plain plants without the tests for part types and pulling
    /// servers: a plain plant must give the same numbers in it as in the copy that has them
    /// (taken here by declaring a part type that no source makes).
    func testThePlainLoopAgreesWithTheRichOne() throws {
        var compared = 0
        for seed in 1...120 as ClosedRange<UInt64> {
            let m = plant(seed)
            guard m.partTypes.isEmpty else { continue }
            var rich = m
            rich.partTypes = [PartTypeSpec(name: "unused")]
            let settings = RunSettingsCore(warmup: 50, horizon: 2_000, seed: seed)
            let a: Simulation.Outcome, b: Simulation.Outcome
            do {
                a = try Simulation.run(m, settings: settings, replications: 2, jobs: 1)
            } catch SimulationError.deadlock {
                continue
            }
            b = try Simulation.run(rich, settings: settings, replications: 2, jobs: 1)
            compared += 1
            for (x, y) in zip(a.replications, b.replications) {
                XCTAssertEqual(x.events, y.events, "plant \(seed)")
                XCTAssertEqual(x.wip, y.wip, "plant \(seed)")
                XCTAssertEqual(x.throughput, y.throughput, "plant \(seed)")
                XCTAssertEqual(x.stations.map(\.utilization), y.stations.map(\.utilization), "plant \(seed)")
                XCTAssertEqual(x.stations.map(\.blocked), y.stations.map(\.blocked), "plant \(seed)")
                XCTAssertEqual(x.stations.map(\.down), y.stations.map(\.down), "plant \(seed)")
            }
        }
        XCTAssertGreaterThan(compared, 40)
    }

    /// Assemblies drawn at random: two or three typed inputs through buffers (some with
    /// delays), a set of one to three of each, shifts, stops, operators and failures at the
    /// assembly, and a batching station after it.
    func assemblyPlant(_ seed: UInt64) -> ModelSpec {
        var r = RandomStream(seed: seed &+ 10_000)
        var m = ModelSpec()
        let inputs = 2 + Int(r.next() % 2)
        m.partTypes = (0..<inputs).map { PartTypeSpec(name: "in\($0)", priority: Double(r.next() % 3)) } + [PartTypeSpec(name: "product")]
        m.crews = [CrewSpec(name: "team", size: 1 + Int(r.next() % 2))]
        var set: [(type: Int, count: Int)] = []
        for k in 0..<inputs {
            let count = 1 + Int(r.next() % 3)
            set.append((k, count))
            m.sources.append(SourceSpec(name: "s\(k)", interarrival: .exponential(mean: Double(count) * (0.5 + r.uniform())),
                                        routing: .next(.buffer(k)), losesWhenFull: r.next() % 3 == 0,
                                        mix: [TypeShare(type: k, weight: 1)]))
            var b = BufferSpec(name: "b\(k)", capacity: r.next() % 2 == 0 ? count + Int(r.next() % 6) : nil, routing: .next(.station(0)))
            if r.next() % 3 == 0 { b.delay = distribution(&r) } else if r.next() % 2 == 0 { b.discipline = .lifo }
            m.buffers.append(b)
        }
        var a = StationSpec(name: "assembly", servers: 1 + Int(r.next() % 2), process: distribution(&r), routing: .next(.station(1)))
        a.assemble = set
        a.makes = r.next() % 4 == 0 ? nil : inputs
        if r.next() % 2 == 0 { a.failures = [FailureSpec(name: "f", up: .exponential(mean: 50), down: distribution(&r), clock: .busy, crew: 0)] }
        if r.next() % 3 == 0 { a.shift = Shift([Shift.Part(from: 0, to: Double(20 + r.next() % 40) * 60)]) }
        if r.next() % 3 == 0 { a.maintenance = [MaintenanceSpec(name: "pm", every: .parts(5 + Int(r.next() % 10)), duration: distribution(&r), crew: 0)] }
        if r.next() % 3 == 0 { a.operatorCrew = 0 }
        var after = StationSpec(name: "pack", process: distribution(&r), queueCapacity: r.next() % 2 == 0 ? 4 : nil,
                                routing: .split([0.8, 0.2], [.sink(0), .sink(1)]), scrap: r.next() % 3 == 0 ? 0.1 : 0)
        if r.next() % 3 == 0 { after.batch = 2 + Int(r.next() % 2) }
        m.stations = [a, after]
        m.sinks = [SinkSpec(name: "out"), SinkSpec(name: "rest")]
        return m
    }

    func testRandomAssemblyPlantsKeepTheirInvariants() throws {
        var ran = 0
        for seed in 1...60 as ClosedRange<UInt64> {
            let settings = RunSettingsCore(warmup: Double(seed % 2) * 50, horizon: 1_500, seed: seed)
            guard let (one, _) = try runChecked(assemblyPlant(seed), settings, "assembly plant \(seed)") else { continue }
            ran += 1
            for rep in one.replications {
                XCTAssertEqual(rep.parts.map(\.wip).reduce(0, +) <= rep.wip + 1e-6, true, "assembly plant \(seed)")
            }
        }
        XCTAssertGreaterThan(ran, 45)
    }
}
