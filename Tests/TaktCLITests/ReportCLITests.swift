import Foundation
import XCTest

/// `takt run --report`: the page is self-contained (no reference outside itself, no script),
/// opens in headless Chromium (Debian's `chromium`, which .ci/setup installs) with its sections,
/// and stays small for a large plant.
final class ReportCLITests: XCTestCase {
    func temporaryFolder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("takt-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Runs a script with `--report` and returns the page.
    func report(_ script: URL, _ extra: [String] = []) throws -> (page: String, url: URL) {
        let page = script.deletingLastPathComponent().appendingPathComponent(script.deletingPathExtension().lastPathComponent + ".html")
        let r = try CLITests.run(["run", script.lastPathComponent, "--report", page.path] + extra, in: script.deletingLastPathComponent())
        XCTAssertEqual(r.status, 0, r.err)
        return (try String(contentsOf: page, encoding: .utf8), page)
    }

    /// Nothing in the page refers to anything outside it.
    func assertSelfContained(_ page: String, file: StaticString = #filePath, line: UInt = #line) {
        for needle in ["<script", "src=", "href=", "url(", "@import", "http:", "https:", "<link", "<img", "<iframe"] {
            XCTAssertFalse(page.lowercased().contains(needle), "the page contains \(needle)", file: file, line: line)
        }
    }

    func copyExample(_ path: String, into dir: URL) throws -> URL {
        let source = CLITests.root.appendingPathComponent(path)
        let target = dir.appendingPathComponent(source.lastPathComponent)
        try FileManager.default.copyItem(at: source, to: target)
        return target
    }

    var chromium: URL? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser"].map(URL.init(fileURLWithPath:))
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    func testTheLinesReportOpensInChromium() throws {
        let dir = try temporaryFolder()
        let (page, url) = try report(try copyExample("Examples/models/line.takt", into: dir))
        assertSelfContained(page)
        for id in ["settings", "results", "run-1"] { XCTAssertTrue(page.contains("id=\"\(id)\""), id) }
        XCTAssertTrue(page.contains("◀ bottleneck"))
        XCTAssertTrue(page.contains("Cycle time (replication 1"))
        XCTAssertTrue(page.contains("WIP and buffer levels over time"))
        guard let chromium else {
            if ProcessInfo.processInfo.environment["TAKT_REQUIRE_CHROMIUM"] != nil { XCTFail("chromium is not installed") }
            throw XCTSkip("chromium is not installed (.ci/setup installs it)")
        }
        let flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
        // The DOM as Chromium parsed it: every section and chart is there.
        let dom = try CLITests.run(flags + ["--dump-dom", url.absoluteString], executable: chromium)
        XCTAssertEqual(dom.status, 0, dom.err)
        for id in ["settings", "results", "run-1"] { XCTAssertTrue(dom.out.contains("id=\"\(id)\""), "DOM lacks \(id)") }
        XCTAssertEqual(dom.out.components(separatedBy: "<svg").count, page.components(separatedBy: "<svg").count)
        XCTAssertTrue(dom.out.contains("Takt report: line.takt"))
        // A screenshot of the page.
        let shot = url.deletingLastPathComponent().appendingPathComponent("line.png")
        let s = try CLITests.run(flags + ["--window-size=1100,2200", "--screenshot=\(shot.path)", url.absoluteString], executable: chromium)
        XCTAssertEqual(s.status, 0, s.err)
        let png = try Data(contentsOf: shot)
        XCTAssertGreaterThan(png.count, 20_000)
        XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
    }

    func testComparisonsOptimizationAndLearningHaveTheirSections() throws {
        let dir = try temporaryFolder()
        let whatIf = try report(try copyExample("Examples/whatif/scenarios.takt", into: dir)).page
        assertSelfContained(whatIf)
        XCTAssertTrue(whatIf.contains("id=\"comparisons\""))
        XCTAssertTrue(whatIf.contains("aria-label=\"delta\""))
        let optimize = try report(try copyExample("Examples/optimize/buffer_line.takt", into: dir)).page
        assertSelfContained(optimize)
        XCTAssertTrue(optimize.contains("id=\"optimization\""))
        XCTAssertTrue(optimize.contains("aria-label=\"optimizer progress\""))
        XCTAssertTrue(optimize.contains("aria-label=\"effect\""))
        let pareto = try report(try copyExample("Examples/optimize/pareto.takt", into: dir)).page
        assertSelfContained(pareto)
        XCTAssertTrue(pareto.contains("aria-label=\"pareto front\""))
        XCTAssertTrue(pareto.contains("<th>cost (minimize)</th>"))
        for name in ["dispatcher.takt", "dispatcher.saved.json"] {
            _ = try copyExample("Examples/agents/" + name, into: dir)
        }
        let learning = try report(dir.appendingPathComponent("dispatcher.takt")).page
        assertSelfContained(learning)
        XCTAssertTrue(learning.contains("id=\"learning\""))
        XCTAssertTrue(learning.contains("aria-label=\"learning curve\""))
    }

    /// A 30-day, 10-replication run of a 20-station line: the page stays under 2 MB.
    func testTheReportOfATwentyStationPlantIsSmall() throws {
        let dir = try temporaryFolder()
        var text = "config { horizon: 30d, replications: 10 }\nsource raw { every: exponential(1min) }\n"
        for i in 1...20 {
            text += "buffer b\(i) { capacity: 5 }\n"
            text += "station m\(i) { process: exponential(0.8min), failure { up: exponential(600min), down: exponential(20min) } }\n"
        }
        text += "sink done\nflow raw -> " + (1...20).map { "b\($0) -> m\($0)" }.joined(separator: " -> ") + " -> done\n"
        let script = dir.appendingPathComponent("plant20.takt")
        try text.write(to: script, atomically: true, encoding: .utf8)
        let (page, _) = try report(script)
        assertSelfContained(page)
        XCTAssertLessThan(page.utf8.count, 2_000_000)
        XCTAssertTrue(page.contains("more buffers are not drawn"))
        print("report of a 20-station plant, 30 days, 10 replications: \(page.utf8.count) bytes")
    }

    func testBadReportPaths() throws {
        let dir = try temporaryFolder()
        let missing = try CLITests.run(["run", "Examples/models/line.takt", "--report", dir.appendingPathComponent("no/r.html").path])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.err.contains("does not exist"), missing.err)
        // A failed script writes no page.
        let script = dir.appendingPathComponent("f.takt")
        try "let x = [1][3]\n".write(to: script, atomically: true, encoding: .utf8)
        let failed = try CLITests.run(["run", script.path, "--report", dir.appendingPathComponent("f.html").path])
        XCTAssertEqual(failed.status, 1)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("f.html") }, [])
    }
}
