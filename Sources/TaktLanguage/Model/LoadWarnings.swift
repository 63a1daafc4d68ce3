import TaktCore

/// The model warnings of docs/model.md, from the declared model's mean times and flow
/// graph before it runs: overloaded stations (or pooled groups) with room to queue without
/// bound, and loops of finite room that can deadlock. Each is given once.
extension Interpreter {
    func warnAboutLoads(_ spec: ModelSpec) {
        // The same model as last time has nothing new to say: skip the traffic equations.
        guard let model = staticModel, spec != lastLoadChecked else { return }
        lastLoadChecked = spec
        let f = ResultFormatter(unit: settings.timeUnit)
        var found: [Diagnostic] = []
        for o in spec.overloads() {
            let names = o.stations.map { spec.stations[$0].name }
            let ratio = o.offered / o.capacity * 100
            let load = ratio.isFinite && ratio < 1e15 ? "load \(Int(ratio.rounded()))%" : "load without limit"
            let receives = o.offered.isFinite ? f.meanText(o.offered, -1) : "parts without limit"
            let processes = f.meanText(o.capacity, -1)
            if names.count == 1, let e = model.element(names[0]) {
                found.append(Diagnostic("'\(names[0])' is overloaded: it receives \(receives) and can process \(processes) (\(load)); its queue will grow without bound",
                                        at: e.nameSpan, label: "offered at least its capacity",
                                        help: "add servers, speed it up, or send it less work"))
            } else {
                let owner = o.pooledBy.map(spec.name(of:))
                let span = owner.flatMap { model.routeSpans[$0] } ?? model.element(names[0])?.nameSpan
                found.append(Diagnostic("'\(names.joined(separator: "', '"))' are overloaded together: they receive \(receives) and can process \(processes) (\(load)); their queues will grow without bound",
                                        at: span, label: "a choice whose destinations cannot keep up",
                                        help: "add servers or destinations, or send them less work"))
            }
        }
        for loop in spec.finiteLoops() {
            let flowOrder = loop.map(spec.name(of:))
            // Named from the element declared first, as the script reads.
            let order = flowOrder.map { model.byName[$0] ?? Int.max }
            let first = order.indices.min { order[$0] < order[$1] } ?? 0
            let names = Array(flowOrder[first...] + flowOrder[..<first])
            let span = model.routeSpans[names[0]] ?? model.element(names[0])?.nameSpan
            found.append(Diagnostic("'\((names + [names[0]]).joined(separator: " -> "))' can deadlock: every buffer and queue on this loop is finite, so its parts can fill it and block each other",
                                    at: span, label: "a loop of finite room",
                                    help: "leave one buffer on the loop unlimited, or give it room for every part the loop can hold"))
        }
        let fresh = found.filter { warningsGiven.insert($0.message).inserted }.map { d -> Diagnostic in
            var w = d
            w.severity = .warning
            return w
        }
        if !fresh.isEmpty { warningSink(fresh) }
    }
}
