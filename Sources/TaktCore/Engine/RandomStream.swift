/// SplitMix64: expands one 64-bit seed into well-mixed words, used to seed xoshiro.
public struct SplitMix64 {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// xoshiro256**: the generator behind every random stream. Each stochastic element owns one,
/// derived from the run seed, the element's name and the purpose of the draws.
public struct RandomStream {
    var s0, s1, s2, s3: UInt64

    public init(seed: UInt64) {
        var mix = SplitMix64(seed: seed)
        s0 = mix.next(); s1 = mix.next(); s2 = mix.next(); s3 = mix.next()
    }

    /// The stream for `(seed, name, purpose, replication)`: stable across runs, platforms and
    /// processes, and independent of which other elements exist. `family` 0 is the common
    /// family every scenario shares (common random numbers); another family gives every
    /// stream of a run fresh numbers, for runs that must not share them.
    public init(seed: UInt64, name: String, purpose: String = "", replication: Int = 0, family: Int = 0) {
        var h = StableHash.fnv1a(name)
        h = StableHash.combine(h, StableHash.fnv1a(purpose))
        h = StableHash.combine(h, UInt64(truncatingIfNeeded: replication))
        if family != 0 { h = StableHash.combine(h, StableHash.combine(0x66616d696c79, UInt64(truncatingIfNeeded: family))) }
        self.init(seed: StableHash.combine(seed, h))
    }

    @inline(__always)
    static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = RandomStream.rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = RandomStream.rotl(s3, 45)
        return result
    }

    /// Uniform in (0, 1): never 0, so `log` of it is finite.
    @inline(__always)
    public mutating func uniform() -> Double {
        (Double(next() >> 11) + 0.5) * 0x1.0p-53
    }
}

/// A hash that is the same in every process (unlike Swift's seeded `Hasher`).
public enum StableHash {
    public static func fnv1a(_ s: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in s.utf8 {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01B3
        }
        return h
    }

    public static func combine(_ a: UInt64, _ b: UInt64) -> UInt64 {
        var mix = SplitMix64(seed: a ^ (b &* 0x9E37_79B9_7F4A_7C15))
        return mix.next()
    }
}
