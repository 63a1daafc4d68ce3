import Foundation
import TaktCore

/// What `--report FILE.html` collects while a script runs (docs/cli.md): each simulation's
/// results with replication 1's WIP and buffer levels over time and its cycle times, each
/// what-if and comparison, each optimization's progress and effects, each training's
/// learning curve. `ReportPage` turns it into the page.
public final class Report {
    /// Simulations shown in full; later ones are counted.
    static let shownRuns = 12
    /// Samples of WIP and buffer levels over a run's window.
    static let samples = 400

    struct Run {
        let title: String
        let result: ResultValue
        let sampler: ReportSampler
    }

    struct Optimization {
        let title: String
        let reward: String
        /// The best mean so far (in the reward's shown units) after each configuration evaluated.
        let progress: [Double]
        let effects: [(name: String, value: Double)]
        /// A Pareto search's front: its table, and its points in the first two objectives.
        var front: (header: [String], rows: [[String]], objectives: [String], points: [(Double, Double)])? = nil
    }

    struct Learning {
        let title: String
        let agents: [String]
        let curve: [(episodes: Int, rates: [Double])]
    }

    public let scriptName: String
    var runs: [Run] = []
    var unshownRuns = 0
    var comparisons: [(title: String, comparison: Comparison)] = []
    var optimizations: [Optimization] = []
    var learning: [Learning] = []
    /// The settings of the last simulation (the run settings shown at the top).
    var settings: RunSettings?

    public init(scriptName: String) { self.scriptName = scriptName }

    /// A monitor for a simulation's first replication, or nil when it will not be shown.
    func sampler(for spec: ModelSpec, settings s: RunSettings) -> ReportSampler? {
        guard runs.count < Report.shownRuns else { return nil }
        return ReportSampler(buffers: spec.buffers.count, interval: s.horizon / Double(Report.samples), warmup: s.warmup)
    }

    func add(run result: ResultValue, title: String, sampler: ReportSampler?) {
        settings = result.settings
        guard let sampler else {
            unshownRuns += 1
            return
        }
        runs.append(Run(title: title, result: result, sampler: sampler))
    }
}

/// Replication 1's WIP and buffer levels at evenly spaced instants, and its cycle times.
final class ReportSampler: ReplicationMonitor {
    let interval: Double
    let warmup: Double
    private(set) var times: [Double] = []
    private(set) var wip: [Int] = []
    private(set) var levels: [[Int]]
    private(set) var cycleTimes: [Double] = []
    /// Cycle times kept at most; later parts are counted but not kept (the histogram is of
    /// the first this many parts absorbed in the window).
    static let keptCycleTimes = 200_000

    init(buffers: Int, interval: Double, warmup: Double) {
        self.interval = interval
        self.warmup = warmup
        levels = Array(repeating: [], count: buffers)
    }

    var sampleInterval: Double? { interval > 0 ? interval : nil }

    func sample(time: Double, wip: Int, levels: [Int]) {
        times.append(time)
        self.wip.append(wip)
        for (j, l) in levels.enumerated() where j < self.levels.count { self.levels[j].append(l) }
    }

    func record(_ event: TraceEvent) {
        if event.kind == .absorb, event.time >= warmup, cycleTimes.count < ReportSampler.keptCycleTimes {
            cycleTimes.append(event.age)
        }
    }
}

/// Several monitors of one replication (the trace and the report's sampler).
final class MonitorFan: ReplicationMonitor {
    let monitors: [ReplicationMonitor]
    init(_ monitors: [ReplicationMonitor]) { self.monitors = monitors }

    var sampleInterval: Double? { monitors.compactMap(\.sampleInterval).min() }

    func record(_ event: TraceEvent) {
        for m in monitors { m.record(event) }
    }

    func sample(time: Double, wip: Int, levels: [Int]) {
        for m in monitors where m.sampleInterval != nil { m.sample(time: time, wip: wip, levels: levels) }
    }
}
