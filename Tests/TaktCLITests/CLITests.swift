import Foundation
import XCTest

/// Runs the built `takt` executable as a user would.
final class CLITests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    var takt: URL { CLITests.binary }

    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["TAKT_BINARY"] { return URL(fileURLWithPath: path) }
        // The test executable sits beside `takt` in the build folder.
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        return dir.appendingPathComponent("takt")
    }

    struct Result { var status: Int32; var out: String; var err: String }

    func takt(_ args: [String], in dir: URL? = nil) throws -> Result {
        try CLITests.run(args, in: dir)
    }

    static func run(_ args: [String], in dir: URL? = nil, executable: URL? = nil) throws -> Result {
        let p = Process()
        p.executableURL = executable ?? binary
        p.arguments = args
        p.currentDirectoryURL = dir ?? CLITests.root
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, out: String(decoding: o, as: UTF8.self), err: String(decoding: e, as: UTF8.self))
    }

    func script(_ text: String, name: String = "s.takt") throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("takt-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    func testRunPrintsAndExitsZero() throws {
        let r = try takt(["run", "Examples/hello.takt"])
        XCTAssertEqual(r.status, 0)
        XCTAssertTrue(r.out.hasPrefix("hello from Takt, run 1\n"))
        XCTAssertEqual(r.err, "")
    }

    func testErrorsGoToStandardErrorInRustcShape() throws {
        let url = try script("let drill = 1\nflow_y = 3\n", name: "line.takt")
        let r = try takt(["run", url.lastPathComponent], in: url.deletingLastPathComponent())
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.out, "")
        XCTAssertEqual(r.err, """
        error: unknown name 'flow_y'
         --> line.takt:2:1
          |
        2 | flow_y = 3
          | ^^^^^^ not declared

        """)
    }

    func testUsageErrorsExitTwo() throws {
        XCTAssertEqual(try takt(["run"]).status, 2)
        XCTAssertEqual(try takt(["frobnicate"]).status, 2)
        XCTAssertEqual(try takt(["run", "Examples/hello.takt", "--seed", "x"]).status, 2)
        let bare = try takt(["run", "Examples/hello.takt", "--horizon", "200"])
        XCTAssertEqual(bare.status, 2)
        XCTAssertTrue(bare.err.contains("write 200min, not 200"))
        XCTAssertEqual(try takt(["run", "Examples/hello.takt", "--replications", "0"]).status, 2)
        XCTAssertEqual(try takt(["run", "Examples/hello.takt", "--horizon", "2d", "--warmup", "1h", "--jobs", "2", "--seed", "3", "--replications", "4", "--json"]).status, 0)
    }

    func testHelpExitsZero() throws {
        for args in [["--help"], ["run", "--help"], ["check", "--help"], ["test", "--help"]] {
            let r = try takt(args)
            XCTAssertEqual(r.status, 0, "\(args)")
            XCTAssertTrue(r.out.contains("USAGE"), "\(args)")
        }
    }

    func testMissingFileAndBadBytes() throws {
        let missing = try takt(["run", "no/such/file.takt"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.err.contains("cannot read 'no/such/file.takt'"))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("takt-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let bad = dir.appendingPathComponent("bad.takt")
        try Data([0x70, 0x0A, 0x61, 0xFF]).write(to: bad)
        let r = try takt(["run", bad.path])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.err.contains("invalid UTF-8 byte 0xFF"))
        XCTAssertTrue(r.err.contains("bad.takt:2:2"))
    }

    func testCheckDoesNotRun() throws {
        let url = try script("print(\"ran\")\n")
        let r = try takt(["check", url.path])
        XCTAssertEqual(r.status, 0)
        XCTAssertEqual(r.out, "")
        let bad = try script("print(x)\n")
        XCTAssertEqual(try takt(["check", bad.path]).status, 1)
    }

    func testTestCommandOverExamples() throws {
        let r = try takt(["test"])
        XCTAssertEqual(r.status, 0, r.out)
        XCTAssertTrue(r.out.hasSuffix(" passed, 0 failed\n"), r.out)
        XCTAssertFalse(r.out.contains("FAIL"))
    }

    func testTestCommandReportsFailures() throws {
        let good = try script("print(1) # expect: 1\n", name: "good.takt")
        let dir = good.deletingLastPathComponent()
        try "print(2) # expect: 3\n".write(to: dir.appendingPathComponent("bad.takt"), atomically: true, encoding: .utf8)
        try "print(1 / 0) # expect error: division by zero\n".write(to: dir.appendingPathComponent("err.takt"), atomically: true, encoding: .utf8)
        let r = try takt(["test", dir.path])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.out.contains("FAIL \(dir.path)/bad.takt: output line 1: expected \"3\", got \"2\""), r.out)
        XCTAssertTrue(r.out.hasSuffix("2 passed, 1 failed\n"), r.out)
    }

    func testDeepInputsEndInErrorsNotCrashes() throws {
        let parens = try script("print(" + String(repeating: "(", count: 200_000) + "1" + String(repeating: ")", count: 200_000) + ")\n")
        let p = try takt(["run", parens.path])
        XCTAssertEqual(p.status, 1)
        XCTAssertTrue(p.err.contains("nested too deeply"))
        let recursion = try script("fn f(n) { return f(n + 1) }\nf(0)\n")
        let r = try takt(["run", recursion.path])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.err.contains("calls nested too deeply"))
    }

    func testInterruptExits130() throws {
        let url = try script("while true { }\n")
        let p = Process()
        p.executableURL = takt
        p.arguments = ["run", url.path]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = Pipe()
        try p.run()
        // Wait until the loop is running, then interrupt.
        Thread.sleep(forTimeInterval: 0.3)
        kill(p.processIdentifier, SIGINT)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 130)
        XCTAssertEqual(p.terminationReason, .exit)
    }
}

