import ArgumentParser
import Foundation
import TaktLanguage

struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run scripts and compare their output with their '# expect:' lines.",
        discussion: "With no PATH, runs the *.takt files under Examples/ (or the current folder when there is none)."
    )

    @Argument(help: "Scripts or folders of scripts.")
    var paths: [String] = []

    func run() throws {
        var roots = paths
        if roots.isEmpty {
            var isDir: ObjCBool = false
            roots = [FileManager.default.fileExists(atPath: "Examples", isDirectory: &isDir) && isDir.boolValue ? "Examples" : "."]
        }
        var scripts: [String] = []
        for root in roots {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root, isDirectory: &isDir) else {
                Terminal.standardError("error: no such file or folder '\(root)'\n")
                throw Exit(status: 1)
            }
            if isDir.boolValue {
                // Folders whose names end in .takt are searched, not run.
                let found = (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? [])
                    .filter { $0.hasSuffix(".takt") }
                    .sorted()
                    .map { root.hasSuffix("/") ? root + $0 : root + "/" + $0 }
                    .filter { var d: ObjCBool = false; return !(FileManager.default.fileExists(atPath: $0, isDirectory: &d) && d.boolValue) }
                scripts += found
            } else {
                scripts.append(root)
            }
        }
        var passed = 0, failed = 0
        for path in scripts {
            if interruptRequested.load(ordering: .relaxed) { throw Exit(status: 130) }
            if let reason = TestCommand.failure(of: path) {
                if reason == TestCommand.interruptedReason {
                    Terminal.standardError("interrupted\n")
                    throw Exit(status: 130)
                }
                failed += 1
                Terminal.standardOutput("FAIL \(path): \(reason)\n")
            } else {
                passed += 1
            }
            fflush(stdout)
        }
        Terminal.standardOutput("\(passed) passed, \(failed) failed\n")
        if failed > 0 { throw Exit(status: 1) }
    }

    static let interruptedReason = "interrupted"

    /// Runs one script in-process; nil when it meets its expectations.
    static func failure(of path: String) -> String? {
        let bytes: [UInt8]
        switch FileReader.read(path: path) {
        case .failure(.interrupted): return interruptedReason
        case .failure(let f): return "cannot read it: \(f.reason)"
        case .success(let b): bytes = b
        }
        let file: SourceFile
        switch SourceFile.decode(name: path, bytes: bytes) {
        case .failure(let d):
            // A file that cannot be decoded may still expect exactly that error.
            let expectations = Expectations(text: String(decoding: bytes, as: UTF8.self))
            return expectations.mismatch(output: "", outcome: .failure([d]))
        case .success(let f):
            file = f
        }
        var text = String.UnicodeScalarView()
        text.append(contentsOf: file.scalars)
        let expectations = Expectations(text: String(text))
        var printed = ""
        var warnings: [Diagnostic] = []
        var options = RunOptions()
        options.warnings = { warnings += $0 }
        let outcome = ScriptRunner.run(file, output: { printed += $0 }, options: options)
        if case .interrupted = outcome { return interruptedReason }
        return expectations.mismatch(output: printed, outcome: outcome) ?? expectations.warningMismatch(warnings)
    }
}
