import Foundation

/// How a script run ended.
public enum RunOutcome {
    case success
    case failure([Diagnostic])
    case interrupted
    /// A wrong use of the command line found once the script was read (`--set` of an unknown param).
    case usage(String)
}

/// What a host adds to a script run besides its output.
public struct RunOptions {
    /// `--set NAME=VALUE` items, checked against the script's params before it starts.
    public var paramSettings: [String] = []
    /// Told the checker's warnings before the script runs.
    public var warnings: ([Diagnostic]) -> Void = { _ in }
    /// Where optimizations show progress; nil for none.
    public var progress: ((String?) -> Void)?
    /// `--trace`: where each simulation's first replication writes its events.
    public var trace: TraceFile?
    /// `--report`: what the page shows, collected as the script runs.
    public var report: Report?

    public init() {}
}

/// Loading, checking and running whole scripts: what `takt run`, `takt check` and `takt test`
/// share. Output goes to the caller's sink; nothing here prints.
public enum ScriptRunner {
    /// Reads and decodes a file; an unreadable file is a diagnostic without a location.
    public static func load(path: String, displayName: String? = nil) -> Result<SourceFile, Diagnostic> {
        switch FileReader.read(path: path) {
        case .failure(let failure):
            return .failure(Diagnostic("cannot read '\(path)': \(failure.reason)", at: nil))
        case .success(let bytes):
            return SourceFile.decode(name: displayName ?? path, bytes: bytes)
        }
    }

    /// Parses and checks, without running anything.
    public static func check(_ file: SourceFile, compiler: Compiler = Compiler()) -> Result<Program, Diagnostics> {
        switch Parser.parse(file) {
        case .failure(let d): return .failure(d)
        case .success(let script): return compiler.compile(script)
        }
    }

    /// Parses, checks and runs on a thread with a large stack.
    public static func run(_ file: SourceFile, output: @escaping (String) -> Void,
                           overrides: @escaping (inout RunSettings) -> Void = { _ in }, options: RunOptions = RunOptions()) -> RunOutcome {
        LargeStack.run {
            let program: Program
            let checked = check(file)
            // Whoever reports an interruption consumes the flag, as the interpreter does.
            if interruptRequested.exchange(false, ordering: .relaxed) { return .interrupted }
            switch checked {
            case .failure(let d): return .failure(d.items)
            case .success(let p): program = p
            }
            let interpreter = Interpreter(output: output)
            interpreter.overrides = overrides
            interpreter.progress = options.progress
            interpreter.trace = options.trace
            interpreter.report = options.report
            interpreter.warningSink = options.warnings
            switch ParamSetting.parse(options.paramSettings, params: program.params) {
            case .failure(let usage): return .usage(usage.message)
            case .success(let values): interpreter.paramSettings = values
            }
            if !program.warnings.isEmpty { options.warnings(program.warnings) }
            return execute(program, on: interpreter)
        }
    }

    /// Runs a checked program and turns how it ended into an outcome.
    static func execute(_ program: Program, on interpreter: Interpreter) -> RunOutcome {
        do {
            try interpreter.run(program)
            // A script that only optimizes or trains shows the settings it ran with.
            if let report = interpreter.report, report.settings == nil { report.settings = interpreter.settings }
            return .success
        } catch let d as Diagnostic {
            return .failure([d])
        } catch is Interrupted {
            return .interrupted
        } catch let usage as UsageError {
            return .usage(usage.message)
        } catch {
            return .failure([Diagnostic("internal error: \(error)", at: nil)])
        }
    }
}