/// The REPL driven through a pipe: plain lines in, no prompt, no history.
final class ReplPipeTests: XCTestCase {
    func repl(_ input: String, args: [String] = []) throws -> (out: String, err: String, status: Int32) {
        let p = Process()
        p.executableURL = CLITests.binary
        p.arguments = ["repl"] + args
        p.currentDirectoryURL = CLITests.root
        var env = ProcessInfo.processInfo.environment
        env["TAKT_HISTORY"] = FileManager.default.temporaryDirectory.appendingPathComponent("takt-pipe-\(UUID().uuidString)").path
        p.environment = env
        let stdin = Pipe(), out = Pipe(), err = Pipe()
        p.standardInput = stdin
        p.standardOutput = out
        p.standardError = err
        try p.run()
        stdin.fileHandleForWriting.write(input.data(using: .utf8)!)
        try stdin.fileHandleForWriting.close()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        XCTAssertFalse(FileManager.default.fileExists(atPath: env["TAKT_HISTORY"]!), "a pipe keeps no history")
        return (String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self), p.terminationStatus)
    }

    func testValuesArePrintedAndStateSurvivesErrors() throws {
        let r = try repl("let x = 2\nx * 21\nprint(\"hi\")\nnil\nmissing\nx + 1\nlet xs = [1,\n2]\nxs\n")
        XCTAssertEqual(r.out, "42\nhi\n3\n[1, 2]\n")
        XCTAssertTrue(r.err.contains("error: unknown name 'missing'"))
        XCTAssertTrue(r.err.contains("--> <repl>:1:1"))
        XCTAssertEqual(r.status, 0)
    }

    func testShadowingAndRedeclaringElements() throws {
        let r = try repl("let t = 1\nlet t = t + 1\nt\nfn f() { return 1 }\nfn f() { return 2 }\nf()\n")
        XCTAssertEqual(r.out, "2\n2\n")
    }

    /// A variable may not take an element's name: the model's flows would dangle and every
    /// later input would fail. The session goes on as it was.
    func testAnElementNameIsNotRebound() throws {
        let r = try repl("source s { every: exponential(1min) }\nstation m { process: 30s }\nsink d\nflow s -> m -> d\n"
                         + "let m = 3\nfn m() { 1 }\nm\nm.servers = 2\nm.servers\n")
        XCTAssertTrue(r.err.contains("'m' is a station of the model"), r.err)
        XCTAssertEqual(r.err.components(separatedBy: "is a station of the model").count, 3, r.err)
        XCTAssertEqual(r.out, "station m\n2\n")
    }

    func testLoadWhatIfAndModel() throws {
        let r = try repl(":load Examples/models/line.takt\nwhat if m2.servers = 2\nm2.servers\n:model\n:load no/such.takt\nm1\n:reload\n:quit\nm1\n")
        XCTAssertTrue(r.out.hasPrefix("loaded Examples/models/line.takt\nwhat if m2.servers = 2\n"), r.out)
        XCTAssertTrue(r.out.contains("\nthroughput  "), r.out)
        XCTAssertTrue(r.out.contains("\n1\nsource raw { saturated: true }\n"), r.out)
        XCTAssertTrue(r.out.contains("flow m3 -> done\n"), r.out)
        XCTAssertTrue(r.err.contains("cannot read 'no/such.takt'"), r.err)
        XCTAssertTrue(r.out.hasSuffix("station m1\nloaded Examples/models/line.takt\n"), r.out)
    }

    func testModelBuiltPieceByPiece() throws {
        let r = try repl("""
        config { horizon: 1000min, replications: 2 }
        source jobs { every: exponential(2min) }
        station m { process: exponential(1min) }
        simulate()
        sink done
        flow jobs -> m -> done
        simulate().m.processed.n
        m.servers = 2
        m.servers
        :help
        """ + "\n")
        XCTAssertTrue(r.err.contains("'m' has no outgoing flow") || r.err.contains("the model has no sink"), r.err)
        XCTAssertTrue(r.out.hasPrefix("2\n2\nType statements"), r.out)
    }

    func testUnknownCommand() throws {
        let r = try repl(":modle\n")
        XCTAssertTrue(r.err.contains("unknown command ':modle'; did you mean ':model'?"), r.err)
    }
}

