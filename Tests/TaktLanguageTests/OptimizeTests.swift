import XCTest
@testable import TaktLanguage

/// Params, templates, rewards and the optimization blocks of docs/optimization.md.
final class ParamTests: XCTestCase {
    let line = """
    config { horizon: 500min, replications: 2, seed: 4 }
    param rate = 0.5
    param n = 1
    source s { every: exponential(1min / rate) }
    station m { servers: n, process: exponential(1min) }
    sink done
    flow s -> m -> done

    """

    func testPropertiesFollowTheirParams() {
        assertPrints(line + """
        print(s.every, m.servers)
        rate = 0.25
        n = 3
        print(s.every, m.servers)
        m.servers = 2
        n = 5
        print(m.servers)
        let r = simulate(horizon: 10min, replications: 1)
        """, "exponential(2min) 1\nexponential(4min) 3\n2\n")
    }

    func testWhatIfOfAParamLeavesTheModel() {
        let r = runScript(line + "what if rate = 0.9\nprint(rate, s.every)\n")
        XCTAssertEqual(r.errors.map(\.message), [])
        XCTAssertTrue(r.output.hasSuffix("0.5 exponential(2min)\n"), r.output)
        XCTAssertTrue(r.output.contains("what if rate = 0.9"))
    }

    func testAPropertyMayNotReadANameDeclaredBelow() {
        assertError("""
        source s { every: exponential(gap) }
        station m { process: exponential(1min) }
        sink done
        flow s -> m -> done
        let gap = 2min
        """, "'gap' is used before its declaration", line: 1)
    }

    func testParamAssignedInAFunctionIsAnError() {
        assertError(line + "fn f() { rate = 2 }\n", "a param cannot be assigned inside a function", line: 8)
    }

    func testScenarioWithAnInvalidParamValueNamesIt() {
        assertError(line + "scenario bad { n = 0 }\ncompare baseline, bad\n", "servers must be a whole number >= 1", line: 5)
        let r = runScript(line + "scenario bad { n = 0 }\ncompare baseline, bad\n")
        XCTAssertEqual(r.errors.first?.notes, ["where n = 0"])
        // A property reading the param through a split weight is named by the variant.
        let split = runScript(line.replacingOccurrences(of: "flow s -> m -> done", with: "station m2 { process: exponential(1min) }\nflow s -> { share: m, (1 - share): m2 }\nflow m -> done\nflow m2 -> done")
                              .replacingOccurrences(of: "param n = 1", with: "param n = 1\nparam share = 0.5")
                              + "scenario bad { share = 2 }\ncompare baseline, bad\n")
        XCTAssertEqual(split.errors.first?.notes, ["in the variant where share = 2"], "\(split.errors.map(\.message))")
    }

    func testWarningForALetCopiedFromAParam() throws {
        let file = SourceFile(name: "w.takt", text: "param p = 2\nlet q = p * 1min\nsource s { every: exponential(q) }\nstation m { process: exponential(1min) }\nsink done\nflow s -> m -> done\n")
        guard case .success(let program) = ScriptRunner.check(file) else { return XCTFail("check failed") }
        XCTAssertEqual(program.warnings.count, 1)
        XCTAssertEqual(program.warnings.first?.severity, .warning)
        XCTAssertEqual(program.warnings.first?.span?.start.line, 3)
        XCTAssertTrue(program.warnings.first!.render().hasPrefix("warning: 'q' is computed from the param 'p' once"))
        XCTAssertEqual(program.params.map(\.name), ["p"])
        XCTAssertEqual(program.params.first?.kind, "number")
    }

    func testSetParsesLiteralsAndRejectsWhatItCannotTake() throws {
        let file = SourceFile(name: "p.takt", text: "param speed = 1.0\nparam gap = 2min\nparam label = \"a\"\nparam on = true\n")
        guard case .success(let program) = ScriptRunner.check(file) else { return XCTFail("check failed") }
        let p = program.params
        guard case .success(let v) = ParamSetting.parse(["speed=-1.5", "gap=90s", "label=north", "on=false"], params: p) else {
            return XCTFail("valid settings rejected")
        }
        XCTAssertEqual(ValueFormatter().format(v["speed"]!), "-1.5")
        XCTAssertEqual(ValueFormatter().format(v["gap"]!), "1.5min")
        XCTAssertEqual(ValueFormatter().format(v["label"]!), "north")
        XCTAssertEqual(ValueFormatter().format(v["on"]!), "false")
        func message(_ items: [String]) -> String? {
            if case .failure(let e) = ParamSetting.parse(items, params: p) { return e.message }
            return nil
        }
        XCTAssertEqual(message(["sped=2"]), "--set sped: the script has no param 'sped'; did you mean 'speed'? (its params are speed, gap, label, on)")
        XCTAssertEqual(message(["speed=1", "speed=2"]), "--set speed is given twice")
        XCTAssertEqual(message(["speed=2min"]), "--set speed: the param 'speed' is a number, not a duration ('2min')")
        XCTAssertEqual(message(["gap=abc"])?.hasPrefix("--set gap: 'abc' is not a literal"), true)
        XCTAssertEqual(message(["=3"])?.hasPrefix("--set takes NAME=VALUE"), true)
    }

