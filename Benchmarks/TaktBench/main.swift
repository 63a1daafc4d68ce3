import Foundation
import TaktCore

// takt-bench MODEL [--horizon MIN] [--replications N] [--jobs N] [--in-step] [--batch]
// Runs a benchmark model on the core and prints: model, replications, jobs, parts, events, seconds.
// --batch makes each replication one run of a batch (Simulation.runBatch), as an optimizer does.

let minute = 60.0

/// M/M/c at utilization 0.9: `c` servers of mean 1 minute.
func mmc(_ c: Int) -> ModelSpec {
    var m = ModelSpec()
    m.sources = [SourceSpec(name: "arrivals", interarrival: .exponential(mean: minute / (0.9 * Double(c))), routing: .next(.station(0)))]
    m.stations = [StationSpec(name: "server", servers: c, process: .exponential(mean: minute), routing: .next(.sink(0)))]
    m.sinks = [SinkSpec(name: "done")]
    return m
}

/// A saturated line of `n` machines with failures and buffers of 5 between them; `inStep`:
/// every machine takes exactly one minute and none fails, so the whole line moves in step
/// (thousands of events at each instant).
func line(_ n: Int, inStep: Bool = false) -> ModelSpec {
    var m = ModelSpec()
    m.sources = [SourceSpec(name: "raw", interarrival: nil, saturated: true, routing: .next(.station(0)))]
    for i in 0..<n {
        let failure = FailureSpec(name: "f", up: .exponential(mean: 100 * minute), down: .exponential(mean: 10 * minute), clock: .busy)
        let next: NodeRef = i == n - 1 ? .sink(0) : .buffer(i)
        let mean = (i % 3 == 1 ? 1.1 : 1.0) * minute
        let process: Distribution = inStep ? .constant(minute) : .exponential(mean: mean)
        m.stations.append(StationSpec(name: "m\(i + 1)", process: process, failures: inStep ? [] : [failure], routing: .next(next)))
        if i < n - 1 { m.buffers.append(BufferSpec(name: "b\(i + 1)", capacity: 5, routing: .next(.station(i + 1)))) }
    }
    m.sinks = [SinkSpec(name: "done")]
    return m
}

var args = Array(CommandLine.arguments.dropFirst())
guard let name = args.first else {
    FileHandle.standardError.write("usage: takt-bench mm1|mmcN (N servers)|lineN (N machines, e.g. line3, line1000) [--horizon MIN] [--replications N] [--jobs N] [--in-step]\n".data(using: .utf8)!)
    exit(2)
}
func option(_ flag: String, _ fallback: Double) -> Double {
    if let i = args.firstIndex(of: flag), i + 1 < args.count, let v = Double(args[i + 1]) { return v }
    return fallback
}
let horizon = option("--horizon", 1_000_000) * minute
let reps = Int(option("--replications", 1))
let jobs = Int(option("--jobs", 1))
/// N in a model name such as line1000 or mmc10, when the name has that prefix and N is 1...100,000.
func size(_ model: String, after prefix: String) -> Int? {
    guard model.hasPrefix(prefix), let n = Int(model.dropFirst(prefix.count)), (1...100_000).contains(n) else { return nil }
    return n
}
let spec: ModelSpec
if name == "mm1" {
    spec = mmc(1)
} else if let c = size(name, after: "mmc") {
    spec = mmc(c)
} else if let n = size(name, after: "line") {
    spec = line(n, inStep: args.contains("--in-step"))
} else {
    FileHandle.standardError.write("unknown model \(name)\n".data(using: .utf8)!)
    exit(2)
}
let settings = RunSettingsCore(warmup: 0, horizon: horizon, seed: 1)
let start = Date()
let results: [ReplicationResult]
if args.contains("--batch") {
    let runs = (0..<reps).map { Simulation.BatchRun(model: 0, settings: settings, replication: $0) }
    results = try Simulation.runBatch(models: [spec], runs: runs, jobs: jobs).map { try $0.get() }
} else {
    results = try Simulation.run(spec, settings: settings, replications: reps, jobs: jobs).replications
}
let seconds = Date().timeIntervalSince(start)
let parts = results.reduce(0.0) { $0 + $1.sinks[0].count }
let events = results.reduce(0) { $0 + $1.events }
print("\(name) \(reps) \(jobs) \(Int(parts)) \(events) \(seconds)")
