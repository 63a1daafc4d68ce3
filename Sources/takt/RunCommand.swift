import ArgumentParser
import Foundation
import TaktLanguage

/// A duration flag such as `20000min` or `30d`; a bare number is a usage error.
struct DurationArgument {
    let seconds: Double

    @Sendable static func parse(_ argument: String) throws -> DurationArgument {
        let file = SourceFile(name: "<flag>", text: argument)
        var lexer = Lexer(file: file)
        let tokens = lexer.tokenize()
        if lexer.diagnostics.isEmpty, tokens.count == 3 {
            if case .duration(let s) = tokens[0].kind { return DurationArgument(seconds: s) }
            if case .number = tokens[0].kind {
                throw ValidationError("'\(argument)' needs a time unit: write \(argument)min, not \(argument)")
            }
        }
        throw ValidationError("'\(argument)' is not a duration such as 20000min or 30d (units: ms, s, min, h, d, w)")
    }
}

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Execute a script.")

    @Argument(help: "The script to run.")
    var file: String

    @Option(help: "Seed of the random streams (a whole number >= 0).")
    var seed: UInt64?

    @Option(help: "Replications per simulation (>= 1).")
    var replications: Int?

    @Option(help: ArgumentHelp("Observed length of a run, a duration such as 30d.", valueName: "duration"), transform: DurationArgument.parse)
    var horizon: DurationArgument?

    @Option(help: ArgumentHelp("Warm-up before statistics are kept, a duration such as 1d.", valueName: "duration"), transform: DurationArgument.parse)
    var warmup: DurationArgument?

    @Option(help: "Worker threads for replications (>= 1; default: all cores).")
    var jobs: Int?

    @Flag(help: "Print results as JSON.")
    var json = false

    @Flag(name: .customLong("no-crn"), help: "Give every scenario fresh random streams instead of common random numbers.")
    var noCRN = false

    @Option(name: .customLong("set"), help: ArgumentHelp("Give a param a value, such as speed=1.2 (repeatable).", valueName: "name=value"))
    var paramSettings: [String] = []

    @Flag(name: .customLong("quiet-warnings"), help: "Do not print the checker's warnings.")
    var quietWarnings = false

    @Option(help: ArgumentHelp("Write every event of replication 1 of each simulation to this CSV file.", valueName: "file.csv"))
    var trace: String?

    @Option(help: ArgumentHelp("Write a self-contained HTML page of the run's results and pictures.", valueName: "file.html"))
    var report: String?

    func validate() throws {
        if let r = replications, r < 1 || r > RunSettings.maxReplications {
            throw ValidationError("--replications must be a whole number from 1 to \(RunSettings.maxReplications)")
        }
        if let j = jobs, j < 1 || j > RunSettings.maxJobs {
            throw ValidationError("--jobs must be a whole number from 1 to \(RunSettings.maxJobs)")
        }
        if let h = horizon, h.seconds <= 0 { throw ValidationError("--horizon must be a duration > 0") }
        if let w = warmup, w.seconds < 0 { throw ValidationError("--warmup must be a duration >= 0") }
        if let t = trace { try Terminal.checkOutputPath(t, flag: "--trace") }
        if let r = report { try Terminal.checkOutputPath(r, flag: "--report") }
    }

    func run() throws {
        let file = try Terminal.loadScript(self.file)
        let seed = self.seed, replications = self.replications, horizon = self.horizon, warmup = self.warmup, jobs = self.jobs
        let json = self.json, noCRN = self.noCRN
        var options = RunOptions()
        options.paramSettings = paramSettings
        options.warnings = quietWarnings ? { _ in } : { Terminal.report($0) }
        options.progress = Terminal.progressLine
        options.trace = try Terminal.openTrace(trace)
        if report != nil { options.report = Report(scriptName: (self.file as NSString).lastPathComponent) }
        let outcome = ScriptRunner.run(file, output: Terminal.standardOutput, overrides: { s in
            if let v = seed { s.seed = v }
            if let v = replications { s.replications = v }
            if let v = horizon { s.horizon = v.seconds }
            if let v = warmup { s.warmup = v.seconds }
            if let v = jobs { s.jobs = v }
            if json { s.json = true }
            if noCRN { s.crn = false }
        }, options: options)
        fflush(stdout)
        if case .success = outcome {
            try Terminal.writeOutputs(trace: options.trace, report: options.report, reportPath: report)
        }
        options.trace?.abandon()
        switch outcome {
        case .success:
            return
        case .failure(let diagnostics):
            Terminal.report(diagnostics)
            throw Exit(status: 1)
        case .interrupted:
            Terminal.standardError("interrupted\n")
            throw Exit(status: 130)
        case .usage(let message):
            Terminal.standardError("Error: \(message)\nUsage: takt run <file> [--set <name=value> ...] (see takt run --help)\n")
            throw Exit(status: 2)
        }
    }
}
