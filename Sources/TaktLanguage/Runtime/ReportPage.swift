import Foundation
import TaktCore

/// The page of `--report` (docs/cli.md): one HTML file with inline CSS and SVG, no script and
/// no reference outside itself, readable in any browser or printed.
struct ReportPage {
    let report: Report
    let unit: TimeUnit

    /// The eight server states in their precedence, with their colours.
    static let states: [(kpi: String, label: String, color: String)] = [
        ("off_shift", "off shift", "#bdbdbd"), ("down", "down", "#546e7a"), ("maintenance", "maintenance", "#8e24aa"),
        ("blocked", "blocked", "#e53935"), ("unstaffed", "unstaffed", "#039be5"), ("setup", "setup", "#9ccc65"),
        ("utilization", "processing", "#43a047"), ("starved", "starved", "#fdd835"),
    ]
    /// Lines of the charts, in turn.
    static let palette = ["#1e88e5", "#e53935", "#43a047", "#fb8c00", "#8e24aa", "#00897b", "#6d4c41", "#3949ab", "#c0ca33", "#d81b60"]

    static let style = """
    body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:980px;padding:24px;color:#212121}
    h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;border-bottom:1px solid #ccc;padding-bottom:4px;margin-top:32px}
    h3{font-size:15px;margin:20px 0 6px}table{border-collapse:collapse;margin:6px 0}
    td,th{padding:3px 10px;border-bottom:1px solid #eee;text-align:right;vertical-align:middle}
    th{background:#f5f5f5}td:first-child,th:first-child{text-align:left}.note{color:#616161;font-size:13px}
    .tag{background:#e53935;color:#fff;border-radius:3px;padding:0 5px;font-size:12px}svg{display:block;margin:6px 0}
    svg text{font:12px system-ui,sans-serif;fill:#424242}.legend span{display:inline-block;margin-right:14px}
    .swatch{display:inline-block;width:11px;height:11px;margin-right:4px;vertical-align:-1px}
    .wide{overflow-x:auto;max-width:100%}
    """

