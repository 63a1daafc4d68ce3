import Foundation
import XCTest

/// `takt run --trace`: the trace, replayed by a small script (Tests/scripts/replay_trace.py),
/// gives the throughput and the stations' utilization, blocked and down fractions of the results.
final class TraceCLITests: XCTestCase {
    /// An M/M/1 station, the plant of the tests that look at the files rather than the numbers.
    static let plant = """
    source s { every: exponential(2min) }
    station m { process: exponential(1min) }
    sink done
    flow s -> m -> done

    """

    func temporaryFolder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("takt-trace-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    func mean(_ json: [String: Any], _ path: [String]) -> Double? {
        var node: Any? = json
        for key in path { node = (node as? [String: Any])?[key] }
        return (node as? [String: Any])?["mean"] as? Double ?? ((node as? [String: Any])?["mean"] as? Int).map(Double.init)
    }

    /// Runs `script` with one replication, traced, and compares the replay with the JSON results.
    func checkReplay(_ script: URL, warmup: Double, horizon: Double, stations: [String]) throws {
        let trace = script.deletingLastPathComponent().appendingPathComponent("trace.csv")
        let r = try CLITests.run(["run", script.path, "--replications", "1", "--json", "--trace", trace.path])
        XCTAssertEqual(r.status, 0, r.err)
        let results = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        let replay = try CLITests.run([CLITests.root.appendingPathComponent("Tests/scripts/replay_trace.py").path, trace.path,
                                       String(warmup), String(horizon)], executable: URL(fileURLWithPath: "/usr/bin/python3"))
        XCTAssertEqual(replay.status, 0, replay.err)
        let replayed = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(replay.out.utf8)) as? [String: Any])
        let throughput = try XCTUnwrap(mean(results, ["throughput"]))
        XCTAssertEqual(replayed["throughput"] as? Double ?? -1, throughput, accuracy: 1e-9)
        XCTAssertGreaterThan(throughput, 0)
        let replayedStations = try XCTUnwrap(replayed["stations"] as? [String: [String: Double]])
        for name in stations {
            for key in ["utilization", "blocked", "down"] {
                let expected = try XCTUnwrap(mean(results, ["stations", name, key]), "\(name).\(key)")
                XCTAssertEqual(replayedStations[name]?[key] ?? -1, expected, accuracy: 1e-9, "\(name).\(key)")
            }
        }
    }

    func testTheLineReplayedGivesItsResults() throws {
        let dir = try temporaryFolder()
        let script = dir.appendingPathComponent("line.takt")
        try FileManager.default.copyItem(at: CLITests.root.appendingPathComponent("Examples/models/line.takt"), to: script)
        try checkReplay(script, warmup: 500, horizon: 10_000, stations: ["m1", "m2", "m3"])
    }

    func testParallelServersWithClockFailuresReplayed() throws {
        let dir = try temporaryFolder()
        let script = dir.appendingPathComponent("cell.takt")
        try """
        config { horizon: 5000min, warmup: 200min, seed: 4 }
        source raw { every: exponential(1min) }
        buffer b1 { capacity: 3 }
        station cell { servers: 2, process: gamma(2, 1.6min), failure { up: exponential(120min), down: exponential(9min), counts: clock } }
        buffer b2 { capacity: 2 }
        station pack { process: exponential(0.8min), failure { up: exponential(300min), down: 5min } }
        sink done
        flow raw -> b1 -> cell -> b2 -> pack -> done
        """.write(to: script, atomically: true, encoding: .utf8)
        try checkReplay(script, warmup: 200, horizon: 5_000, stations: ["cell", "pack"])
    }

    func testWhatIfRowsCarryTheirScenario() throws {
        let dir = try temporaryFolder()
        let script = dir.appendingPathComponent("w.takt")
        try (TraceCLITests.plant + """
        config { horizon: 100min, replications: 2 }
        what if m.servers = 2
        """).write(to: script, atomically: true, encoding: .utf8)
        let trace = dir.appendingPathComponent("t.csv")
        let r = try CLITests.run(["run", script.path, "--trace", trace.path])
        XCTAssertEqual(r.status, 0, r.err)
        let rows = try String(contentsOf: trace, encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertEqual(rows.first, "time,scenario,event,element,server,part,part_type")
        let scenarios = Set(rows.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false)[1] })
        XCTAssertEqual(scenarios, ["baseline", "variant"])
        // The variant's second server works: some row names server 2.
        XCTAssertTrue(rows.contains { $0.contains(",variant,start,m,2,") })
    }

    /// The REPL takes both flags: the trace and the page hold what the session simulated.
    func testReplSessionsTraceAndReport() throws {
        let dir = try temporaryFolder()
        let trace = dir.appendingPathComponent("s.csv"), page = dir.appendingPathComponent("s.html")
        let p = Process()
        p.executableURL = CLITests.binary
        p.arguments = ["repl", "--trace", trace.path, "--report", page.path]
        let input = Pipe(), out = Pipe()
        p.standardInput = input
        p.standardOutput = out
        p.standardError = out
        try p.run()
        input.fileHandleForWriting.write(Data((TraceCLITests.plant + """
        let r = simulate(horizon: 60min, replications: 2)
        print(r.done.count)

        """).utf8))
        try input.fileHandleForWriting.close()
        _ = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        let rows = try String(contentsOf: trace, encoding: .utf8).split(separator: "\n")
        XCTAssertGreaterThan(rows.count, 20)
        XCTAssertTrue(rows.allSatisfy { $0.hasPrefix("time,") || $0.contains(",baseline,") })
        let html = try String(contentsOf: page, encoding: .utf8)
        XCTAssertTrue(html.contains("id=\"run-1\"") && html.contains("Takt report: REPL session"))
    }

    func testBadTracePathsAndFailedRuns() throws {
        let dir = try temporaryFolder()
        let missing = try CLITests.run(["run", "Examples/models/line.takt", "--trace", dir.appendingPathComponent("no/such/t.csv").path])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.err.contains("does not exist"), missing.err)
        let folder = try CLITests.run(["run", "Examples/models/line.takt", "--trace", dir.path])
        XCTAssertEqual(folder.status, 2)
        // A run that fails after simulating leaves no trace file, and no temporary one.
        let script = dir.appendingPathComponent("f.takt")
        try (TraceCLITests.plant + """
        let r = simulate(horizon: 50min, replications: 1)
        let x = [1, 2][5]
        """).write(to: script, atomically: true, encoding: .utf8)
        let trace = dir.appendingPathComponent("t.csv")
        let failed = try CLITests.run(["run", script.path, "--trace", trace.path])
        XCTAssertEqual(failed.status, 1)
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("t.csv") }
        XCTAssertEqual(left, [])
    }
}
