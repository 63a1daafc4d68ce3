import Foundation
import TaktCore

/// The diagnostics for a run the core stopped: each names the element behind it and stands at
/// that element's line, with what a user can change.
enum RunDiagnostics {
    static func runaway(time: Double, element: NodeRef, spec: ModelSpec, model: StaticModel, at span: Span,
                        formatter f: ValueFormatter) -> Diagnostic {
        let name = spec.name(of: element)
        let tolerance = f.format(.duration(1e-9 * f.timeUnit.seconds))
        let message = "simulated time stopped advancing at \(duration(time, f)): more than 1,000,000 events within \(tolerance), at '\(name)'"
        if case .station = element, let cycle = cycleSpan(through: name, in: model) {
            return Diagnostic(message, at: cycle, label: "parts circulate without taking time",
                              help: "give some station in this loop a process time above zero")
        }
        let declared = model.element(name)?.declSpan ?? span
        switch element {
        case .source:
            return Diagnostic(message, at: declared, label: "'\(name)' creates parts faster than time can advance",
                              help: "an interarrival time this small cannot be simulated; give 'every' a larger mean")
        default:
            return Diagnostic(message, at: declared, label: "'\(name)' changes state faster than time can advance",
                              help: "check the times of its failures and its process")
        }
    }

    static func tooManyParts(time: Double, element: NodeRef, held: Int, entered: Int, settings: RunSettings,
                             spec: ModelSpec, model: StaticModel, at span: Span, formatter f: ValueFormatter) -> Diagnostic {
        let name = spec.name(of: element)
        // What drains the element: its own servers, or the stations a buffer feeds.
        var capacity = 0.0
        switch element {
        case .station(let i):
            capacity = Double(spec.stations[i].servers) / spec.stations[i].process.mean
        case .buffer(let j):
            for case .station(let i) in spec.buffers[j].routing.destinations {
                capacity += Double(spec.stations[i].servers) / spec.stations[i].process.mean
            }
        case .source, .sink:
            break
        }
        var message = "'\(name)' holds \(grouped(held)) waiting parts at \(duration(time, f))"
        let receives = time > 0 ? rate(Double(entered) / time, f) : "\(grouped(entered)) parts at one instant"
        if capacity.isFinite, capacity > 0 {
            let drains = rate(capacity, f)
            message += element.isStation ? ": it receives \(receives) and can process \(drains)"
                                         : ": it receives \(receives) and the stations after it can process \(drains)"
        } else {
            message += ": it receives \(receives)"
        }
        return Diagnostic(message, at: model.element(name)?.declSpan ?? span,
                          label: "more than \(grouped(settings.maxParts)) parts are in the plant",
                          help: "the plant cannot keep up with its arrivals; add capacity, or raise config { max_parts: N }")
    }

    static func insufficientMemory(needed: Int, available: Int, spec: ModelSpec, model: StaticModel, at span: Span) -> Diagnostic {
        // The station with the most servers is the one to shrink.
        let largest = spec.stations.indices.max { spec.stations[$0].servers < spec.stations[$1].servers }
        let where_ = largest.flatMap { model.element(spec.stations[$0].name)?.declSpan } ?? span
        return Diagnostic("the plant needs about \(bytes(needed)) per replication, and only \(bytes(available)) of memory is available",
                          at: where_, label: largest.map { "'\(spec.stations[$0].name)' has \(grouped(spec.stations[$0].servers)) servers" } ?? "here",
                          help: "use fewer servers, or run where more memory is available")
    }

    /// The earliest `flow` line among the nodes of a cycle through `name`, if it lies on one.
    static func cycleSpan(through name: String, in model: StaticModel) -> Span? {
        func successors(_ n: String) -> [String] {
            model.routes[n]?.targets ?? []
        }
        // Nodes reachable from `name` that can reach it back form its cycle.
        var reach: Set<String> = [], stack = successors(name)
        while let n = stack.popLast() {
            if reach.insert(n).inserted { stack += successors(n) }
        }
        guard reach.contains(name) else { return nil }
        let cycle = reach.filter { n in
            var seen: Set<String> = [], work = successors(n)
            while let m = work.popLast() {
                if m == name { return true }
                if seen.insert(m).inserted { work += successors(m) }
            }
            return false
        }
        return cycle.compactMap { model.routeSpans[$0] }.min { ($0.start.line, $0.start.column) < ($1.start.line, $1.start.column) }
    }

    static func duration(_ seconds: Double, _ f: ValueFormatter) -> String {
        ValueFormatter.number(approx(seconds / f.timeUnit.seconds)) + f.timeUnit.rawValue
    }

    static func rate(_ perSecond: Double, _ f: ValueFormatter) -> String {
        ValueFormatter.number(approx(perSecond * f.timeUnit.seconds)) + "/" + f.timeUnit.rawValue
    }

    /// Four significant digits are plenty in a message, whatever the unit it prints in
    /// (relative rounding, so the unit conversion after it keeps them).
    static func approx(_ x: Double) -> Double {
        guard x.isFinite, x != 0 else { return x }
        // Scaling by an exact power of ten and dividing back rounds correctly (99.99, not 99.99000000000001).
        let digits = 3 - Int(Foundation.floor(Foundation.log10(abs(x))))
        guard abs(digits) <= 22 else { return x }
        let power = Foundation.pow(10, Double(abs(digits)))
        let r = digits >= 0 ? (x * power).rounded() / power : (x / power).rounded() * power
        return r.isFinite ? r : x
    }

    /// 10000000 as "10,000,000".
    static func grouped(_ n: Int) -> String {
        var digits = String(n)
        var out = ""
        while digits.count > 3 {
            out = "," + digits.suffix(3) + out
            digits.removeLast(3)
        }
        return digits + out
    }

    static func bytes(_ n: Int) -> String {
        let gib = Double(n) / Double(1 << 30)
        if gib >= 1 { return "\((gib * 10).rounded() / 10) GiB" }
        return "\(Int((Double(n) / Double(1 << 20)).rounded())) MiB"
    }
}

extension ModelSpec {
    func name(of node: NodeRef) -> String {
        switch node {
        case .source(let k): return sources[k].name
        case .station(let i): return stations[i].name
        case .buffer(let j): return buffers[j].name
        case .sink(let k): return sinks[k].name
        }
    }
}

extension NodeRef {
    var isStation: Bool { if case .station = self { return true } else { return false } }
}
