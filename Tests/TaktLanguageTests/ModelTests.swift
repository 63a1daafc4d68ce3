import XCTest
@testable import TaktLanguage

final class ModelTests: XCTestCase {
    let mm1 = """
    config { replications: 4, seed: 3 }
    source jobs { every: exponential(1.25min) }
    station drill { process: exponential(1min) }
    sink done
    flow jobs -> drill -> done
    """

    func testSimulateGivesEstimatesNearTheory() {
        let r = runScript(mm1 + "\nlet r = simulate(horizon: 50000min, warmup: 1000min)\nprint(r.drill.utilization.mean, r.wip.mean, r.throughput.mean * 1min, r.drill.wait.mean / 1min)")
        XCTAssertEqual(r.errors.map(\.message), [])
        let numbers = r.output.split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        XCTAssertEqual(numbers.count, 4)
        XCTAssertEqual(numbers[0], 0.8, accuracy: 0.02)
        XCTAssertEqual(numbers[1], 4, accuracy: 0.6)
        XCTAssertEqual(numbers[2], 0.8, accuracy: 0.02)
        XCTAssertEqual(numbers[3], 4, accuracy: 0.6)
    }

    func testImplicitRunPrintsTheSummary() {
        let r = runScript(mm1 + "\nconfig { horizon: 2000min }")
        XCTAssertEqual(r.errors.map(\.message), [])
        XCTAssertTrue(r.output.hasPrefix("replications: 4, horizon: 2000min, warm-up: 0min, seed: 3\n"), r.output)
        XCTAssertTrue(r.output.contains("\nstation  utilization"), r.output)
        XCTAssertTrue(r.output.contains("\ndrill    0."), r.output)
    }

    func testNoImplicitRunWhenTheScriptSimulates() {
        let r = runScript(mm1 + "\nlet r = simulate(horizon: 100min)\nprint(r.done.count.n)")
        XCTAssertEqual(r.output, "4\n")
    }

    func testJSONHasTheDocumentedShape() throws {
        var printed = ""
        let outcome = ScriptRunner.run(SourceFile(name: "t.takt", text: mm1 + "\nconfig { horizon: 1000min }"), output: { printed += $0 }) { $0.json = true }
        guard case .success = outcome else { return XCTFail("\(outcome)") }
        XCTAssertEqual(printed.filter { $0 == "\n" }.count, 1, "one object on one line")
        let object = try JSONSerialization.jsonObject(with: Data(printed.utf8)) as! [String: Any]
        XCTAssertEqual(object["seed"] as? Int, 3)
        XCTAssertEqual(object["replications"] as? Int, 4)
        XCTAssertEqual(object["horizon"] as? Double, 1000)
        XCTAssertEqual(object["time_unit"] as? String, "min")
        let tp = object["throughput"] as! [String: Any]
        XCTAssertNotNil(tp["mean"] as? Double)
        XCTAssertNotNil(tp["ci95"] as? Double)
        XCTAssertEqual(tp["n"] as? Int, 4)
        let drill = (object["stations"] as! [String: Any])["drill"] as! [String: Any]
        XCTAssertEqual(Set(drill.keys), ["utilization", "blocked", "starved", "down", "queue", "wait", "processed"])
        let done = (object["sinks"] as! [String: Any])["done"] as! [String: Any]
        XCTAssertEqual(Set(done.keys), ["count", "throughput", "cycle_time"])
        XCTAssertNotNil(object["buffers"] as? [String: Any])
        let sources = object["sources"] as! [String: Any]
        XCTAssertEqual(sources.count, 1)
        let source = sources.values.first as! [String: Any]
        XCTAssertEqual(Set(source.keys), ["created", "lost", "blocked"])
        XCTAssertEqual((source["lost"] as! [String: Any])["mean"] as? Double, 0)
    }

