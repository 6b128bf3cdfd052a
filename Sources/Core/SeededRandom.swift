#if canImport(Glibc)
import Glibc
#endif

/// A seeded, platform-stable pseudo-random generator: xoshiro256** (Blackman & Vigna, 2018, "Scrambled linear
/// pseudorandom number generators") seeded through SplitMix64.
///
/// The same seed gives the same stream on every platform and Swift version: the state update is fixed integer
/// arithmetic, and every derived draw below is defined here, not by the standard library (whose
/// `random(in:using:)` algorithms are not guaranteed stable across releases).
///
///     state:     s ∈ {0,1}^256, s ≠ 0, from SplitMix64(seed)
///     next():    rotl(s1·5, 7)·9, then the xoshiro256 linear update of s
///     uniform:   (next() >> 11) · 2⁻⁵³ ∈ [0, 1)         (Double; Float uses the top 24 bits)
///     bounded:   Lemire's multiply-shift with rejection — unbiased integers in 0 ..< n
///     normal:    Box–Muller, u1 ∈ (0, 1], u2 ∈ [0, 1): √(−2 ln u1)·cos(2π u2)  (one value per pair; no cache,
///                so the stream position is a pure function of the number of calls)
///
/// Per-rank streams use `SeededRandom(seed: seed, stream: rank)`, so shuffles seeded with `seed + rank` never
/// collide. The full state can be saved in a checkpoint (`state`) and restored (`init(state:)`).
public struct SeededRandom: RandomNumberGenerator, Sendable, Equatable {
    private var s: (UInt64, UInt64, UInt64, UInt64)

    /// A generator for `seed`; different `stream` values give independent generators for the same seed.
    public init(seed: UInt64, stream: UInt64 = 0) {
        var sm = seed ^ (stream &* 0xD1B5_4A32_D192_ED03)
        func splitMix(_ x: inout UInt64) -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s = (splitMix(&sm), splitMix(&sm), splitMix(&sm), splitMix(&sm))
        if s == (0, 0, 0, 0) { s.0 = 1 }
    }

    /// Restores a generator from a saved `state` (4 words).
    public init(state: [UInt64]) {
        precondition(state.count == 4, "SeededRandom: state must have 4 words, got \(state.count)")
        s = (state[0], state[1], state[2], state[3])
        if s == (0, 0, 0, 0) { s.0 = 1 }
    }

    /// The full 256-bit state, for checkpoints.
    public var state: [UInt64] { [s.0, s.1, s.2, s.3] }

    public static func == (lhs: SeededRandom, rhs: SeededRandom) -> Bool { lhs.state == rhs.state }

