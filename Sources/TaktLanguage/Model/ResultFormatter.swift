import TaktCore

/// Renders estimates, the summary table of a run, and the JSON of docs/json.md.
struct ResultFormatter {
    let unit: TimeUnit

    /// Magnitude in the time unit: durations divided by it, rates multiplied.
    func scaled(_ x: Double, _ dimension: Int) -> Double {
        dimension == 1 ? x / unit.seconds : dimension == -1 ? x * unit.seconds : x
    }

    func suffix(_ dimension: Int) -> String {
        dimension == 1 ? unit.rawValue : dimension == -1 ? "/" + unit.rawValue : ""
    }

    /// `mean ± half-width`: the half-width to 2 significant digits, the mean to the same
    /// decimal place; with one replication, the mean alone.
    func estimate(_ e: Estimate, dimension: Int) -> String {
        let mean = scaled(e.mean, dimension)
        guard let ci = e.ci else { return ValueFormatter.number(mean) + suffix(dimension) }
        let hw = scaled(ci, dimension)
        // A half-width within 1e-9 of the mean's magnitude is rounding noise of equal replications.
        // The mean then keeps 12 significant digits, which drops the noise of a difference of
        // equal means (0.952 - 0.976 is -0.02400000000000002 in binary).
        if ResultFormatter.isNoise(hw, of: mean) {
            return ValueFormatter.number(Double(String(format: "%.12g", mean)) ?? mean) + suffix(dimension) + " ± 0"
        }
        // The decimal place of the half-width's second significant digit, after rounding
        // (0.0999 rounds to 0.10, two digits at the second decimal).
        var place = Int(hw.magnitude.log10Floor) - 1
        if (hw / pow10(place)).rounded(.toNearestOrAwayFromZero) >= 100 { place += 1 }
        if place >= 0 {
            let step = pow10(place)
            let m = (mean / step).rounded(.toNearestOrAwayFromZero) * step
            let h = (hw / step).rounded(.toNearestOrAwayFromZero) * step
            return ValueFormatter.number(m) + suffix(dimension) + " ± " + ValueFormatter.number(h)
        }
        let decimals = -place
        return fixed(mean, decimals) + suffix(dimension) + " ± " + fixed(hw, decimals)
    }

    /// 10 to the power k, for any whole k.
    func pow10(_ k: Int) -> Double {
        var r = 1.0
        for _ in 0..<abs(k) { r *= 10 }
        return k >= 0 ? r : 1 / r
    }


