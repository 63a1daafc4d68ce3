/// The time-average of a piecewise-constant quantity over the observation window. The window's
/// start is handled once, by `restart` at the end of the warm-up, so an update is one
/// multiply-add.
struct TimeAverage {
    var value: Double = 0
    var last: Double = 0
    var area: Double = 0

    /// Accrues the area up to `now`.
    @inline(__always)
    mutating func advance(to now: Double) {
        area += value * (now - last)
        last = now
    }

    @inline(__always)
    mutating func set(_ v: Double, at now: Double) {
        advance(to: now)
        value = v
    }

    /// Forgets the area so far: the window starts at `time`, with the value it has now.
    mutating func restart(at time: Double) {
        area = 0
        last = time
    }
}