    func testSetReplacesTheDeclaredValue() {
        var printed = ""
        var options = RunOptions()
        options.paramSettings = ["rate=0.2"]
        let outcome = ScriptRunner.run(SourceFile(name: "t.takt", text: line + "print(rate, s.every)\nsimulate(replications: 1)\n"),
                                       output: { printed += $0 }, options: options)
        guard case .success = outcome else { return XCTFail("\(outcome)") }
        XCTAssertEqual(printed, "0.2 exponential(5min)\n")
    }
}

final class RewardTests: XCTestCase {
    let model = """
    config { horizon: 800min, warmup: 50min, replications: 4, seed: 9 }
    source s { every: exponential(1min) }
    station m { servers: 2, process: exponential(1.5min) }
    sink done
    flow s -> m -> done

    """

    func testARewardIsAnEstimateOverReplications() {
        // The same quantity as a reward and as a result gives the same estimate.
        assertPrints(model + """
        reward served = done.count
        reward staffed = 100 * m.servers
        reward time = cycle_time
        let r = simulate()
        print(r.served == r.done.count, r.staffed, r.time == r.cycle_time)
        print(r.served.n, r.served.values == r.done.count.values)
        """, "true 200 ± 0 true\n4 true\n")
    }

    func testRewardsEndEveryComparisonTable() {
        let r = runScript(model + "reward served = done.count\nreward double = 2 * served\nwhat if m.servers = 3\n")
        XCTAssertEqual(r.errors.map(\.message), [])
        let rows = r.output.split(separator: "\n").suffix(2).map { String($0.split(separator: " ").first!) }
        XCTAssertEqual(rows, ["served", "double"])
    }

    func testRewardErrors() {
        assertError(model + "reward x = \"text\"\n", "the reward 'x' must be a number, a duration or a rate", line: 6)
        assertError(model + "reward x = done.count\nprint(x)\n", "'x' is a reward", line: 7)
        assertError(model + "print(throughput)\n", "'throughput' is a plant result", line: 6)
        assertError(model + "reward a = b + 1\nreward b = a\nsimulate()\n", "depends on itself", line: 6)
    }
}

final class OptimizeLanguageTests: XCTestCase {
    let plant = """
    config { horizon: 600min, warmup: 50min, seed: 3 }
    param speed = 1.0
    source raw { saturated: true }
    station m1 { process: exponential(1min / speed) }
    buffer b1 { capacity: 1 }
    station m2 { process: exponential(1min) }
    sink done
    flow raw -> m1 -> b1 -> m2 -> done
    reward net = throughput * 100min - 3 * b1.capacity - 10 * speed

    """

    func run(_ source: String, jobs: Int?) -> (String, [String]) {
        var printed = ""
        let outcome = ScriptRunner.run(SourceFile(name: "o.takt", text: source), output: { printed += $0 }, overrides: { $0.jobs = jobs })
        if case .failure(let d) = outcome { return (printed, d.map(\.message)) }
        return (printed, [])
    }

    func testSameSeedSameFindingsWhateverTheJobs() {
        let script = plant + """
        let best = maximize net {
          vary b1.capacity in 0...12
          vary speed in [0.8, 1.0, 1.2, 1.4, 1.6, 1.8]
          budget: 60
        }
        print(best.config, best.runs <= 60, best.evaluated)
        print(best.reward, best.confidence)
        """
        let one = run(script, jobs: 1), two = run(script, jobs: 2), three = run(script, jobs: 3)
        XCTAssertEqual(one.1, [])
        XCTAssertEqual(one.0, two.0)
        XCTAssertEqual(one.0, three.0)
        XCTAssertTrue(one.0.contains(" true "), one.0)
    }

