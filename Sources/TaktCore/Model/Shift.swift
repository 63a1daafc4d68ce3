/// When something works, as a weekly pattern (docs/model.md): the union of spans `[from, to)`
/// on chosen days of a 7-day week, time 0 being 0h of day 1; a span past midnight (`to < from`)
/// runs into the next day, and day 7's into day 1.
public struct Shift: Sendable, Equatable {
    public static let week = 7 * 86_400.0

    /// Sorted, disjoint, non-adjacent spans of seconds within `[0, week]` when it is on.
    public private(set) var spans: [Range<Double>]

    /// `from` and `to` are times of day in seconds (0 to 86,400, not equal); days 1 to 7.
    public struct Part: Sendable, Equatable {
        public var from: Double, to: Double
        public var days: [Int]
        public init(from: Double, to: Double, days: [Int] = Array(1...7)) {
            self.from = from
            self.to = to
            self.days = days
        }
    }

    public init(_ parts: [Part]) {
        var raw: [Range<Double>] = []
        for p in parts {
            for d in Set(p.days) where (1...7).contains(d) {
                let start = Double(d - 1) * 86_400 + p.from
                var end = Double(d - 1) * 86_400 + p.to
                if p.to <= p.from { end += 86_400 }
                if end <= Shift.week {
                    raw.append(start..<end)
                } else {
                    raw.append(start..<Shift.week)
                    raw.append(0..<(end - Shift.week))
                }
            }
        }
        raw.sort { $0.lowerBound < $1.lowerBound }
        var merged: [Range<Double>] = []
        for r in raw where !r.isEmpty {
            if let last = merged.last, r.lowerBound <= last.upperBound {
                merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, r.upperBound)
            } else {
                merged.append(r)
            }
        }
        spans = merged
    }

    /// Always on: no shift at all.
    public var isAlwaysOn: Bool { spans.count == 1 && spans[0].lowerBound <= 0 && spans[0].upperBound >= Shift.week }

    /// Whether it is on at time `t` (seconds from 0).
    public func isOn(at t: Double) -> Bool {
        let x = t.truncatingRemainder(dividingBy: Shift.week)
        return spans.contains { $0.contains(x) }
    }

    /// The first time after `t` at which it turns on or off, or nil if it never changes.
    public func nextChange(after t: Double) -> Double? {
        guard !spans.isEmpty, !isAlwaysOn else { return nil }
        let weekStart = (t / Shift.week).rounded(.down) * Shift.week
        var edges: [Double] = []
        for s in spans {
            // An edge at the week's end that meets a span at its start is no change.
            if s.lowerBound > 0 || spans.last!.upperBound < Shift.week { edges.append(s.lowerBound) }
            if s.upperBound < Shift.week || spans.first!.lowerBound > 0 { edges.append(s.upperBound) }
        }
        for k in 0..<3 {
            for e in edges.sorted() {
                let time = weekStart + Double(k) * Shift.week + e
                if time > t { return time }
            }
        }
        return nil
    }

    /// The time at which `d` seconds of on time have passed since `t`: a clock that pauses
    /// off shift (a source's interarrival time).
    public func addOnTime(_ d: Double, from t: Double) -> Double {
        guard !spans.isEmpty, !isAlwaysOn else { return t + d }
        var time = t, left = d
        // Whole weeks at once, then span by span (at most a few weeks' worth).
        let perWeek = fractionOn * Shift.week
        if left > perWeek {
            let weeks = (left / perWeek).rounded(.down) - 1
            if weeks > 0 {
                time += weeks * Shift.week
                left -= weeks * perWeek
            }
        }
        for _ in 0..<(4 * spans.count + 8) {
            let weekStart = (time / Shift.week).rounded(.down) * Shift.week
            let x = time - weekStart
            if let s = spans.first(where: { $0.contains(x) }) {
                let room = s.upperBound - x
                if left <= room { return time + left }
                left -= room
                time = weekStart + s.upperBound
            } else if let next = spans.first(where: { $0.lowerBound > x }) {
                time = weekStart + next.lowerBound
            } else {
                time = weekStart + Shift.week + spans[0].lowerBound
            }
        }
        return time + left
    }

    /// Hours on per week, for the traffic equations.
    public var fractionOn: Double { spans.reduce(0) { $0 + ($1.upperBound - $1.lowerBound) } / Shift.week }
}
