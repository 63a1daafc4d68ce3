import Foundation

/// Marsaglia and Tsang's ziggurat for the standard exponential: almost every draw is one
/// multiplication and a table look-up instead of a logarithm. The layer index and the value
/// come from different bits of one 64-bit draw, which avoids the correlation of the original
/// 32-bit version.
enum Ziggurat {
    /// Right edge of the base layer, and the area of each of the 256 layers.
    static let r = 7.697117470131487
    static let area = 3.949659822581572e-3

    /// The tables live in memory allocated once and never freed, so a draw reads them without
    /// reference counting.
    /// A layer's acceptance bound and width side by side: the fast path reads one cache line.
    struct Layer {
        var k: UInt32
        var w: Double
    }

    typealias Tables = (layers: UnsafeMutablePointer<Layer>, f: UnsafeMutablePointer<Double>)

    /// Reading a global costs a lazy-initialisation check; the engine reads it once per
    /// replication and passes it to every draw.
    static let tables: Tables = {
        let k = UnsafeMutablePointer<UInt32>.allocate(capacity: 256)
        let w = UnsafeMutablePointer<Double>.allocate(capacity: 256)
        let f = UnsafeMutablePointer<Double>.allocate(capacity: 256)
        let m = 4294967296.0
        var d = r, previous = r
        let q = area / exp(-d)
        k[0] = UInt32((d / q) * m)
        k[1] = 0
        w[0] = q / m
        w[255] = d / m
        f[0] = 1
        f[255] = exp(-d)
        for i in stride(from: 254, through: 1, by: -1) {
            d = -log(area / d + exp(-d))
            k[i + 1] = UInt32((d / previous) * m)
            previous = d
            f[i] = exp(-d)
            w[i] = d / m
        }
        let layers = UnsafeMutablePointer<Layer>.allocate(capacity: 256)
        for i in 0..<256 { (layers + i).initialize(to: Layer(k: k[i], w: w[i])) }
        k.deallocate()
        w.deallocate()
        return (layers, f)
    }()

    /// One draw of Exp(1).
    @inline(__always)
    static func exponential(_ rng: inout RandomStream, _ t: Tables) -> Double {
        let u = rng.next()
        let i = Int(u & 255)
        let j = UInt32(truncatingIfNeeded: u >> 32)
        let layer = t.layers[i]
        if j < layer.k { return Double(j) * layer.w }
        return slow(rng: &rng, i: i, j: j, t)
    }

    @inline(never)
    private static func slow(rng: inout RandomStream, i layer: Int, j value: UInt32, _ t: Tables) -> Double {
        var i = layer, j = value
        while true {
            if i == 0 { return r - log(rng.uniform()) }
            let x = Double(j) * t.layers[i].w
            if t.f[i] + rng.uniform() * (t.f[i - 1] - t.f[i]) < exp(-x) { return x }
            let u = rng.next()
            i = Int(u & 255)
            j = UInt32(truncatingIfNeeded: u >> 32)
            if j < t.layers[i].k { return Double(j) * t.layers[i].w }
        }
    }
}
