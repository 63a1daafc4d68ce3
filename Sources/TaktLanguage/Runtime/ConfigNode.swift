import TaktCore

/// `config { ... }`: validates each setting and stores it; command-line flags still win.
final class ConfigNode: StmtNode {
    enum Setting {
        case timeUnit(TimeUnit)
        case value(String, Node)
    }
    let settings: [Setting]

    init(_ settings: [Setting], span: Span) {
        self.settings = settings
        super.init(span: span)
    }

    override func exec(_ f: Frame) throws -> Completion {
        var s = f.interp.settings
        for setting in settings {
            switch setting {
            case .timeUnit(let u):
                s.timeUnit = u
            case .value(let key, let node):
                let v = try node.eval(f)
                switch key {
                case "horizon":
                    guard case .duration(let x) = v, x > 0 else { throw bad(node, v, "horizon must be a duration > 0", unit: s.timeUnit) }
                    s.horizon = x
                case "warmup":
                    guard case .duration(let x) = v, x >= 0 else { throw bad(node, v, "warmup must be a duration >= 0", unit: s.timeUnit) }
                    s.warmup = x
                case "replications":
                    guard case .number(let x) = v, let n = Operators.wholeNumber(x), n >= 1, n <= RunSettings.maxReplications else {
                        throw bad(node, v, "replications must be a whole number from 1 to \(RunSettings.maxReplications)", unit: s.timeUnit)
                    }
                    s.replications = n
                case "seed":
                    guard case .number(let x) = v, let n = Operators.wholeNumber(x), n >= 0 else {
                        throw bad(node, v, "seed must be a whole number >= 0", unit: s.timeUnit)
                    }
                    s.seed = UInt64(n)
                case "max_parts":
                    guard case .number(let x) = v, let n = Operators.wholeNumber(x), n >= 1, n <= RunSettings.maxPartsLimit else {
                        throw bad(node, v, "max_parts must be a whole number from 1 to \(RunSettings.maxPartsLimit)", unit: s.timeUnit)
                    }
                    s.maxParts = n
                default: // crn
                    guard case .bool(let b) = v else { throw bad(node, v, "crn must be true or false", unit: s.timeUnit) }
                    s.crn = b
                }
            }
        }
        f.interp.overrides(&s)
        f.interp.settings = s
        return .normal
    }

    func bad(_ node: Node, _ v: Value, _ message: String, unit: TimeUnit) -> Diagnostic {
        var help: String? = nil
        if case .number = v, message.contains("duration") { help = Operators.unitHelp(v, unit: unit) }
        return Diagnostic(message, at: node.span, label: "this is \(ValueFormatter(timeUnit: unit).short(v))", help: help)
    }
}
