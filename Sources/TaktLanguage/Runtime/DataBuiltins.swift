import Foundation
import TaktCore

/// Data in (docs/model.md, "Data"): `csv` reads a column or the rows of a CSV file, `fit`
/// chooses a distribution for observed durations.
extension Builtins {
    /// A path given in a script is relative to the script's folder (the current folder in the
    /// REPL or for text given on the command line).
    static func resolve(_ given: String, from span: Span) -> String {
        if given.hasPrefix("/") || span.file.name.isEmpty || span.file.name.hasPrefix("<") { return given }
        let folder = (span.file.name as NSString).deletingLastPathComponent
        return folder.isEmpty ? given : (folder as NSString).appendingPathComponent(given)
    }

    static let csv = Builtin("csv", 1, 3, labels: ["column", "unit"]) { c in
        guard case .string(let given) = c.args[0], !given.isEmpty else {
            throw Diagnostic("csv takes the file's path as a string", at: c.span(0), label: "this is \(c.interp.formatter.short(c.args[0]))")
        }
        var column: (name: String, at: Span)? = nil
        var unit: Double? = nil
        for (i, label) in c.node.labels.enumerated() where i > 0 {
            switch label {
            case "column"?:
                guard case .string(let name) = c.args[i] else {
                    throw Diagnostic("a column is named by a string", at: c.span(i), label: "this is \(c.interp.formatter.short(c.args[i]))")
                }
                column = (name, c.span(i))
            case "unit"?:
                unit = try c.unit(i)
            default:
                throw Diagnostic("csv takes the path, then named arguments: column, unit", at: c.span(i),
                                 help: "for example: csv(\"orders.csv\", column: \"time\", unit: 1min)")
            }
        }
        let path = resolve(given, from: c.node.span)
        let table = try CSVTable.load(path: path, shownAs: path, call: c.span(0))
        try ValueBudget.list(items: table.rows.count, at: c.node.span)
        if let column {
            let k = try table.column(column.name, at: column.at)
            var items: [Value] = []
            items.reserveCapacity(table.rows.count)
            var cells: [CSVTable.Cell] = []
            cells.reserveCapacity(table.rows.count)
            for row in table.rows {
                let cell = row[k]
                guard !cell.text.trimmingCharacters(in: .whitespaces).isEmpty else {
                    throw Diagnostic("the cell of column '\(column.name)' is empty", at: table.span(cell), label: "missing value")
                        .read(at: c.node.span)
                }
                if let x = CSVTable.number(cell.text) {
                    items.append(unit.map { .duration(x * $0) } ?? .number(x))
                } else if unit != nil {
                    throw Diagnostic("not a number in column '\(column.name)'", at: table.span(cell),
                                     label: "with a unit, every cell is a number", help: "remove 'unit:' to read the cells as strings")
                        .read(at: c.node.span)
                } else {
                    items.append(.string(cell.text))
                }
                cells.append(cell)
            }
            var list = ListValue(items)
            list.origin = CSVOrigin(table: table, cells: cells)
            return .list(list)
        }
        // Rows as records named by the header; `unit` converts the numeric cells only.
        let names = table.header.map(\.text)
        var records: [Value] = []
        records.reserveCapacity(table.rows.count)
        for row in table.rows {
            var r = RecordValue(names: names, values: row.map { cell in
                guard let x = CSVTable.number(cell.text) else { return .string(cell.text) }
                return unit.map { .duration(x * $0) } ?? .number(x)
            })
            r.origin = CSVOrigin(table: table, cells: row)
            records.append(.record(r))
        }
        return .list(ListValue(records))
    }

    static let fit = Builtin("fit", 1, 2, labels: ["unit"]) { c in
        let values = try c.list(0, "fit")
        var unit: Double? = nil
        if c.args.count > 1 {
            guard c.node.labels[1] == "unit" else {
                throw Diagnostic("fit takes a list, then 'unit:' for plain numbers", at: c.span(1), help: "for example: fit(times, unit: 1min)")
            }
            unit = try c.unit(1)
        }
        // Seconds first; then fitted in the time unit, so that densities are per time unit.
        var seconds: [Double] = []
        seconds.reserveCapacity(values.count)
        for v in values {
            switch (v, unit) {
            case (.duration(let x), nil): seconds.append(x)
            case (.number(let x), let u?): seconds.append(x * u)
            case (.number, nil):
                throw Diagnostic("fit takes durations, or numbers with 'unit:'", at: c.span(0), label: "this list holds plain numbers",
                                 help: "give the unit they are in, e.g. fit(values, unit: 1min)")
            case (.duration, _?):
                throw Diagnostic("with 'unit:', fit takes plain numbers", at: c.span(0), label: "this list holds durations",
                                 help: "leave 'unit:' out: durations carry their own unit")
            default:
                throw Diagnostic("fit takes a list of durations; this list holds a \(v.typeName)", at: c.span(0))
            }
        }
        let timeUnit = c.interp.settings.timeUnit.seconds
        let outcome = Result { () throws(Fitting.Failure) in try Fitting.fit(seconds.map { $0 / timeUnit }) }
        switch outcome {
        case .success(let candidates):
            return .distribution(DistributionValue(fitted: candidates, shown: 0, unit: timeUnit, summary: true))
        case .failure(let error):
            switch error {
            case .tooFew(let n):
                throw Diagnostic("fit needs at least 2 values, and this list has \(n)", at: c.span(0), label: "too few values")
            case .allEqual:
                throw Diagnostic("fit needs values that differ, and these are all equal", at: c.span(0), label: "nothing to fit",
                                 help: "a constant time is written as the duration itself")
            case .notFinite:
                throw Diagnostic("fit needs finite values", at: c.span(0), label: "a value is not finite")
            case .nonPositiveMean:
                throw Diagnostic("a value is 0 or less, which leaves only the normal family, and its fitted mean is not above 0",
                                 at: c.span(0), label: "no distribution of durations fits")
            }
        }
    }
}

/// What a fitted distribution remembers: every candidate and which one it is.
struct FitInfo {
    let candidates: [Fitting.Candidate]
    let shown: Int
    let unit: Double
    /// Whether it prints its `n`, `aic` and `ks` (the result of `fit`; not a candidate's `dist`).
    let summary: Bool

    var candidate: Fitting.Candidate { candidates[shown] }
}

extension DistributionValue {
    convenience init(fitted candidates: [Fitting.Candidate], shown: Int, unit: Double, summary: Bool) {
        self.init(candidates[shown].distribution(unit: unit),
                  fit: FitInfo(candidates: candidates, shown: shown, unit: unit, summary: summary))
    }

    /// The fields of a fitted distribution: `family`, `n`, `loglik`, `aic`, `ks`, `candidates`.
    func fitMember(_ name: String) -> Value? {
        guard let fit else { return nil }
        let c = fit.candidate
        switch name {
        case "family": return .string(c.family.rawValue)
        case "n": return .number(Double(c.count))
        case "loglik": return .number(c.logLikelihood)
        case "aic": return .number(c.aic)
        case "ks": return .number(c.ks)
        case "candidates":
            return .list(ListValue(fit.candidates.indices.map { k in
                let other = fit.candidates[k]
                return .record(RecordValue(names: ["family", "dist", "loglik", "aic", "ks"], values: [
                    .string(other.family.rawValue),
                    .distribution(DistributionValue(fitted: fit.candidates, shown: k, unit: fit.unit, summary: false)),
                    .number(other.logLikelihood), .number(other.aic), .number(other.ks)]))
            }))
        default: return nil
        }
    }
}
