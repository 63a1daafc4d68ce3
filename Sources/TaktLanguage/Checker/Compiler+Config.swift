import TaktCore

/// `config { ... }`: the run settings of docs/runs.md, checked by name.
extension Compiler {
    func compileConfig(_ properties: [Property], span: Span) -> StmtNode? {
        var settings: [ConfigNode.Setting] = []
        var seen: [String: Span] = [:]
        for p in properties {
            if let first = seen[p.key] {
                error("'\(p.key)' is set twice in this config", at: p.keySpan, notes: ["first set at \(location(first))"])
                continue
            }
            seen[p.key] = p.keySpan
            guard case .expr(let e) = p.value else {
                error("'\(p.key)' takes a plain value here", at: p.span)
                continue
            }
            switch p.key {
            case "time_unit":
                var unitName: String? = nil
                switch e.kind {
                case .identifier(let n): unitName = n
                case .string(let parts): if parts.count == 1, case .text(let t) = parts[0] { unitName = t }
                default: break
                }
                guard let n = unitName, let unit = TimeUnit(rawValue: n) else {
                    error("time_unit must be one of ms, s, min, h, d, w", at: e.span, label: "not a time unit")
                    continue
                }
                settings.append(.timeUnit(unit))
            case "horizon", "warmup", "replications", "seed", "crn", "max_parts":
                settings.append(.value(p.key, compileExpr(e).node))
            default:
                let keys = ["horizon", "warmup", "replications", "seed", "time_unit", "crn", "max_parts"]
                let suggestion = Suggest.closest(to: p.key, among: keys)
                error("unknown config setting '\(p.key)'", at: p.keySpan, label: suggestion.map { "did you mean '\($0)'?" } ?? "unknown",
                      help: "settings are \(keys.joined(separator: ", "))")
            }
        }
        return ConfigNode(settings, span: span)
    }
}