    func testSameSeedSameOutputWhateverTheJobs() {
        func output(jobs: Int) -> String {
            var printed = ""
            _ = ScriptRunner.run(SourceFile(name: "t.takt", text: mm1 + "\nconfig { horizon: 3000min }"), output: { printed += $0 }) {
                $0.jobs = jobs
                $0.json = true
            }
            return printed
        }
        XCTAssertEqual(output(jobs: 1), output(jobs: 2))
        XCTAssertEqual(output(jobs: 1), output(jobs: 3))
    }

    func testElementsAreValues() {
        assertPrints(mm1 + "\nprint(drill, drill.name, drill.process, jobs.every, done)\nfor s in [drill] { print(s.servers) }\nprint(simulate(horizon: 10min).drill.processed.n)",
                     "station drill drill exponential(1min) exponential(1.25min) sink done\n1\n4\n")
    }

    func testAssigningAPropertyChangesTheModel() {
        assertPrints(mm1 + "\ndrill.servers = 3\nprint(drill.servers)\nprint(simulate(horizon: 10min).drill.processed.n)", "3\n4\n")
        assertError(mm1 + "\ndrill.servers = 0", "servers must be a whole number >= 1", line: 6)
        assertError(mm1 + "\ndrill.servers = 99999999999999999999", "servers must be at most 100000", line: 6)
        assertError(mm1 + "\ndrill.servers = 100001", "servers must be at most 100000", line: 6)
        assertError(mm1 + "\njobs.limit = 1e10", "limit must be at most 1000000000", line: 6)
        assertError(mm1 + "\ndrill.servers = 1.5", "servers must be a whole number >= 1", line: 6)
        assertError(mm1 + "\ndrill.sevrers = 2", "a station has no property 'sevrers'", line: 6)
    }

    func testStructuralErrorsComeBeforeAnythingRuns() {
        let r = runScript("print(\"ran\")\nsource s { every: 1min }\nstation m { process: 1min }\nsink k\nflow s -> m\nflow m -> k\nflow m -> s")
        XCTAssertEqual(r.output, "")
        XCTAssertEqual(r.errors.first?.message, "'m' already has a successor")
        XCTAssertEqual(r.errors.first?.span?.start.line, 7)
    }

    func testValueErrorsAreAtTheProperty() {
        assertError("source s { every: exponential(-2min) }\nstation m { process: 1min }\nsink k\nflow s -> m -> k", "the mean must be > 0", line: 1, column: 31)
        assertError("source s { every: 1min }\nstation m { process: 1min, queue_capacity: 2.5 }\nsink k\nflow s -> m -> k", "queue_capacity must be a whole number >= 0", line: 2)
        assertError("source s { every: 1min }\nbuffer b { capacity: 2 }\nstation m { process: 1min, queue_capacity: 3 }\nsink k\nflow s -> b -> m -> k", "queue_capacity on a station fed only by buffers", line: 3)
        assertError("source s { every: 1min }\nstation m { process: 1min\n failure { up: 10min } }\nsink k\nflow s -> m -> k", "a failure needs 'down'", line: 3)
        assertError("source s { limit: 3 }\nstation m { process: 1min }\nsink k\nflow s -> m -> k", "needs 'every', 'saturated: true' or 'arrivals'", line: 1)
    }

    func testDeadlockIsAnErrorAtTheCycle() {
        let script = """
        config { replications: 1 }
        source s { every: 10s }
        buffer q { capacity: 10 }
        station a { process: 1min }
        buffer ab { capacity: 0 }
        station b { process: 1min }
        sink k
        flow s -> q -> a -> ab -> b
        flow b -> { 1%: k, 99%: q }
        """
        // Parts come back faster than they leave: q fills, then a, b and the source block on each other.
        let r = runScript(script + "\nsimulate(horizon: 100min)")
        XCTAssertTrue(r.errors.first?.message.hasPrefix("deadlock") ?? false, r.errors.first?.message ?? "no error")
    }
}

final class RoutingTests: XCTestCase {
    func processed(_ script: String) -> [Double] {
        let r = runScript(script)
        XCTAssertEqual(r.errors.map(\.message), [])
        return r.output.split(separator: "\n").compactMap { Double($0) }
    }