    func fixed(_ x: Double, _ decimals: Int) -> String {
        var text = String(format: "%.\(min(decimals, 17))f", x)
        if text.hasPrefix("-"), text.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) { text.removeFirst() }
        return text
    }

    func cell(_ e: Estimate?, _ dimension: Int) -> String {
        e.map { estimate($0, dimension: dimension) } ?? "-"
    }

    /// The summary `takt run` prints: plant KPIs, then a table per kind of element.
    func summary(_ r: ResultValue) -> String {
        let s = r.settings
        var out = "replications: \(r.replications.count), horizon: \(ValueFormatter.number(scaled(s.horizon, 1)))\(unit.rawValue), "
            + "warm-up: \(ValueFormatter.number(scaled(s.warmup, 1)))\(unit.rawValue), seed: \(s.seed)\n\n"
        out += table(["plant", "mean ± 95% CI"], [
            ["throughput", cell(r.throughput, -1)],
            ["wip", cell(r.wip, 0)],
            ["cycle_time", cell(r.cycleTime, 1)],
        ] + (ResultValue.scraps(r.spec) ? [["scrapped", cell(r.estimate { $0.scrapped }, 0)]] : []))
        if !r.spec.stations.isEmpty {
            let kpis = ResultValue.stationKPIs(r.spec)
            let rows = r.spec.stations.indices.map { i in [r.spec.stations[i].name] + kpis.map { cell(r.station(i, $0.0), $0.1) } }
            out += "\n" + table(["station"] + kpis.map(\.0), rows)
        }
        if !r.spec.buffers.isEmpty {
            let rows = r.spec.buffers.indices.map { j in [r.spec.buffers[j].name, cell(r.estimate { $0.buffers[j].level }, 0)] }
            out += "\n" + table(["buffer", "level"], rows)
        }
        if !r.spec.sinks.isEmpty {
            let rows = r.spec.sinks.indices.map { k in
                [r.spec.sinks[k].name, cell(r.sink(k, "count"), 0), cell(r.sink(k, "throughput"), -1), cell(r.sink(k, "cycle_time"), 1)]
            }
            out += "\n" + table(["sink", "count", "throughput", "cycle_time"], rows)
        }
        if !r.spec.crews.isEmpty {
            let kpis = ResultValue.crewKPIs
            let rows = r.spec.crews.indices.map { k in [r.spec.crews[k].name] + kpis.map { cell(r.estimate(r.crewPick(k, $0.0)), $0.1) } }
            out += "\n" + table(["crew"] + kpis.map(\.0), rows)
        }
        if !r.spec.partTypes.isEmpty {
            let kpis = ResultValue.partKPIs.filter { $0.0 != "scrapped" || ResultValue.scraps(r.spec) }
            let rows = r.spec.partTypes.indices.map { t in [r.spec.partTypes[t].name] + kpis.map { cell(r.estimate(r.partPick(t, $0.0)), $0.1) } }
            out += "\n" + table(["part"] + kpis.map(\.0), rows)
        }
        // Sources show only where one may lose arrivals: otherwise `created` is the sinks' count
        // plus the change in WIP, and `lost` is 0.
        if r.spec.sources.contains(where: \.losesWhenFull) {
            let kpis = ResultValue.sourceKPIs
            let rows = r.spec.sources.indices.map { k in [r.spec.sources[k].name] + kpis.map { cell(r.source(k, $0.0), $0.1) } }
            out += "\n" + table(["source"] + kpis.map(\.0), rows)
        }
        if !r.rewards.isEmpty {
            let rows = r.rewards.map { [$0.name, cell(Estimate.of(observed: $0.values), $0.dimension)] }
            out += "\n" + table(["reward", "mean ± 95% CI"], rows)
        }
        return out
    }

    /// Left-aligned first column, the rest aligned on their left edge, two spaces apart.
    func table(_ header: [String], _ rows: [[String]]) -> String {
        var widths = header.map { $0.unicodeScalars.count }
        for row in rows {
            for (i, c) in row.enumerated() { widths[i] = max(widths[i], c.unicodeScalars.count) }
        }
        func line(_ cells: [String]) -> String {
            var s = ""
            for (i, c) in cells.enumerated() {
                s += c
                if i < cells.count - 1 { s += String(repeating: " ", count: widths[i] - c.unicodeScalars.count + 2) }
            }
            return s + "\n"
        }
        return line(header) + rows.map(line).joined()
    }

    // MARK: JSON

    func json(_ x: Double) -> String { x.isFinite ? ValueFormatter.number(x) : "null" }

    /// Whether a half-width (or a difference) is rounding noise beside `magnitude`: at most
    /// 1e-9 of it, or not a number at all.
    static func isNoise(_ x: Double, of magnitude: Double) -> Bool {
        x == 0 || !x.isFinite || abs(x) <= 1e-9 * abs(magnitude)
    }

    func json(_ e: Estimate?, _ dimension: Int) -> String {
        guard let e = e else { return "null" }
        let ci = e.ci.map { ResultFormatter.isNoise($0, of: e.mean) ? "0" : json(scaled($0, dimension)) } ?? "null"
        return "{\"mean\": \(json(scaled(e.mean, dimension))), \"ci95\": \(ci), \"n\": \(e.n)}"
    }

    static func jsonString(_ s: String) -> String { ValueFormatter.quote(s) }

    /// One JSON object on one line, keys in a stable order.
    func json(_ r: ResultValue) -> String {
        let s = r.settings
        var members = [
            "\"seed\": \(s.seed)", "\"replications\": \(r.replications.count)",
            "\"horizon\": \(json(scaled(s.horizon, 1)))", "\"warmup\": \(json(scaled(s.warmup, 1)))",
            "\"time_unit\": \(ResultFormatter.jsonString(unit.rawValue))",
            "\"throughput\": \(json(r.throughput, -1))", "\"wip\": \(json(r.wip, 0))", "\"cycle_time\": \(json(r.cycleTime, 1))",
        ]
        let stations = r.spec.stations.indices.map { i in
            ResultFormatter.jsonString(r.spec.stations[i].name) + ": {"
                + ResultValue.stationKPIs(r.spec).map { "\(ResultFormatter.jsonString($0.0)): \(json(r.station(i, $0.0), $0.1))" }.joined(separator: ", ") + "}"
        }
        members.append("\"stations\": {" + stations.joined(separator: ", ") + "}")
        let buffers = r.spec.buffers.indices.map { j in
            ResultFormatter.jsonString(r.spec.buffers[j].name) + ": {\"level\": \(json(r.estimate { $0.buffers[j].level }, 0))}"
        }
        members.append("\"buffers\": {" + buffers.joined(separator: ", ") + "}")
        func fields(_ kpis: [(String, Int)], _ pick: (String) -> (ReplicationResult) -> Double?) -> String {
            kpis.map { "\(ResultFormatter.jsonString($0.0)): \(json(r.estimate(pick($0.0)), $0.1))" }.joined(separator: ", ")
        }
        let types = r.spec.partTypes
        let sinks = r.spec.sinks.indices.map { k in
            var body = fields(ResultValue.sinkKPIs) { r.sinkPick(k, $0) }
            if !types.isEmpty {
                body += ", \"parts\": {" + types.indices.map { t in
                    ResultFormatter.jsonString(types[t].name) + ": {" + fields(ResultValue.sinkKPIs) { r.sinkPartPick(k, t, $0) } + "}"
                }.joined(separator: ", ") + "}"
            }
            return ResultFormatter.jsonString(r.spec.sinks[k].name) + ": {" + body + "}"
        }
        members.append("\"sinks\": {" + sinks.joined(separator: ", ") + "}")
        let sources = r.spec.sources.indices.map { k in
            ResultFormatter.jsonString(r.spec.sources[k].name) + ": {"
                + ResultValue.sourceKPIs.map { "\(ResultFormatter.jsonString($0.0)): \(json(r.source(k, $0.0), $0.1))" }.joined(separator: ", ") + "}"
        }
        members.append("\"sources\": {" + sources.joined(separator: ", ") + "}")
        if ResultValue.scraps(r.spec) { members.append("\"scrapped\": \(json(r.estimate { $0.scrapped }, 0))") }
        if !r.spec.crews.isEmpty {
            let crews = r.spec.crews.indices.map { k in
                ResultFormatter.jsonString(r.spec.crews[k].name) + ": {"
                    + ResultValue.crewKPIs.map { "\(ResultFormatter.jsonString($0.0)): \(json(r.estimate(r.crewPick(k, $0.0)), $0.1))" }
                        .joined(separator: ", ") + "}"
            }
            members.append("\"crews\": {" + crews.joined(separator: ", ") + "}")
        }
        if !types.isEmpty {
            let byType = types.indices.map { t in
                ResultFormatter.jsonString(types[t].name) + ": {" + fields(ResultValue.partKPIs) { r.partPick(t, $0) } + "}"
            }
            members.append("\"parts\": {" + byType.joined(separator: ", ") + "}")
        }
        if !r.rewards.isEmpty {
            let rewards = r.rewards.map { ResultFormatter.jsonString($0.name) + ": " + json(Estimate.of(observed: $0.values), $0.dimension) }
            members.append("\"rewards\": {" + rewards.joined(separator: ", ") + "}")
        }
        return "{" + members.joined(separator: ", ") + "}"
    }
}

extension Double {
    /// floor(log10(x)) for x > 0, exact at powers of ten.
    var log10Floor: Double {
        var k = 0.0, x = self
        while x >= 10 { x /= 10; k += 1 }
        while x < 1 { x *= 10; k -= 1 }
        return k
    }
}