final class RunFlagTests: XCTestCase {
    func testNoCRNWidensTheDeltas() throws {
        let crn = try CLITests.run(["run", "Examples/whatif/second_server.takt"])
        let fresh = try CLITests.run(["run", "Examples/whatif/second_server.takt", "--no-crn"])
        XCTAssertEqual(crn.status, 0)
        XCTAssertEqual(fresh.status, 0)
        XCTAssertTrue(crn.out.contains("common random numbers"))
        XCTAssertTrue(fresh.out.contains("independent streams"))
    }
}

/// `takt gym`: the JSON-lines protocol of docs/agents.md.
final class GymCLITests: XCTestCase {
    static let plant = """
    source jobs { every: exponential(1.25min) }
    station fast { process: exponential(1min) }
    station slow { process: exponential(2min) }
    sink done
    flow jobs -> [fast, slow] by agent dispatcher
    flow fast -> done
    flow slow -> done
    agent dispatcher { observe: [fast.count, slow.count]; reward: -wip; train: 10 episodes of 30min }
    print("not printed by gym")
    train dispatcher

    """

    /// `takt gym` started on the plant above, in a folder of its own, with pipes to talk to it.
    func startGym(agent: String) throws -> (process: Process, stdin: Pipe, out: Pipe, err: Pipe) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("takt-gym-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try GymCLITests.plant.write(to: dir.appendingPathComponent("plant.takt"), atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = CLITests.binary
        p.arguments = ["gym", "plant.takt", "--agent", agent]
        p.currentDirectoryURL = dir
        let stdin = Pipe(), out = Pipe(), err = Pipe()
        p.standardInput = stdin
        p.standardOutput = out
        p.standardError = err
        try p.run()
        return (p, stdin, out, err)
    }

    func gym(_ input: String, agent: String = "dispatcher") throws -> CLITests.Result {
        let (p, stdin, out, err) = try startGym(agent: agent)
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return CLITests.Result(status: p.terminationStatus, out: String(decoding: o, as: UTF8.self), err: String(decoding: e, as: UTF8.self))
    }

    func testAnEpisodeRunsToItsTruncationAndBadLinesGetErrors() throws {
        var input = "{\"step\": 0}\n{\"reset\": 4}\nnot json\n{\"step\": 2}\n{\"step\": \"a\"}\n{\"jump\": 1}\n"
        input += String(repeating: "{\"step\": 1}\n", count: 200)
        let r = try gym(input)
        XCTAssertEqual(r.status, 0, r.err)
        let lines = r.out.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines[0].hasPrefix("{\"error\": \"no episode"), lines[0])
        XCTAssertTrue(lines[1].hasPrefix("{\"observation\": [0, 0], \"reward\": 0, \"terminated\": false, \"truncated\": false"), lines[1])
        XCTAssertTrue(lines[2].hasPrefix("{\"error\": \"expected one JSON object"), lines[2])
        XCTAssertTrue(lines[3].hasPrefix("{\"error\": \"action 2 is out of range"), lines[3])
        XCTAssertTrue(lines[4].hasPrefix("{\"error\": \"step takes an action"), lines[4])
        XCTAssertTrue(lines[5].hasPrefix("{\"error\": \"unknown request 'jump'"), lines[5])
        // About 24 decisions in 30 minutes, then the truncated end, then errors for steps past it.
        let end = try XCTUnwrap(lines.firstIndex { $0.contains("\"truncated\": true") })
        XCTAssertTrue(lines[end].contains("\"time\": 30,"), lines[end])
        XCTAssertTrue(lines[end + 1].hasPrefix("{\"error\": \"the episode has ended"), lines[end + 1])
        XCTAssertFalse(r.out.contains("not printed"))
        // The rewards of an episode add up to minus the integral of WIP: all are <= 0.
        for line in lines[6...end] {
            let data = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            XCTAssertLessThanOrEqual(try XCTUnwrap(data?["reward"] as? Double), 0)
        }
    }

    func testTheSameSeedGivesTheSameEpisode() throws {
        let episode = "{\"reset\": 9}\n" + String(repeating: "{\"step\": 0}\n", count: 10)
        let r = try gym(episode + episode)
        let lines = r.out.split(separator: "\n")
        XCTAssertEqual(Array(lines[0..<11]), Array(lines[11..<22]))
    }

    func testAnUnknownAgentIsAUsageError() throws {
        let r = try gym("", agent: "dispatch")
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.err.contains("the script has no agent 'dispatch' (its agents: dispatcher)"), r.err)
    }

    /// A client that goes away mid-episode ends the server, with no hang.
    func testAClientThatDisappearsEndsTheServer() throws {
        let (p, stdin, out, _) = try startGym(agent: "dispatcher")
        stdin.fileHandleForWriting.write(Data("{\"reset\": 1}\n{\"step\": 0}\n".utf8))
        try out.fileHandleForReading.close()
        try stdin.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(20)
        while p.isRunning && Date() < deadline { usleep(10_000) }
        XCTAssertFalse(p.isRunning, "takt gym still runs after its client went away")
        if p.isRunning { p.terminate() }
    }
}