    func testRoundRobinAlternates() {
        let n = processed("""
        config { replications: 1, seed: 1 }
        source s { every: exponential(1min), limit: 1001 }
        station a { process: exponential(0.5min) }
        station b { process: exponential(0.5min) }
        sink k
        flow s -> [a, b] by round_robin
        flow a -> k
        flow b -> k
        let r = simulate(horizon: 100000min)
        print(r.a.processed.mean)
        print(r.b.processed.mean)
        """)
        XCTAssertEqual(n, [501, 500])
    }

    func testRandomAndSplitsFollowTheirWeights() {
        let n = processed("""
        config { replications: 1, seed: 4 }
        source s { every: exponential(1min), limit: 20000 }
        station a { process: 0.1min }
        station b { process: 0.1min }
        sink k
        flow s -> { 30%: a, 70%: b }
        flow a -> k
        flow b -> k
        let r = simulate(horizon: 1000000min)
        print(r.a.processed.mean / 20000)
        """)
        XCTAssertEqual(n.first ?? 0, 0.3, accuracy: 0.015)
    }

    func testFirstAvailablePrefersTheFirstListed() {
        let n = processed("""
        config { replications: 2, seed: 2 }
        source s { every: exponential(1min) }
        station a { process: exponential(0.8min), queue_capacity: 0 }
        station b { process: exponential(0.8min) }
        sink k
        flow s -> [a, b] by first_available
        flow a -> k
        flow b -> k
        let r = simulate(horizon: 20000min)
        print(r.a.utilization.mean)
        print(r.b.utilization.mean)
        """)
        XCTAssertEqual(n.count, 2)
        XCTAssertGreaterThan(n[0], n[1])
    }

    func testBufferWithARuleFeedsSeveralStations() {
        let n = processed("""
        config { replications: 2, seed: 2 }
        source s { every: exponential(0.6min) }
        buffer q { capacity: 10 }
        station a { process: exponential(1min) }
        station b { process: exponential(1min) }
        sink k
        flow s -> q -> [a, b] by shortest_queue
        flow a -> k
        flow b -> k
        let r = simulate(horizon: 50000min, warmup: 500min)
        print(r.throughput.mean * 1min)
        print(r.a.utilization.mean + r.b.utilization.mean)
        """)
        // Both stations drain one buffer: an M/M/2 with a finite queue, nearly all arrivals served.
        XCTAssertEqual(n[0], 1 / 0.6, accuracy: 0.05)
        XCTAssertEqual(n[1], (1 / 0.6) * 1, accuracy: 0.06)
    }

    func testSourceLimitStopsArrivals() {
        let n = processed("""
        config { replications: 1 }
        source s { every: 1min, limit: 25 }
        station a { process: 0.5min }
        sink k
        flow s -> a -> k
        print(simulate(horizon: 1000min).k.count.mean)
        """)
        XCTAssertEqual(n, [25])
    }
}

final class WhatIfTests: XCTestCase {
    let line = """
    config { horizon: 20000min, warmup: 500min, replications: 8, seed: 5 }
    source raw { saturated: true }
    station m1 { process: exponential(1min) }
    buffer b1 { capacity: 2 }
    station m2 { process: exponential(1.1min) }
    sink done
    flow raw -> m1 -> b1 -> m2 -> done
    """

    /// The half-width of the throughput delta in a what-if's JSON.
    func throughputCI(_ script: String) throws -> (delta: Double, ci: Double) {
        var printed = ""
        let outcome = ScriptRunner.run(SourceFile(name: "t.takt", text: script), output: { printed += $0 }) { $0.json = true }
        guard case .success = outcome else { XCTFail("\(outcome)"); return (0, 0) }
        let object = try JSONSerialization.jsonObject(with: Data(printed.utf8)) as! [String: Any]
        XCTAssertEqual(object["what_if"] as? String, "b1.capacity = 4")
        let rows = object["rows"] as! [[String: Any]]
        XCTAssertEqual(rows.first?["kpi"] as? String, "throughput")
        let d = (rows[0]["deltas"] as! [String: Any])["variant"] as! [String: Any]
        XCTAssertEqual(d["significant"] as? Bool, true)
        return (d["delta"] as! Double, d["ci95"] as! Double)
    }

