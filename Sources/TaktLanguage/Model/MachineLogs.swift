import TaktCore

/// A failure fitted from a machine-state log (docs/model.md, "Data"): rows with a `time` and
/// a `state` (`up` or `down`), ascending. Up spells are fitted to the time to failure, counted
/// on the clock, and down spells to the repair time, as `fit` does; the last, open spell is
/// dropped, and so are spells of no length (two rows at one time).
enum MachineLogs {
    static func failure(_ v: Value, at span: Span, _ interp: Interpreter) throws -> (up: FitInfo, down: FitInfo) {
        guard case .list(let rows) = v else {
            throw Diagnostic("from_log takes the rows of a log, such as csv(\"m1_states.csv\", unit: 1min)", at: span,
                             label: "this is \(interp.formatter.short(v))")
        }
        var up: [Double] = [], down: [Double] = []
        var current: (state: String, since: Double)? = nil
        for row in rows.items {
            guard case .record(let r) = row, let ti = r.index(of: "time"), let si = r.index(of: "state") else {
                throw Diagnostic("a machine-state log has the columns 'time' and 'state'", at: span,
                                 label: "a row is \(interp.formatter.short(row))")
            }
            func place(_ field: Int) -> Span { r.origin?.span(field) ?? span }
            guard case .duration(let t) = r.values[ti] else {
                let number: Bool = { if case .number = r.values[ti] { return true } else { return false } }()
                throw Diagnostic("a log's time is a duration, not a \(r.values[ti].typeName)", at: place(ti),
                                 label: "this is \(interp.formatter.short(r.values[ti]))",
                                 help: number ? "give the unit of the times: csv(\"…\", unit: 1min)" : nil)
            }
            guard t >= 0 else { throw Diagnostic("a log's time is negative", at: place(ti), label: "times count from 0s") }
            guard case .string(let raw) = r.values[si], case let state = raw.trimmingCharacters(in: .whitespaces),
                  state == "up" || state == "down" else {
                let shown: String = { if case .string(let t) = r.values[si] { return "'\(t)'" } else { return interp.formatter.short(r.values[si]) } }()
                throw Diagnostic("unknown machine state \(shown)", at: place(si),
                                 label: "not up or down", help: "a log's states are up and down")
            }
            if let c = current {
                guard t >= c.since else {
                    throw Diagnostic("the log's times are not in order", at: place(ti),
                                     label: "\(interp.formatter.short(.duration(t))) comes after \(interp.formatter.short(.duration(c.since)))")
                }
                if state == c.state { continue }
                if t > c.since {
                    if c.state == "up" { up.append(t - c.since) } else { down.append(t - c.since) }
                }
            }
            current = (state, t)
        }
        guard down.count >= 2 else {
            throw Diagnostic("the log has \(down.count) down spell\(down.count == 1 ? "" : "s"), and a failure is fitted from at least 2",
                             at: span, label: down.isEmpty ? "the station never fails in this log" : "too few failures",
                             help: "the last spell, still open, is not counted")
        }
        guard up.count >= 2 else {
            throw Diagnostic("the log has \(up.count) up spell\(up.count == 1 ? "" : "s"), and a failure is fitted from at least 2", at: span,
                             label: "too few up spells", help: "the last spell, still open, is not counted")
        }
        let unit = interp.settings.timeUnit.seconds
        func best(_ spells: [Double], _ what: String) throws -> FitInfo {
            switch Result(catching: { () throws(Fitting.Failure) in try Fitting.fit(spells.map { $0 / unit }) }) {
            case .success(let c): return FitInfo(candidates: c, shown: 0, unit: unit, summary: true)
            case .failure:
                throw Diagnostic("the log's \(what) spells all have the same length: nothing to fit", at: span,
                                 help: "a fixed time is written as the duration itself: failure { up: …, down: … }")
            }
        }
        return (try best(up, "up"), try best(down, "down"))
    }
}