    func testExhaustiveWhenTheSpaceFits() {
        let (out, errors) = run(plant + """
        let best = maximize net { vary b1.capacity in 0...3; vary speed in [1.0, 2.0]; subject to b1.capacity != 2; budget: 40 }
        print(best.evaluated, best.runs, len(best.top), best.reward.n)
        print(len(best.effects), best.top[0].config == best.config)
        """, jobs: nil)
        XCTAssertEqual(errors, [])
        // 6 feasible configurations of 8, each run twice; then the selection and at least 2 fresh runs.
        let first = out.split(separator: "\n")[0].split(separator: " ")
        XCTAssertEqual(first[0], "6")
        XCTAssertLessThanOrEqual(Int(first[1])!, 40)
        XCTAssertEqual(first[2], "5")
        XCTAssertTrue((2...20).contains(Int(first[3])!), "\(first)")
        XCTAssertEqual(out.split(separator: "\n")[1], "2 true")
    }

    func testMinimizeTurnsTheSigns() {
        let (out, errors) = run(plant + """
        reward cost = 5 * b1.capacity
        let best = minimize cost { vary b1.capacity in 2...6; budget: 30 }
        print(best.config, best.reward)
        """, jobs: nil)
        XCTAssertEqual(errors, [])
        XCTAssertEqual(out, "{b1.capacity: 2} 10 ± 0\n")
    }

    func testInvalidModelsAreInfeasibleAndCostNothing() {
        // capacity: 3 - k is below 0 for k > 3: those configurations are skipped.
        let (out, errors) = run("""
        config { horizon: 300min, seed: 1 }
        param k = 0
        source raw { saturated: true }
        station m1 { process: exponential(1min) }
        buffer b1 { capacity: 3 - k }
        station m2 { process: exponential(1min) }
        sink done
        flow raw -> m1 -> b1 -> m2 -> done
        reward k_value = k
        let best = maximize k_value { vary k in 0...10; budget: 40 }
        print(best.config, best.evaluated)
        """, jobs: nil)
        XCTAssertEqual(errors, [])
        XCTAssertEqual(out, "{k: 3} 4\n")
    }

    func testParetoReturnsTheNonDominatedConfigurations() {
        let (out, errors) = run(plant + """
        reward cost = 10 * b1.capacity
        let front = pareto { maximize net; minimize cost; vary b1.capacity in 0...4; budget: 40 }
        print(len(front) >= 1, front[0].config, front[len(front) - 1].cost)
        """, jobs: nil)
        XCTAssertEqual(errors, [])
        XCTAssertTrue(out.hasPrefix("true "), out)
        XCTAssertTrue(out.hasSuffix(" 0 ± 0\n"), out)   // the cheapest is always on the front
    }

    func testSummaryAndJSON() {
        let script = plant + "maximize net { vary b1.capacity in 0...2; budget: 20 }\n"
        let (out, errors) = run(script, jobs: nil)
        XCTAssertEqual(errors, [])
        XCTAssertTrue(out.hasPrefix("maximize net: 3 configurations evaluated in"), out)
        XCTAssertTrue(out.contains("rank  b1.capacity  net"), out)
        XCTAssertTrue(out.contains("effect on net"), out)
        var printed = ""
        _ = ScriptRunner.run(SourceFile(name: "j.takt", text: script), output: { printed += $0 }, overrides: { $0.json = true })
        let object = try? JSONSerialization.jsonObject(with: Data(printed.utf8)) as? [String: Any]
        XCTAssertEqual(object?["maximize"] as? String, "net")
        XCTAssertEqual(Set(object?.keys.map { $0 } ?? []), ["maximize", "config", "reward", "runs", "evaluated", "confidence", "top", "effects"])
    }
}

/// Params, rewards and optimization in a REPL session.
final class SessionParamTests: XCTestCase {
    func testTheModelListsParamsAndAnOptimizationPrintsItsSummary() {
        var printed = ""
        let session = Session(output: { printed += $0 })
        var warnings: [Diagnostic] = []
        session.warnings = { warnings += $0 }
        for input in ["param z = 1min", "param k = 2", "let copy = z",
                      "source s { every: exponential(copy) }", "station m { servers: k, process: exponential(1.5min) }",
                      "sink done", "flow s -> m -> done", "k = 3", "reward cost = 10 * k + wip",
                      "minimize cost { vary k in 1...4; budget: 20 }"] {
            let outcome = LargeStack.run { session.evaluate(input) }
            guard case .success = outcome else { return XCTFail("\(input): \(outcome)") }
        }
        XCTAssertTrue(session.modelDescription().hasPrefix("param z = 1min\nparam k = 3\nsource s"), session.modelDescription())
        XCTAssertTrue(printed.hasPrefix("minimize cost: 4 configurations evaluated"), printed)
        XCTAssertEqual(warnings.map(\.message), ["'copy' is computed from the param 'z' once, so this property does not follow later changes of 'z'"])
        XCTAssertTrue(session.properties(of: "m").contains("servers"))
    }
}