    func testCommonRandomNumbersNarrowTheDeltas() throws {
        // A larger buffer keeps each station's draws in step with the baseline's.
        let crn = try throughputCI(line + "\nwhat if b1.capacity = 4")
        let independent = try throughputCI(line + "\nconfig { crn: false }\nwhat if b1.capacity = 4")
        XCTAssertGreaterThan(crn.delta, 0)
        XCTAssertLessThan(crn.ci * 3, independent.ci, "CRN half-width \(crn.ci) vs independent \(independent.ci)")
    }

    func testWhatIfNeverChangesTheModel() {
        let r = runScript(line + "\nwhat if { m2.servers = 2; b1.capacity = 9 }\nprint(m2.servers, b1.capacity)")
        XCTAssertEqual(r.errors.map(\.message), [])
        XCTAssertTrue(r.output.hasPrefix("what if m2.servers = 2; b1.capacity = 9\n"), r.output)
        XCTAssertTrue(r.output.hasSuffix("\n1 2\n"), r.output)
    }

    func testTheBaselineIsCachedUntilTheModelChanges() {
        let script = line + """

        what if m2.servers = 2
        what if b1.capacity = 5
        m2.process = exponential(1min)
        what if m2.servers = 2
        """
        var printed = ""
        let file = SourceFile(name: "t.takt", text: script)
        guard case .success(let program) = LargeStack.run({ ScriptRunner.check(file) }) else { return XCTFail() }
        let interp = Interpreter(output: { printed += $0 })
        XCTAssertNoThrow(try LargeStack.run { Result { try interp.run(program) } }.get())
        XCTAssertEqual(printed.components(separatedBy: "what if").count, 4)
        // Cached from the third what-if on: keyed by the model built after the assignment.
        let current = try? LargeStack.run { Result { try interp.buildSpec(states: try interp.buildStates(), at: program.main.span) } }.get()
        XCTAssertNotNil(current)
        XCTAssertEqual(interp.baselineCache?.spec, current)
    }

    /// A what-if, a scenario or a top-level assignment reaches a failure by name (unnamed ones
    /// are failureN by position) and changes its up, down or every.
    func testFailureChanges() {
        let plant = """
        config { horizon: 3000min, replications: 3, seed: 2 }
        source raw { saturated: true }
        station press {
          process: exponential(1min)
          failure wear { up: exponential(60min), down: exponential(10min) }
          failure { every: 40 parts, down: 4min }
        }
        sink out
        flow raw -> press -> out
        """
        func down(_ extra: String) -> Double? {
            lastNumber(plant + "\n" + extra + "\nprint(fmt(simulate().press.down.mean, 6))")
        }
        guard let base = down(""), let rarer = down("press.wear.up = exponential(600min)"),
              let noCleaning = down("press.failure2.every = 1000000"), let slowRepair = down("press.wear.down = 30min"),
              let timed = down("press.failure2.up = exponential(20min)") else { return XCTFail("no result") }
        XCTAssertLessThan(rarer, base)
        XCTAssertLessThan(noCleaning, base)
        XCTAssertGreaterThan(slowRepair, base)
        XCTAssertGreaterThan(timed, base)
        // A what-if leaves the model as it was.
        XCTAssertEqual(down("what if press.wear.down = 1min"), base)
        // A failure reads as a record of its settings.
        let read = runScript(plant + "\npress.wear.down = 3min\nprint(press.wear)\nprint(press.failure2.every, press.failure2.up)")
        XCTAssertEqual(read.errors.map(\.message), [])
        XCTAssertTrue(read.output.hasPrefix("{name: \"wear\", up: exponential(60min), down: 3min, every: nil, counts: \"busy\"}\n40 nil\n"),
                      read.output)
        assertError(plant + "\nprint(press.wer)", "a station has no property 'wer'", line: 10)
        assertError(plant + "\nwhat if press.wer.up = 1min", "the station 'press' has no failure 'wer'", line: 10, column: 15)
        assertError(plant + "\nscenario s { press.wear.upp = 1min }", "a failure has no property 'upp' to change", line: 10)
        assertError(plant + "\npress.wear.every = 0", "every must be a whole number >= 1", line: 10)
        assertError(plant + "\nwhat if out.wear.up = 1min", "assign one property of an element", line: 10)
    }

