/// The time-average of a piecewise-constant quantity over the observation window.
struct TimeAverage {
    var value: Double = 0
    var last: Double = 0
    var area: Double = 0

    /// Accrues the area up to `now`, counting only time after `start`.
    @inline(__always)
    mutating func advance(to now: Double, start: Double) {
        let from = last > start ? last : start
        if now > from { area += value * (now - from) }
        last = now
    }

    @inline(__always)
    mutating func set(_ v: Double, at now: Double, start: Double) {
        advance(to: now, start: start)
        value = v
    }
}
