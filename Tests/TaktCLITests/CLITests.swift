import Foundation
import XCTest

/// Runs the built `takt` executable as a user would.
final class CLITests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    var takt: URL {
        if let path = ProcessInfo.processInfo.environment["TAKT_BINARY"] { return URL(fileURLWithPath: path) }
        // The test executable sits beside `takt` in the build folder.
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        return dir.appendingPathComponent("takt")
    }

    struct Result { var status: Int32; var out: String; var err: String }

    func takt(_ args: [String], in dir: URL? = nil) throws -> Result {
        let p = Process()
        p.executableURL = takt
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
