import Foundation
import XCTest

/// The inputs a fuzz campaign found crashing or stalling takt (issue: "never crash, never
/// hang"): each must now end with a clear error and the right exit status.
final class HostileInputTests: XCTestCase {
    func folder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("takt-hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    func testADirectoryGivenAsAScriptIsAnError() throws {
        let dir = try folder()
        for command in ["run", "check"] {
            let r = try CLITests.run([command, dir.path])
            XCTAssertEqual(r.status, 1, command)
            XCTAssertTrue(r.err.contains("cannot read '\(dir.path)': it is a directory"), r.err)
        }
    }

    func testADeviceGivenAsAScriptIsRefusedAtOnce() throws {
        let r = try CLITests.run(["check", "/dev/zero"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.err.contains("cannot read '/dev/zero': it is not a regular file"), r.err)
    }

    func testAMissingFileIsAnError() throws {
        let r = try CLITests.run(["run", "/no/such/script.takt"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.err.contains("no such file"), r.err)
    }

    func testTestSkipsFoldersNamedLikeScripts() throws {
        let dir = try folder()
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("sub.takt"), withIntermediateDirectories: true)
        try "print(1) # expect: 1\n".write(to: dir.appendingPathComponent("one.takt"), atomically: true, encoding: .utf8)
        let r = try CLITests.run(["test", dir.path])
        XCTAssertEqual(r.status, 0, r.out + r.err)
        XCTAssertEqual(r.out, "1 passed, 0 failed\n")
    }

    func testAScriptTooLargeIsRefused() throws {
        let dir = try folder()
        let big = dir.appendingPathComponent("big.takt")
        FileManager.default.createFile(atPath: big.path, contents: Data(count: (16 << 20) + 1))
        let r = try CLITests.run(["check", big.path])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.err.contains("it is larger than 16 MiB"), r.err)
    }

    func testAScriptCanComeThroughAPipe() throws {
        let p = Process()
        p.executableURL = CLITests.binary
        p.arguments = ["run", "/dev/stdin"]
        let input = Pipe(), out = Pipe()
        p.standardInput = input
        p.standardOutput = out
        try p.run()
        input.fileHandleForWriting.write("print(6 * 7)\n".data(using: .utf8)!)
        try input.fileHandleForWriting.close()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        XCTAssertEqual(text, "42\n")
    }

    func testNumericFlagsAreBoundedLikeTheScriptSettings() throws {
        for (flag, value) in [("--replications", "9223372036854775807"), ("--replications", "1000001"), ("--jobs", "1025"),
                              ("--jobs", "0")] {
            let r = try CLITests.run(["run", "Examples/hello.takt", flag, value])
            XCTAssertEqual(r.status, 2, "\(flag) \(value)")
            XCTAssertTrue(r.err.contains(flag), r.err)
        }
        XCTAssertEqual(try CLITests.run(["run", "Examples/hello.takt", "--replications", "1000000", "--jobs", "1024"]).status, 0)
    }

    func testWhatIfTargetsAreCheckedBeforeAnythingRuns() throws {
        let r = try CLITests.run(["check", "Examples/errors/whatif_unknown_failure.takt"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.err.contains("the station 'm1' has no failure 'wer'"), r.err)
        XCTAssertTrue(r.err.contains("whatif_unknown_failure.takt:8:12"), r.err)
    }

    /// Ctrl-C while a large script is being checked stops the check: exit 130, not 0.
    func testCtrlCStopsAChecking() throws {
        var lines = ["var v = 0"]
        for i in 0..<150_000 { lines.append("v = v + \(i) * 2 - [1, 2, \"abc\"][1]") }
        let dir = try folder()
        let url = dir.appendingPathComponent("long.takt")
        try lines.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = CLITests.binary
        p.arguments = ["check", url.path]
        p.standardError = Pipe()
        try p.run()
        Thread.sleep(forTimeInterval: 0.5)
        p.interrupt()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationReason, .exit)
        XCTAssertEqual(p.terminationStatus, 130)
    }

    /// Ten million servers need more memory than a 3 GB address space leaves two workers:
    /// the run goes on fewer workers, or says how much it needs, and never aborts.
    func testAPlantTooLargeForMemoryIsRefusedWithAFigure() throws {
        var text = "config { horizon: 1min, replications: 2 }\nsource jobs { every: 1min }\n"
        for i in 1...100 { text += "station m\(i) { servers: 100000, process: 1min }\n" }
        text += "sink done\nflow jobs -> " + (1...100).map { "m\($0)" }.joined(separator: " -> ") + " -> done\n"
        let dir = try folder()
        let url = dir.appendingPathComponent("huge.takt")
        try text.write(to: url, atomically: true, encoding: .utf8)
        let r = try CLITests.run(["/bin/sh", "-c", "ulimit -v 1800000; exec \"$0\" run \"$1\"", CLITests.binary.path, url.path],
                                 executable: URL(fileURLWithPath: "/usr/bin/env"))
        XCTAssertEqual(r.status, 1, r.err)
        XCTAssertTrue(r.err.contains("the plant needs about"), r.err)
        XCTAssertTrue(r.err.contains("huge.takt:3:1"), r.err)
    }
}
