import Foundation
import XCTest

/// `--set`, warnings and `--quiet-warnings`, and optimization output, as a user meets them.
final class ParamCLITests: XCTestCase {
    let plant = """
    config { horizon: 300min, replications: 2, seed: 1 }
    param rate = 0.5
    param label = "base"
    let gap = 1min / rate
    source s { every: exponential(gap) }
    station m { process: exponential(1min) }
    sink done
    flow s -> m -> done
    print(label, rate)
    reward served = done.count
    let r = simulate()

    """

    func file(_ text: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("takt-param-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent("p.takt")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    func testSetGivesParamsTheirValues() throws {
        let url = try file(plant)
        let r = try CLITests.run(["run", url.path, "--set", "rate=0.25", "--set", "label=north", "--quiet-warnings"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.out, "north 0.25\n")
        XCTAssertEqual(r.err, "")
    }

    func testSetMistakesAreUsageErrors() throws {
        let url = try file(plant)
        for (args, text) in [(["--set", "rat=1"], "did you mean 'rate'?"), (["--set", "rate=2min"], "is a number, not a duration"),
                             (["--set", "rate=1", "--set", "rate=2"], "given twice"), (["--set", "rate"], "--set takes NAME=VALUE")] {
            let r = try CLITests.run(["run", url.path] + args)
            XCTAssertEqual(r.status, 2, "\(args)")
            XCTAssertTrue(r.err.contains(text), r.err)
            XCTAssertEqual(r.out, "", "nothing runs after a usage error")
        }
    }

    func testWarningsGoToStandardErrorUnlessQuiet() throws {
        let url = try file(plant)
        let loud = try CLITests.run(["run", url.path])
        XCTAssertEqual(loud.status, 0)
        XCTAssertTrue(loud.err.hasPrefix("warning: 'gap' is computed from the param 'rate' once"), loud.err)
        XCTAssertTrue(loud.err.contains("p.takt:5:31"), loud.err)
        let check = try CLITests.run(["check", url.path])
        XCTAssertEqual(check.status, 0)
        XCTAssertTrue(check.err.hasPrefix("warning:"), check.err)
        XCTAssertEqual(try CLITests.run(["check", url.path, "--quiet-warnings"]).err, "")
    }

    func testModelWarningsKeepTheExitStatusAndCanBeSilenced() throws {
        let loud = try CLITests.run(["run", "Examples/errors/warning_overload.takt"])
        XCTAssertEqual(loud.status, 0)
        XCTAssertEqual(loud.out, "2\n")
        XCTAssertTrue(loud.err.hasPrefix("warning: 'paint' is overloaded: it receives 1.12/min"), loud.err)
        XCTAssertEqual(loud.err.split(separator: "\n").filter { $0.hasPrefix("warning:") }.count, 1, "printed once")
        let quiet = try CLITests.run(["run", "Examples/errors/warning_overload.takt", "--quiet-warnings"])
        XCTAssertEqual(quiet.status, 0)
        XCTAssertEqual(quiet.err, "")
    }

    /// Byte for byte across processes (each hashes with its own seed, so nothing may depend on
    /// a dictionary's order) and numbers of workers.
    func testAnOptimizationPrintsTheSameInEveryProcess() throws {
        let url = try file("""
        config { horizon: 1000min, seed: 5 }
        param speed = 1.0
        source raw { saturated: true }
        station m1 { process: exponential(1min / speed), failure { up: exponential(60min), down: exponential(6min) } }
        buffer b { capacity: 2 }
        station m2 { process: exponential(1min) }
        sink done
        flow raw -> m1 -> b -> m2 -> done
        reward net = 10 * throughput * 100min - 200 * speed - 20 * b.capacity
        reward cost = 3 * b.capacity
        maximize net { vary speed in [0.8, 1.0, 1.2, 1.5]; vary b.capacity in 0...6; budget: 80; replications: 3 }
        pareto { maximize net; minimize cost; vary b.capacity in 0...4; budget: 30 }

        """)
        var outputs = Set<String>()
        for jobs in ["1", "2", "1", "2", "3"] {
            let r = try CLITests.run(["run", url.path, "--json", "--jobs", jobs])
            XCTAssertEqual(r.status, 0, r.err)
            outputs.insert(r.out)
        }
        XCTAssertEqual(outputs.count, 1)
    }

    func testOptimizationPrintsJSONAndNoProgressOffATerminal() throws {
        let url = try file(plant.replacingOccurrences(of: "let r = simulate()", with: "")
                                .replacingOccurrences(of: "exponential(gap)", with: "exponential(1min / rate)")
                           + "maximize served { vary rate in [0.3, 0.6]; budget: 12 }\n")
        let r = try CLITests.run(["run", url.path, "--json"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.err, "", "progress shows only on a terminal")
        let line = r.out.split(separator: "\n").last.map(String.init) ?? ""
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        XCTAssertEqual(object?["maximize"] as? String, "served")
        XCTAssertEqual((object?["config"] as? [String: Any])?["rate"] as? Double, 0.6)
        XCTAssertLessThanOrEqual(object?["runs"] as? Int ?? 99, 12)
    }
}