    @inline(__always)
    private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = SeededRandom.rotl(s.1 &* 5, 7) &* 9
        let t = s.1 << 17
        s.2 ^= s.0
        s.3 ^= s.1
        s.1 ^= s.2
        s.0 ^= s.3
        s.2 ^= t
        s.3 = SeededRandom.rotl(s.3, 45)
        return result
    }

    // MARK: - Derived draws

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func uniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Uniform in [0, 1) with 24 random bits.
    public mutating func uniformFloat() -> Float { Float(next() >> 40) * 0x1.0p-24 }

    /// Uniform in [lower, upper).
    public mutating func uniform(_ lower: Double, _ upper: Double) -> Double { lower + (upper - lower) * uniform() }

    /// An unbiased integer in 0 ..< n (Lemire 2019, "Fast random integer generation in an interval").
    public mutating func bounded(_ n: Int) -> Int {
        precondition(n > 0, "SeededRandom.bounded: n must be positive, got \(n)")
        return lemireBounded(n)
    }

    /// A standard normal draw, N(0, 1), by Box–Muller.
    public mutating func normal() -> Double {
        let u1 = 1.0 - uniform()  // (0, 1]: log stays finite
        let u2 = uniform()
        return (-2.0 * log(u1)).squareRoot() * cos(2.0 * Double.pi * u2)
    }

    /// N(mean, sd²).
    public mutating func normal(mean: Double, standardDeviation: Double) -> Double {
        mean + standardDeviation * normal()
    }

    /// `count` standard normal Floats.
    public mutating func normalFloats(_ count: Int) -> [Float] { (0 ..< count).map { _ in Float(normal()) } }

    /// `count` uniform Floats in [lower, upper).
    public mutating func uniformFloats(_ count: Int, in lower: Float = 0, _ upper: Float = 1) -> [Float] {
        (0 ..< count).map { _ in lower + (upper - lower) * uniformFloat() }
    }

    // MARK: - Permutations and samples

    /// A uniformly random permutation of 0 ..< n (Fisher–Yates, from the top).
    public mutating func permutation(_ n: Int) -> [Int] {
        var p = Array(0 ..< n)
        shuffle(&p)
        return p
    }

    /// Shuffles `array` in place (Fisher–Yates with `bounded`).
    public mutating func shuffle<T>(_ array: inout [T]) { fisherYates(&array) }

    /// k distinct indices drawn uniformly from 0 ..< n, returned in increasing order (Floyd's algorithm:
    /// k draws, whatever n, so sampling 10⁵ descriptors from 10⁹ is cheap).
    public mutating func sample(_ k: Int, from n: Int) -> [Int] {
        precondition(k >= 0 && k <= n, "SeededRandom.sample: cannot draw \(k) distinct items from \(n)")
        var chosen = Set<Int>(minimumCapacity: k)
        for j in (n - k) ..< n {
            let t = bounded(j + 1)
            if chosen.contains(t) { chosen.insert(j) } else { chosen.insert(t) }
        }
        return chosen.sorted()
    }
}

/// SplitMix64 (Steele, Lea & Flood, 2014) on its own: the generator of `CorpusSplit`'s stratified shuffles.
///
/// It is NOT `SeededRandom` (xoshiro256** seeded through SplitMix64): the train/test splits, folds and
/// subsamples of every corpus were published with this stream, so it is kept bit-for-bit. Use it only through
/// `SplitMix64.corpusSplit(seed:stream:)`; new code draws from `SeededRandom`.
///
///     state₀ = seed ⊕ (stream · 0x9E3779B97F4A7C15) ⊕ 0x5851F42D4C957F2D
///     next():  state += 0x9E3779B97F4A7C15, then the SplitMix64 finaliser of state
///     bounded, shuffle: exactly as `SeededRandom` (Lemire's multiply-shift with rejection; Fisher–Yates from the top)
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// The stream of class `stream` (a class index) of the corpus split seeded with `seed`.
    public static func corpusSplit(seed: UInt64, stream: UInt64) -> SplitMix64 {
        SplitMix64(state: seed ^ (stream &* 0x9E37_79B9_7F4A_7C15) ^ 0x5851_F42D_4C95_7F2D)
    }

    private init(state: UInt64) { self.state = state }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// An unbiased integer in 0 ..< n.
    public mutating func bounded(_ n: Int) -> Int { lemireBounded(n) }

    /// Shuffles `array` in place (Fisher–Yates with `bounded`).
    public mutating func shuffle<T>(_ array: inout [T]) { fisherYates(&array) }
}

// MARK: - Draws shared by the two generators

extension RandomNumberGenerator {
    /// An unbiased integer in 0 ..< n (Lemire 2019, "Fast random integer generation in an interval").
    @inline(__always)
    fileprivate mutating func lemireBounded(_ n: Int) -> Int {
        let range = UInt64(n)
        var product = next().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold { product = next().multipliedFullWidth(by: range) }
        }
        return Int(product.high)
    }

    /// Fisher–Yates from the top, j = lemireBounded(i + 1).
    @inline(__always)
    fileprivate mutating func fisherYates<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            let j = lemireBounded(i + 1)
            if i != j { array.swapAt(i, j) }
        }
    }
}