    static func escape(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(ch)
            }
        }
        return out
    }

    /// A number for SVG coordinates: two decimals at most.
    static func c(_ x: Double) -> String {
        guard x.isFinite else { return "0" }
        return ValueFormatter.number((x * 100).rounded() / 100)
    }

    /// A number for people: 4 significant digits.
    static func n(_ x: Double) -> String {
        guard x.isFinite, x != 0 else { return x.isFinite ? "0" : "-" }
        return ValueFormatter.number(ValueFormatter.fourDigits(x))
    }

    var f: ResultFormatter { ResultFormatter(unit: unit) }

    func html() -> String {
        var out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        out += "<title>Takt report: \(ReportPage.escape(report.scriptName))</title><style>\(ReportPage.style)</style></head><body>\n"
        out += "<h1>Takt report: \(ReportPage.escape(report.scriptName))</h1>\n"
        out += settingsSection()
        out += runsSection()
        if !report.comparisons.isEmpty { out += comparisonsSection() }
        if !report.optimizations.isEmpty { out += optimizationSection() }
        if !report.learning.isEmpty { out += learningSection() }
        out += "</body></html>\n"
        return out
    }

    // MARK: Settings and runs

    func settingsSection() -> String {
        var out = "<section id=\"settings\"><h2>Run settings</h2>"
        guard let s = report.settings else { return out + "<p class=\"note\">The script ran no simulation.</p></section>\n" }
        let rows: [(String, String)] = [
            ("replications", String(s.replications)), ("horizon", f.meanText(s.horizon, 1)), ("warm-up", f.meanText(s.warmup, 1)),
            ("seed", String(s.seed)), ("time unit", unit.rawValue),
            ("scenarios", s.crn ? "common random numbers" : "independent streams"),
            ("simulations", String(report.runs.count + report.unshownRuns)),
        ]
        out += "<table>" + rows.map { "<tr><td>\($0.0)</td><td>\(ReportPage.escape($0.1))</td></tr>" }.joined() + "</table></section>\n"
        return out
    }

    func runsSection() -> String {
        var out = "<section id=\"results\"><h2>Results</h2>"
        if report.runs.isEmpty { out += "<p class=\"note\">No simulation ran.</p>" }
        for (k, run) in report.runs.enumerated() {
            out += "<section class=\"run\" id=\"run-\(k + 1)\"><h3>Simulation \(k + 1): \(ReportPage.escape(run.title))</h3>"
            out += kpiTable(run.result)
            out += stateBars(run.result)
            out += levelsChart(run)
            out += histogram(run)
            out += "</section>\n"
        }
        if report.unshownRuns > 0 {
            out += "<p class=\"note\">\(report.unshownRuns) more simulation\(report.unshownRuns == 1 ? "" : "s") ran; the report shows the first \(Report.shownRuns).</p>"
        }
        return out + "</section>\n"
    }

    func estimateText(_ e: Estimate?, _ dimension: Int) -> String {
        e.map { f.estimate($0, dimension: dimension) } ?? "-"
    }

    func kpiTable(_ r: ResultValue) -> String {
        let reps = r.replications
        var rows: [(String, String)] = [
            ("throughput", estimateText(Estimate.of(reps.map(\.throughput)), -1)),
            ("WIP", estimateText(Estimate.of(reps.map(\.wip)), 0)),
            ("cycle time", estimateText(Estimate.of(reps.map(\.cycleTime)), 1)),
        ]
        if reps.contains(where: { $0.scrapped > 0 }) { rows.append(("scrapped", estimateText(Estimate.of(reps.map(\.scrapped)), 0))) }
        for reward in r.rewards { rows.append((reward.name, estimateText(Estimate.of(reward.values), reward.dimension))) }
        let ci = reps.count > 1 ? "mean ± 95% CI half-width over \(reps.count) replications" : "one replication"
        return "<table class=\"kpis\"><tr><th>plant</th><th>\(ci)</th></tr>"
            + rows.map { "<tr><td>\(ReportPage.escape($0.0))</td><td>\(ReportPage.escape($0.1))</td></tr>" }.joined() + "</table>"
    }

    /// The bottleneck: the station active the largest fraction of the time (processing,
    /// setup, down or maintenance; not starved, blocked, unstaffed or off shift), ties to
    /// the first (README: "Reports").
    static func bottleneck(_ fractions: [[String: Double]]) -> Int? {
        var best: (Int, Double)? = nil
        for (i, s) in fractions.enumerated() {
            let active = ["utilization", "setup", "down", "maintenance"].reduce(0) { $0 + (s[$1] ?? 0) }
            if best == nil || active > best!.1 + 1e-12 { best = (i, active) }
        }
        return best?.0
    }

    func stateBars(_ r: ResultValue) -> String {
        let spec = r.spec
        guard !spec.stations.isEmpty else { return "" }
        let present = Set(ResultValue.stateFractions(spec))
        let states = ReportPage.states.filter { present.contains($0.kpi) }
        let fractions = spec.stations.indices.map { i in
            Dictionary(uniqueKeysWithValues: states.map { ($0.kpi, r.station(i, $0.kpi)?.mean ?? 0) })
        }
        let neck = ReportPage.bottleneck(fractions)
        let label = 150.0, width = 560.0, rowHeight = 24.0
        let height = Double(spec.stations.count) * rowHeight + 8
        var svg = "<svg class=\"states\" width=\"\(ReportPage.c(label + width + 110))\" height=\"\(ReportPage.c(height))\" role=\"img\" aria-label=\"state of each station\">"
        for (i, s) in spec.stations.enumerated() {
            let y = Double(i) * rowHeight + 4
            svg += "<text x=\"0\" y=\"\(ReportPage.c(y + 15))\"\(i == neck ? " font-weight=\"bold\"" : "")>\(ReportPage.escape(s.name))</text>"
            var x = label
            for st in states {
                let w = max(0, fractions[i][st.kpi] ?? 0) * width
                if w > 0 {
                    svg += "<rect x=\"\(ReportPage.c(x))\" y=\"\(ReportPage.c(y))\" width=\"\(ReportPage.c(w))\" height=\"18\" fill=\"\(st.color)\">"
                    svg += "<title>\(ReportPage.escape(s.name)) \(st.label): \(ReportPage.n(100 * (fractions[i][st.kpi] ?? 0)))%</title></rect>"
                }
                x += w
            }
            if i == neck { svg += "<text x=\"\(ReportPage.c(label + width + 8))\" y=\"\(ReportPage.c(y + 15))\" fill=\"#e53935\">◀ bottleneck</text>" }
        }
        svg += "</svg>"
        let legend = "<div class=\"legend\">" + states.map { "<span><i class=\"swatch\" style=\"background:\($0.color)\"></i>\($0.label)</span>" }.joined() + "</div>"
        let neckNote = neck.map { "<p class=\"note\">Bottleneck: <b>\(ReportPage.escape(spec.stations[$0].name))</b>, the station active the largest share of the time (processing, setup, down or in maintenance).</p>" } ?? ""
        return "<h4>Station states (mean over replications)</h4>" + legend + svg + neckNote
    }

    // MARK: Charts

    /// A chart's axes: the vertical one at `left`, the horizontal one at `base`, with its two
    /// ends' values and its label on the line at `labels`.
    static func axes(left: Double, top: Double, right: Double, base: Double, labels: Double,
                     from low: Double, to high: Double, label: String) -> String {
        "<line x1=\"\(c(left))\" y1=\"\(c(base))\" x2=\"\(c(right))\" y2=\"\(c(base))\" stroke=\"#9e9e9e\"/>"
            + "<line x1=\"\(c(left))\" y1=\"\(c(top))\" x2=\"\(c(left))\" y2=\"\(c(base))\" stroke=\"#9e9e9e\"/>"
            + "<text x=\"\(c(left))\" y=\"\(c(labels))\">\(n(low))</text>"
            + "<text x=\"\(c(right))\" y=\"\(c(labels))\" text-anchor=\"end\">\(n(high))</text>"
            + "<text x=\"\(c((left + right) / 2))\" y=\"\(c(labels))\" text-anchor=\"middle\">\(escape(label))</text>"
    }

    /// A line chart of series over a shared x axis, with the axes' ranges labelled.
    func lineChart(x: [Double], series: [(name: String, values: [Double])], xLabel: String, yLabel: String, label: String,
                   fromZero: Bool = true) -> String {
        guard x.count >= 2, let x0 = x.first, let x1 = x.last, x1 > x0 else { return "<p class=\"note\">Too few points to draw.</p>" }
        let width = 720.0, height = 220.0, left = 56.0, bottom = 30.0, top = 10.0
        let finite = series.flatMap(\.values).filter(\.isFinite)
        let high = finite.max() ?? 1, low = finite.min() ?? 0
        // Levels from zero; a reward's progress over its own range, with a margin.
        let margin = max((high - low) * 0.05, abs(high) * 1e-6, 1e-12)
        let yMin = fromZero ? min(0, low) : low - margin
        let yMax = fromZero ? (high > 0 ? high * 1.05 : 1) : high + margin
        func px(_ v: Double) -> Double { left + (v - x0) / (x1 - x0) * (width - left - 10) }
        func py(_ v: Double) -> Double { top + (1 - (v - yMin) / (yMax - yMin)) * (height - top - bottom) }
        var svg = "<svg width=\"\(ReportPage.c(width))\" height=\"\(ReportPage.c(height))\" role=\"img\" aria-label=\"\(ReportPage.escape(label))\">"
        svg += ReportPage.axes(left: left, top: top, right: width - 10, base: py(yMin), labels: height - 10,
                               from: x0, to: x1, label: xLabel)
        for v in [yMin, (yMin + yMax) / 2, yMax] {
            svg += "<text x=\"\(ReportPage.c(left - 6))\" y=\"\(ReportPage.c(py(v) + 4))\" text-anchor=\"end\">\(ReportPage.n(v))</text>"
        }
        for (k, s) in series.enumerated() {
            let points = zip(x, s.values).filter { $0.1.isFinite }.map { "\(ReportPage.c(px($0.0))),\(ReportPage.c(py($0.1)))" }
            svg += "<polyline fill=\"none\" stroke=\"\(ReportPage.palette[k % ReportPage.palette.count])\" stroke-width=\"1.5\" points=\"\(points.joined(separator: " "))\"><title>\(ReportPage.escape(s.name))</title></polyline>"
        }
        svg += "</svg>"
        let legend = "<div class=\"legend\">" + series.enumerated().map { k, s in
            "<span><i class=\"swatch\" style=\"background:\(ReportPage.palette[k % ReportPage.palette.count])\"></i>\(ReportPage.escape(s.name))</span>"
        }.joined() + "</div>"
        return legend + svg + "<p class=\"note\">Vertical axis: \(ReportPage.escape(yLabel)).</p>"
    }

    /// Buffers drawn at most; the others are named in a note.
    static let drawnBuffers = 9

    func levelsChart(_ run: Report.Run) -> String {
        let s = run.sampler
        guard s.times.count >= 2 else { return "" }
        let x = s.times.map { $0 / unit.seconds }
        var series: [(String, [Double])] = [("WIP", s.wip.map(Double.init))]
        let buffers = run.result.spec.buffers
        for (j, b) in buffers.enumerated().prefix(ReportPage.drawnBuffers) {
            series.append(("buffer \(b.name)", s.levels[j].map(Double.init)))
        }
        var out = "<h4>WIP and buffer levels over time (replication 1)</h4>"
        out += lineChart(x: x, series: series, xLabel: "time (\(unit.rawValue))", yLabel: "parts", label: "WIP and buffer levels over time")
        if buffers.count > ReportPage.drawnBuffers {
            out += "<p class=\"note\">\(buffers.count - ReportPage.drawnBuffers) more buffers are not drawn.</p>"
        }
        return out
    }

    func histogram(_ run: Report.Run) -> String {
        let values = run.sampler.cycleTimes.map { $0 / unit.seconds }
        let out = "<h4>Cycle time (replication 1, \(values.count) parts)</h4>"
        guard let lo = values.min(), let hi = values.max() else { return out + "<p class=\"note\">No part left the plant in the window.</p>" }
        let bins = 30
        let span = hi > lo ? hi - lo : 1
        var counts = Array(repeating: 0, count: bins)
        for v in values { counts[min(bins - 1, Int((v - lo) / span * Double(bins)))] += 1 }
        let width = 720.0, height = 200.0, left = 56.0, bottom = 30.0
        let most = Double(counts.max() ?? 1)
        let barWidth = (width - left - 10) / Double(bins)
        var svg = "<svg width=\"\(ReportPage.c(width))\" height=\"\(ReportPage.c(height))\" role=\"img\" aria-label=\"cycle time histogram\">"
        for (k, count) in counts.enumerated() where count > 0 {
            let h = Double(count) / most * (height - bottom - 10)
            let from = lo + span * Double(k) / Double(bins), to = lo + span * Double(k + 1) / Double(bins)
            svg += "<rect x=\"\(ReportPage.c(left + Double(k) * barWidth))\" y=\"\(ReportPage.c(height - bottom - h))\" width=\"\(ReportPage.c(barWidth - 1))\" height=\"\(ReportPage.c(h))\" fill=\"#1e88e5\">"
            svg += "<title>\(ReportPage.n(from))–\(ReportPage.n(to)) \(unit.rawValue): \(count) parts</title></rect>"
        }
        svg += ReportPage.axes(left: left, top: 10, right: width - 10, base: height - bottom, labels: height - 10,
                               from: lo, to: hi, label: "cycle time (\(unit.rawValue))")
        svg += "<text x=\"\(ReportPage.c(left - 6))\" y=\"14\" text-anchor=\"end\">\(Int(most))</text>"
        return out + svg + "</svg>"
    }

    // MARK: Comparisons, optimization, learning

    /// A delta as a bar from zero with its CI as a whisker, on a scale shared by the row.
    func deltaBar(_ d: Estimate, scale: Double) -> String {
        let width = 160.0, mid = width / 2
        func x(_ v: Double) -> Double { mid + (scale > 0 ? v / scale : 0) * (mid - 4) }
        let bar = d.mean >= 0 ? (x(0), x(d.mean) - x(0)) : (x(d.mean), x(0) - x(d.mean))
        var svg = "<svg width=\"\(ReportPage.c(width))\" height=\"16\" role=\"img\" aria-label=\"delta\">"
        svg += "<line x1=\"\(ReportPage.c(mid))\" y1=\"0\" x2=\"\(ReportPage.c(mid))\" y2=\"16\" stroke=\"#9e9e9e\"/>"
        svg += "<rect x=\"\(ReportPage.c(bar.0))\" y=\"4\" width=\"\(ReportPage.c(max(bar.1, 0.5)))\" height=\"8\" fill=\"\(d.mean >= 0 ? "#43a047" : "#e53935")\"/>"
        if let ci = d.ci, ci > 0 {
            svg += "<line x1=\"\(ReportPage.c(x(d.mean - ci)))\" y1=\"8\" x2=\"\(ReportPage.c(x(d.mean + ci)))\" y2=\"8\" stroke=\"#212121\"/>"
            for v in [d.mean - ci, d.mean + ci] {
                svg += "<line x1=\"\(ReportPage.c(x(v)))\" y1=\"4\" x2=\"\(ReportPage.c(x(v)))\" y2=\"12\" stroke=\"#212121\"/>"
            }
        }
        return svg + "</svg>"
    }

    func comparisonsSection() -> String {
        var out = "<section id=\"comparisons\"><h2>What-ifs and comparisons</h2>"
        out += "<p class=\"note\">Each delta is paired by replication against the first column; bars start at zero, whiskers span the 95% CI, on a scale shared by the row.</p>"
        for (title, c) in report.comparisons {
            // A comparison of many scenarios scrolls within its box, not the page.
            out += "<h3>\(ReportPage.escape(title))</h3><div class=\"wide\"><table><tr><th>kpi</th>"
            out += c.names.map { "<th>\(ReportPage.escape($0))</th>" }.joined()
            out += c.names.dropFirst().map { "<th>delta \(ReportPage.escape($0))</th><th></th>" }.joined() + "</tr>"
            for row in c.rows() {
                out += "<tr><td>\(ReportPage.escape(row.kpi))</td>"
                out += c.names.indices.map { v in "<td>\(c.estimate(v, row.pick).map { f.meanText($0.mean, row.dimension) } ?? "-")</td>" }.joined()
                let deltas = c.names.indices.dropFirst().map { c.delta($0, row.pick) }
                let scale = deltas.compactMap { $0 }.map { abs($0.mean) + ($0.ci ?? 0) }.max() ?? 0
                for d in deltas {
                    guard let d else {
                        out += "<td>-</td><td></td>"
                        continue
                    }
                    let (deltaText, ciText) = f.paired(d, row.dimension)
                    out += "<td>\(ReportPage.escape(deltaText)) \(ReportPage.escape(ciText))\(Comparison.significant(d) ? " *" : "")</td><td>\(deltaBar(d, scale: scale))</td>"
                }
                out += "</tr>"
            }
            out += "</table></div>"
        }
        return out + "<p class=\"note\">* the 95% CI of the difference excludes zero.</p></section>\n"
    }

    func optimizationSection() -> String {
        var out = "<section id=\"optimization\"><h2>Optimization</h2>"
        for o in report.optimizations {
            if let front = o.front {
                out += "<h3>\(ReportPage.escape(o.title))</h3>" + frontChart(front.objectives, front.points)
                out += "<table><tr>" + front.header.map { "<th>\(ReportPage.escape($0))</th>" }.joined() + "</tr>"
                out += front.rows.map { "<tr>" + $0.map { "<td>\(ReportPage.escape($0))</td>" }.joined() + "</tr>" }.joined() + "</table>"
                continue
            }
            out += "<h3>\(ReportPage.escape(o.title))</h3><h4>Progress: the best mean of \(ReportPage.escape(o.reward)) so far</h4>"
            out += lineChart(x: o.progress.indices.map { Double($0 + 1) }, series: [("best \(o.reward)", o.progress)],
                             xLabel: "configurations evaluated", yLabel: o.reward, label: "optimizer progress", fromZero: false)
            let most = o.effects.map { abs($0.value) }.max() ?? 0
            out += "<h4>Effects: the spread of the mean \(ReportPage.escape(o.reward)) over each param's values</h4><table>"
            for e in o.effects {
                let w = most > 0 ? abs(e.value) / most * 300 : 0
                out += "<tr><td>\(ReportPage.escape(e.name))</td><td>\(ReportPage.n(e.value))</td><td><svg width=\"310\" height=\"14\" role=\"img\" aria-label=\"effect\"><rect x=\"0\" y=\"2\" width=\"\(ReportPage.c(max(w, 0.5)))\" height=\"10\" fill=\"#1e88e5\"/></svg></td></tr>"
            }
            out += "</table>"
        }
        return out + "</section>\n"
    }

    /// A Pareto front in its first two objectives, joined in order of the first.
    func frontChart(_ names: [String], _ points: [(Double, Double)]) -> String {
        guard names.count >= 2, !points.isEmpty else { return "" }
        let xs = points.map(\.0), ys = points.map(\.1)
        let width = 520.0, height = 300.0, left = 60.0, bottom = 34.0, top = 10.0
        func range(_ v: [Double]) -> (Double, Double) {
            let lo = v.min()!, hi = v.max()!
            let m = max((hi - lo) * 0.08, abs(hi) * 1e-6, 1e-12)
            return (lo - m, hi + m)
        }
        let (x0, x1) = range(xs), (y0, y1) = range(ys)
        func px(_ v: Double) -> Double { left + (v - x0) / (x1 - x0) * (width - left - 10) }
        func py(_ v: Double) -> Double { top + (1 - (v - y0) / (y1 - y0)) * (height - top - bottom) }
        var svg = "<h4>The front: \(ReportPage.escape(names[0])) against \(ReportPage.escape(names[1]))</h4>"
        svg += "<svg width=\"\(ReportPage.c(width))\" height=\"\(ReportPage.c(height))\" role=\"img\" aria-label=\"pareto front\">"
        svg += "<polyline fill=\"none\" stroke=\"#90caf9\" points=\"\(points.map { "\(ReportPage.c(px($0.0))),\(ReportPage.c(py($0.1)))" }.joined(separator: " "))\"/>"
        for p in points {
            svg += "<circle cx=\"\(ReportPage.c(px(p.0)))\" cy=\"\(ReportPage.c(py(p.1)))\" r=\"4\" fill=\"#1e88e5\"><title>\(ReportPage.n(p.0)), \(ReportPage.n(p.1))</title></circle>"
        }
        svg += ReportPage.axes(left: left, top: top, right: width - 10, base: height - bottom, labels: height - 12,
                               from: x0, to: x1, label: names[0])
        svg += "<text x=\"\(ReportPage.c(left - 6))\" y=\"\(ReportPage.c(top + 10))\" text-anchor=\"end\">\(ReportPage.n(y1))</text>"
        svg += "<text x=\"\(ReportPage.c(left - 6))\" y=\"\(ReportPage.c(height - bottom))\" text-anchor=\"end\">\(ReportPage.n(y0))</text>"
        return svg + "</svg><p class=\"note\">Vertical axis: \(ReportPage.escape(names[1])).</p>"
    }

    func learningSection() -> String {
        var out = "<section id=\"learning\"><h2>Learning</h2>"
        for l in report.learning {
            out += "<h3>\(ReportPage.escape(l.title))</h3>"
            out += lineChart(x: l.curve.map { Double($0.episodes) }, series: l.agents.enumerated().map { k, a in
                ("\(a) reward rate", l.curve.map { k < $0.rates.count ? $0.rates[k] : .nan })
            }, xLabel: "episodes", yLabel: "reward rate", label: "learning curve", fromZero: false)
        }
        return out + "</section>\n"
    }
}

/// Writes a report's page through a temporary file renamed into place, so that a failure
/// leaves no half-written page.
public enum ReportWriter {
    /// The reason it could not be written, or nil.
    public static func write(_ report: Report, to path: String) -> String? {
        let page = ReportPage(report: report, unit: report.settings?.timeUnit ?? .min).html()
        let temporary = path + ".tmp\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(page.utf8)) else {
            return "cannot write the report '\(path)': the folder is not writable"
        }
        guard rename(temporary, path) == 0 else {
            let why = String(cString: strerror(errno))
            unlink(temporary)
            return "cannot write the report '\(path)': \(why)"
        }
        return nil
    }
}