    /// A flow line in a what-if or scenario gives a node new weights or a new rule over the same
    /// destinations; the model itself keeps its routing.
    func testRoutingChanges() {
        let plant = """
        config { horizon: 4000min, replications: 4, seed: 3 }
        source jobs { every: exponential(1min) }
        station a { process: exponential(30s) }
        station b { process: exponential(30s) }
        sink done
        flow jobs -> { 50%: a, 50%: b }
        flow a -> done
        flow b -> done
        """
        func share(_ extra: String) -> Double? {
            lastNumber(plant + "\n" + extra + "\nlet r = simulate()\nprint(fmt(r.a.processed.mean / (r.a.processed.mean + r.b.processed.mean), 6))")
        }
        guard let base = share("") else { return XCTFail("no result") }
        XCTAssertEqual(base, 0.5, accuracy: 0.02)
        // A what-if or scenario does not change the model's routing.
        XCTAssertEqual(share("what if flow jobs -> { 90%: a, 10%: b }\nscenario s { flow jobs -> [a, b] by first_available }"), base)
        let r = runScript(plant + "\nwhat if flow jobs -> { 90%: a, 10%: b }")
        XCTAssertEqual(r.errors.map(\.message), [])
        // a.utilization goes from about 0.25 to 0.45: its delta is marked.
        let aRow = r.output.split(separator: "\n").first { $0.hasPrefix("a.utilization") }.map(String.init) ?? ""
        XCTAssertTrue(aRow.contains("+0.") && aRow.hasSuffix("*"), r.output)
        assertError(plant + "\nwhat if flow jobs -> { 50%: a, 50%: done }", "a what-if keeps the destinations of 'jobs': a, b", line: 9)
        assertError(plant + "\nwhat if flow jobs -> { 70%: a, 20%: b }", "the split weights sum to 90%, not 100%", line: 9)
        assertError(plant + "\nwhat if flow done -> [a, b] by random", "'done' has no flow out of it to change", line: 9, column: 14)
        assertError(plant + "\nscenario s { flow jobs -> a -> done }", "a what-if's flow gives one node a new split or choice", line: 9)
        assertError(plant + "\nwhat if flow jobs -> [a, b] by fastest", "unknown routing rule 'fastest'", line: 9)
        assertError(plant + "\nwhat if print(1)", "'what if' takes an assignment such as 'm2.servers = 2'", line: 9)
    }

    func testWhatIfErrors() {
        assertError(line + "\nwhat if m2.servrs = 2", "a station has no property 'servrs'", line: 8)
        assertError(line + "\nwhat if m9.servers = 2", "unknown name 'm9'", line: 8)
        assertError(line + "\ncompare baseline, nope", "'nope' is not a scenario", line: 8)
        assertError(line + "\nwhat if m2.servers = 0", "servers must be a whole number >= 1", line: 8)
    }
}

final class SessionCompletionTests: XCTestCase {
    /// After a station's name and a dot, completion offers its properties and its failures.
    func testPropertiesAfterADotIncludeFailures() {
        let session = Session(output: { _ in })
        let outcome = LargeStack.run {
            session.evaluate("""
            station press {
              process: 1min
              failure wear { up: exponential(100min), down: 5min }
              failure { every: 50 parts, down: 2min }
            }
            """)
        }
        guard case .success = outcome else { return XCTFail("\(outcome)") }
        XCTAssertEqual(session.properties(of: "press"), (["failure2", "name", "wear"] + ElementProperties.allowed(.station)).sorted())
        XCTAssertTrue(session.properties(of: "press").contains("process"))
        XCTAssertEqual(session.properties(of: "nothing"), [])
    }
}
