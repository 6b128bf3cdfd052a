/// e^x on eight Float lanes (AVX2 width): the toolkit's two vectorised exponentials, side by side, and the
/// unaligned eight-lane load/store they are used with.
///
/// Both are the Cephes `expf` scheme (as in most SIMD libraries):
///
///     n = round(x·log₂e)                              by adding and subtracting 1.5·2²³ (round-to-nearest)
///     r = x − n·ln2_hi − n·ln2_lo                     |r| ≤ ln2/2, ln2 split in two for an exact product
///     e^r ≈ 1 + r + r²·P(r)                           P degree 5 (Cephes coefficients), relative error ≲ 2e-7
///     e^x = e^r · 2^n                                 2^n built in the exponent bits: (n + 127) << 23
///
/// | function | used by | clamp | below the clamp | last step |
/// | --- | --- | --- | --- | --- |
/// | `gateExp` | NeuralNets' σ and tanh gate lanes (LSTM/GRU) | [−87.3, 88.3] | e^−87.3 (never 0) | p·(r·r) + r + 1 |
/// | `fastExp` | tests, scalar remainders | [−87, 88] | exactly 0 (also −∞, NaN) | (p·r)·r + r + 1 |
/// | `posteriorExp` | Encoding's GMM posteriors (`PosteriorKernel`) | [floor, —] | exactly 0 below `floor` | (p·r)·r + r + 1 |
///
/// Why two: they differ in the clamp AND in the rounding order of the last polynomial step, so each gives
/// bit-different results from the other. Merging them would change the LSTM/GRU activations or the GMM
/// posteriors (and with them trained models, Fisher vectors and every checked-in number in docs/). The gate
/// lanes need e^x finite and non-zero everywhere, so that σ and tanh saturate to exactly 0/1 and ±1 instead of
/// NaN; the posterior kernel wants an exact 0 for negligible components, so that nothing subnormal (slow on
/// x86) reaches the moment GEMMs.

/// `p` as eight lanes; no alignment required.
@inlinable @inline(__always)
public func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

@inlinable @inline(__always)
public func load8(_ p: UnsafeMutablePointer<Float>) -> SIMD8<Float> { load8(UnsafePointer(p)) }

/// Stores eight lanes at `p`; no alignment required.
@inlinable @inline(__always)
public func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
}

// MARK: - The gate-lane exponential (NeuralNets)

/// e^x on eight lanes for the σ/tanh gates: x is clamped to [−87.3, 88.3] first, so e^x stays a normal Float
/// (2^−126 … 2^127·√2): finite and non-zero. Relative error ≲ 2e-7.
@inlinable @inline(__always)
public func gateExp(_ x: SIMD8<Float>) -> SIMD8<Float> {
    typealias Lanes = SIMD8<Float>
    let x = x.replacing(with: Lanes(repeating: -87.3), where: x .< -87.3)
        .replacing(with: Lanes(repeating: 88.3), where: x .> 88.3)
    let magic = Lanes(repeating: 12_582_912)  // 1.5·2²³: adding it rounds to an integer
    let t = x * 1.442_695_040_9 + magic
    let n = t - magic
    let r = x - n * 0.693_359_375 + n * 2.121_944_400_5e-4  // ln2 = 0.693359375 − 2.12194440e-4
    var p = r * 1.987_569_150_0e-4 + 1.398_199_950_7e-3
    p = p * r + 8.333_451_907_3e-3
    p = p * r + 4.166_579_589_4e-2
    p = p * r + 1.666_666_545_9e-1
    p = p * r + 5.000_000_120_1e-1
    p = p * (r * r) + r + 1
    let exponent = unsafeBitCast(t, to: SIMD8<Int32>.self) &- unsafeBitCast(magic, to: SIMD8<Int32>.self)
    return p * unsafeBitCast((exponent &+ 127) &<< 23, to: Lanes.self)
}

// MARK: - The posterior exponential (Encoding)

/// Below this, `fastExp` returns exactly 0 (e^−87 ≈ 1.6e-38 is near the smallest normal Float).
public let fastExpLowerLimit: Float = -87

/// e^x for Float, eight lanes at a time: inputs above 88 are clamped; inputs below −87 (and −∞, NaN) give 0.
/// Relative error ≈ 2e-7.
@inlinable @inline(__always)
public func fastExp(_ x: SIMD8<Float>) -> SIMD8<Float> {
    let low = SIMD8<Float>(repeating: fastExpLowerLimit), high = SIMD8<Float>(repeating: 88)
    let clamped = x.replacing(with: low, where: .!(x .>= low)).replacing(with: high, where: x .> high)  // NaN → low
    return expKernel(clamped).replacing(with: 0, where: x .< fastExpLowerLimit)
}

/// e^z for a log-posterior difference z ≤ 0, exactly 0 below `floor` (`PosteriorKernel.relativeLogPosteriorFloor`):
/// `expKernel` with only a lower clamp (z is never above 0, and z is raised to the floor before the
/// polynomial, so −∞ and very negative z cost nothing extra).
@inlinable @inline(__always)
public func posteriorExp(_ z: SIMD8<Float>, floor: Float) -> SIMD8<Float> {
    let floor = SIMD8<Float>(repeating: floor)
    let x = z.replacing(with: floor, where: .!(z .>= floor))  // −∞ and NaN → the floor
    return expKernel(x).replacing(with: 0, where: z .< floor)
}

/// Scalar e^x through the eight-lane kernel (tests, remainders).
@inlinable
public func fastExp(_ x: Float) -> Float { fastExp(SIMD8(repeating: x))[0] }

/// e^x for x in [−87, 88] (no clamp: callers clamp): Cody–Waite reduction x = k·ln2 + r with |r| ≤ ln2/2,
/// Cephes' degree-6 polynomial for e^r, and 2^k assembled from the exponent bits (wrapping integer arithmetic
/// that cannot trap).
@inlinable @inline(__always)
public func expKernel(_ x: SIMD8<Float>) -> SIMD8<Float> {
    let magic = SIMD8<Float>(repeating: 12_582_912)  // 1.5·2²³: adding it rounds to an integer in the low mantissa bits
    let t = x * 1.442_695_04 + magic
    let k = t - magic
    let r = x - k * 0.693_359_375 + k * 2.121_944_4e-4
    var p = SIMD8<Float>(repeating: 1.987_569_15e-4)
    p = p * r + 1.398_199_95e-3
    p = p * r + 8.333_451_9e-3
    p = p * r + 4.166_579_59e-2
    p = p * r + 1.666_666_55e-1
    p = p * r + 5.000_000_12e-1
    p = p * r * r + r + 1
    let exponent = (unsafeBitCast(t, to: SIMD8<Int32>.self) &- unsafeBitCast(magic, to: SIMD8<Int32>.self)) &+ 127
    return p * unsafeBitCast(exponent &<< 23, to: SIMD8<Float>.self)
}
