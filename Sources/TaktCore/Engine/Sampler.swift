/// A distribution as the event loop samples it: plain data, with the values of an empirical
/// distribution in memory the owner frees (`free()`), so reading one costs no reference
/// counting. It draws exactly what `Distribution.sample` draws from the same stream.
struct Sampler {
    enum Kind: UInt8 {
        case constant, exponential, uniform, triangular, normal, lognormal, erlang, gamma, weibull, empirical
    }

    var a = 0.0, b = 0.0, c = 0.0
    var values: UnsafeMutablePointer<Double>?
    /// Erlang's k (at most a million) or the number of empirical values.
    @Narrow<Int32> var k: Int = 0
    var kind: Kind

    init(_ d: Distribution) {
        switch d {
        case .constant(let v): kind = .constant; a = v
        case .exponential(let m): kind = .exponential; a = m
        case .uniform(let low, let high): kind = .uniform; a = low; b = high
        case .triangular(let low, let mode, let high): kind = .triangular; a = low; b = mode; c = high
        case .normal(let m, let sd): kind = .normal; a = m; b = sd
        case .lognormal(let m, let sd): kind = .lognormal; a = m; b = sd
        case .erlang(let n, let m): kind = .erlang; k = n; a = m
        case .gamma(let shape, let m): kind = .gamma; a = shape; b = m
        case .weibull(let shape, let scale): kind = .weibull; a = shape; b = scale
        case .empirical(let v):
            kind = .empirical
            k = v.count
            let p = UnsafeMutablePointer<Double>.allocate(capacity: max(1, v.count))
            p.initialize(from: v, count: v.count)
            values = p
        }
    }

    func free() { values?.deallocate() }

    /// The two commonest kinds inline; the others in one call, which keeps every caller small
    /// enough for the compiler to inline the engine's hot path into one function.
    @inline(__always)
    func sample(_ rng: inout RandomStream, _ zig: Ziggurat.Tables) -> Double {
        switch kind {
        case .exponential: return a * Ziggurat.exponential(&rng, zig)
        case .constant: return a
        default: return sampleOther(&rng, zig)
        }
    }

    @inline(never)
    func sampleOther(_ rng: inout RandomStream, _ zig: Ziggurat.Tables) -> Double {
        switch kind {
        case .constant: return a
        case .exponential: return a * Ziggurat.exponential(&rng, zig)
        case .uniform: return Draw.uniform(a, b, &rng)
        case .triangular: return Draw.triangular(a, b, c, &rng)
        case .normal: return Draw.normal(a, b, &rng)
        case .lognormal: return Draw.lognormal(a, b, &rng)
        case .erlang: return Draw.erlang(k, a, &rng)
        case .gamma: return Draw.gamma(a, b, &rng)
        case .weibull: return Draw.weibull(a, b, &rng)
        case .empirical:
            let i = Int(rng.next() % UInt64(k))
            return values.map { $0[i] } ?? 0
        }
    }
}
