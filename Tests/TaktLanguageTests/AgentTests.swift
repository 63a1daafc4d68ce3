import XCTest
@testable import TaktLanguage

/// Agents end to end through the language (docs/agents.md).
final class AgentTests: XCTestCase {
    static let plant = """
    config { horizon: 1000min, replications: 4, seed: 7 }
    source jobs { every: exponential(1.25min) }
    station fast { process: exponential(1min) }
    station slow { process: exponential(2min) }
    sink done
    flow jobs -> [fast, slow] by agent dispatcher
    flow fast -> done
    flow slow -> done
    agent dispatcher {
      observe: [fast.count, slow.count]
      reward: -wip
      train: 40 episodes of 1000min
    }

    """

    func run(_ text: String, jobs: Int? = nil, json: Bool = false) -> (output: String, errors: [Diagnostic]) {
        var printed = ""
        let outcome = ScriptRunner.run(SourceFile(name: "agent.takt", text: text), output: { printed += $0 }) { s in
            s.jobs = jobs
            s.json = json
        }
        switch outcome {
        case .failure(let d): return (printed, d)
        default: return (printed, [])
        }
    }

    /// Training, its comparisons and every later simulation are the same whatever the number
    /// of worker threads.
    func testTrainingIsTheSameForAnyNumberOfWorkers() {
        let text = AgentTests.plant + "train dispatcher\nprint(dispatcher.policy)\nprint(simulate().wip)\n"
        let one = run(text, jobs: 1, json: true), three = run(text, jobs: 3, json: true)
        XCTAssertEqual(one.errors.map(\.message), [])
        XCTAssertEqual(one.output, three.output)
        XCTAssertTrue(one.output.hasPrefix("{\"train\": [\"dispatcher\"], \"curve\": [{\"episodes\": 4, \"reward_rate\": "), one.output)
        XCTAssertTrue(one.output.contains("\"agent\": \"dispatcher\", \"kpi\": \"dispatcher.reward\""))
        XCTAssertTrue(one.output.contains("fast.count=0, slow.count=0 -> fast\n"))
    }

    /// The agent's reward rate is the time-average of its reward: with `reward: -wip` it is
    /// minus the plant's work in process, replication by replication, for the agent and for
    /// every rule it is compared with.
    func testTheRewardRateIsTheTimeAverageOfTheReward() {
        let text = AgentTests.plant + """
        let t = train dispatcher
        for rule in ["random", "round_robin", "shortest_queue", "first_available"] {
          let rows = t.versus.dispatcher[rule]
          print(abs(rows["dispatcher.reward"].agent + rows.wip.agent) < 1e-9, abs(rows["dispatcher.reward"].rule + rows.wip.rule) < 1e-9)
        }
        print(len(t.curve), t.curve[9].episodes)
        """
        let r = run(text)
        XCTAssertEqual(r.errors.map(\.message), [])
        XCTAssertEqual(r.output, "true true\ntrue true\ntrue true\ntrue true\n10 40\n")
    }

    func testAnUntrainedAgentStopsTheSimulationAtItsFlowLine() {
        assertError(AgentTests.plant + "print(simulate().wip)\n", "train 'dispatcher' first, or load a policy", line: 6, column: 1)
    }

    func testDecideTakesTheNearestVisitedObservation() {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("takt-agent-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("p.json").path
        try? """
        {"agent": "dispatcher", "observe": ["fast.count", "slow.count"], "actions": ["fast", "slow"],
         "policy": [{"observation": [0, 0], "action": "fast"}, {"observation": [4, 0], "action": "slow"},
                    {"observation": [2, 2], "action": "slow"}]}
        """.write(toFile: file, atomically: true, encoding: .utf8)
        // [2, 1] is nearest [2, 2]; [1, 1] is as near [0, 0] as [2, 2]: the first in ascending
        // order wins. The model then has its implicit run, with the loaded policy.
        let r = run(AgentTests.plant + """
        load_policy(dispatcher, "\(file)")
        print(dispatcher.decide([2, 1]), dispatcher.decide([1, 1]), dispatcher.decide([9, 0]), dispatcher.decide([true, false]))
        print(dispatcher.policy)
        """)
        XCTAssertEqual(r.errors.map(\.message), [])
        XCTAssertTrue(r.output.hasPrefix("slow fast slow fast\nfast.count=0, slow.count=0 -> fast\nfast.count=2, slow.count=2 -> slow\nfast.count=4, slow.count=0 -> slow\nreplications: 4"), r.output)
    }

    func testSavedPoliciesLoadAndMismatchesSayWhat() {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("takt-agent-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("trained.json").path
        assertPrints(AgentTests.plant + """
        let t = train dispatcher
        let before = dispatcher.policy
        let wip = simulate().wip.mean
        save_policy(dispatcher, "\(file)")
        load_policy(dispatcher, "\(file)")
        print(dispatcher.policy == before, simulate().wip.mean == wip)
        """, "true true\n")
        let other = AgentTests.plant.replacingOccurrences(of: "slow.count]", with: "slow.queue]")
        assertError(other + "load_policy(dispatcher, \"\(file)\")\n",
                    "observes [fast.count, slow.count], and 'dispatcher' observes [fast.count, slow.queue]", line: 14)
        let renamed = AgentTests.plant.replacingOccurrences(of: "station slow", with: "station slow2")
            .replacingOccurrences(of: "[fast, slow]", with: "[fast, slow2]").replacingOccurrences(of: "flow slow ", with: "flow slow2 ")
            .replacingOccurrences(of: "slow.count", with: "slow2.count")
        assertError(renamed + "load_policy(dispatcher, \"\(file)\")\n", "observes [fast.count, slow.count]", line: 14)
    }

    /// Params and lets an agent reads are read when a simulation starts; a comparison is 1 or 0.
    func testObservationsReadParamsAndLets() throws {
        let text = AgentTests.plant.replacingOccurrences(of: "observe: [fast.count, slow.count]",
                                                         with: "observe: [fast.count >= limit, slow.count * scale]")
            .replacingOccurrences(of: "config {", with: "param limit = 3\nlet scale = 2\nconfig {") + "let t = train dispatcher\nprint(dispatcher.policy)\n"
        let r = run(text)
        XCTAssertEqual(r.errors.map(\.message), [])
        let lines = r.output.split(separator: "\n")
        XCTAssertGreaterThan(lines.count, 4)
        let pattern = try NSRegularExpression(pattern: "^fast.count >= limit=[01], slow.count \\* scale=[0-9]*[02468] -> (fast|slow)$")
        for line in lines {
            XCTAssertNotNil(pattern.firstMatch(in: String(line), range: NSRange(line.startIndex..., in: line)), String(line))
        }
    }
}
