// RandomGenerator: a seeded xoshiro256** stream; one stream per purpose (init, shuffle, augment, dropout).

/// Streams are derived from `(seed, purpose)` so that, e.g., adding a dropout layer does not
/// change the shuffling order, and results never depend on thread scheduling.
public struct RandomGenerator: RandomNumberGenerator, Sendable, Equatable {
    public private(set) var state: (UInt64, UInt64, UInt64, UInt64)
    private var spareNormal: Float?

    public init(seed: UInt64, purpose: String = "") {
        var mixer = SplitMix64(state: seed ^ RandomGenerator.fnv1a(purpose))
        state = (mixer.next(), mixer.next(), mixer.next(), mixer.next())
    }

    /// Restores a generator from a saved `state` (checkpoints).
    public init(state: (UInt64, UInt64, UInt64, UInt64)) {
        precondition(state != (0, 0, 0, 0), "xoshiro256** cannot start from the all-zero state")
        self.state = state
    }

    /// A child stream, e.g. one per epoch or per item, independent of how many values the parent drew.
    public func derived(_ index: UInt64) -> RandomGenerator {
        var mixer = SplitMix64(state: state.0 ^ (index &* 0x9E37_79B9_7F4A_7C15) ^ state.2)
        var child = self
        child.state = (mixer.next(), mixer.next(), mixer.next(), mixer.next())
        child.spareNormal = nil
        return child
    }

    public mutating func next() -> UInt64 {
        let result = rotl(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotl(state.3, 45)
        return result
    }

    /// Uniform in [0, 1) with 24 bits of precision.
    public mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    public mutating func uniform(_ low: Float, _ high: Float) -> Float {
        low + (high - low) * nextUnitFloat()
    }

    /// Standard normal by Box–Muller in Double, keeping the second value for the next call.
    public mutating func normal() -> Float {
        if let spare = spareNormal {
            spareNormal = nil
            return spare
        }
        // One 64-bit draw gives both uniforms (32 bits each); Float math is ample for a Float result.
        let bits = next()
        let u1 = (Float(bits >> 40) + 0.5) * (1.0 / 16_777_216.0)
        let u2 = Float((bits >> 8) & 0xFF_FFFF) * (1.0 / 16_777_216.0)
        let radius = (-2 * logFloat(u1)).squareRoot()
        let angle = 2 * Float.pi * u2
        spareNormal = radius * sinFloat(angle)
        return radius * cosFloat(angle)
    }

    public static func == (lhs: RandomGenerator, rhs: RandomGenerator) -> Bool {
        lhs.state == rhs.state && lhs.spareNormal == rhs.spareNormal
    }

    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }

    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }
}

private struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state = state &+ 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
