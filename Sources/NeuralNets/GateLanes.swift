/// Vectorised Float gate arithmetic: e^x, σ and tanh on eight lanes (AVX2 width), and the LSTM cell update of
/// one row built on them. The generic gate loops call these when S == Float (Double keeps libm, so the gradient
/// checks see exact maths).
///
/// e^x (Cephes `expf` reduction, as in most SIMD libraries):
///
///     x ← clamp(x, −87.3, 88.3)                       e^x stays a normal Float (2^−126 … 2^127·√2)
///     n = round(x·log₂e)                              by adding and subtracting 1.5·2²³ (round-to-nearest)
///     r = x − n·ln2_hi − n·ln2_lo                     |r| ≤ ln2/2, ln2 split in two for an exact product
///     e^r ≈ 1 + r + r²·P(r)                           P degree 5 (Cephes coefficients), relative error ≲ 2e-7
///     e^x = e^r · 2^n                                 2^n built in the exponent bits: (n + 127) << 23
///
/// σ(a) = 1 / (1 + e^(−a)) and tanh(a) = 1 − 2/(e^(2a) + 1): with the clamp, e^(·) is finite and non-zero, so
/// both saturate to exactly 0/1 and ±1 in the tails instead of producing NaN. Absolute error ≲ 3e-7.
///
/// LSTM row (H wide, gate blocks i f g o at offsets 0, H, 2H, 3H of `gates`, see `LSTM`):
///
///     i, f, o = σ(a_i, a_f, a_o)    g = tanh(a_g)    c = f ⊙ c_prev + i ⊙ g    h = o ⊙ tanh(c)
///
/// Lanes 8 at a time; the last H mod 8 columns go through the scalar formulas.
enum GateLanes {
    typealias Lanes = SIMD8<Float>

    @inline(__always) static func load(_ p: UnsafePointer<Float>) -> Lanes {
        UnsafeRawPointer(p).loadUnaligned(as: Lanes.self)
    }

    @inline(__always) static func store(_ v: Lanes, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: Lanes.self)
    }

    /// e^x on eight lanes.
    @inline(__always) static func exp(_ x: Lanes) -> Lanes {
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

    @inline(__always) static func sigmoid(_ a: Lanes) -> Lanes { 1 / (1 + exp(-a)) }

    @inline(__always) static func tanh(_ a: Lanes) -> Lanes { 1 - 2 / (exp(2 * a) + 1) }

    /// The LSTM cell update of one row: overwrites the 4H pre-activations in `gates` with i f g o and writes
    /// c, tanh c and h (H each); `cellIn` is c_prev.
    @inline(__always)
    static func lstmRow(gates a: UnsafeMutablePointer<Float>, cellIn: UnsafePointer<Float>,
                        cell: UnsafeMutablePointer<Float>, tanhCell: UnsafeMutablePointer<Float>,
                        hidden: UnsafeMutablePointer<Float>, h: Int) {
        var j = 0
        while j + 8 <= h {
            let i = sigmoid(load(a + j)), f = sigmoid(load(a + h + j))
            let g = tanh(load(a + 2 * h + j)), o = sigmoid(load(a + 3 * h + j))
            store(i, a + j); store(f, a + h + j); store(g, a + 2 * h + j); store(o, a + 3 * h + j)
            let c = f * load(cellIn + j) + i * g
            let tc = tanh(c)
            store(c, cell + j); store(tc, tanhCell + j); store(o * tc, hidden + j)
            j += 8
        }
        while j < h {
            let i = scalarSigmoid(a[j]), f = scalarSigmoid(a[h + j])
            let g = Float.tanh(a[2 * h + j]), o = scalarSigmoid(a[3 * h + j])
            a[j] = i; a[h + j] = f; a[2 * h + j] = g; a[3 * h + j] = o
            let c = f * cellIn[j] + i * g
            let tc = Float.tanh(c)
            cell[j] = c; tanhCell[j] = tc; hidden[j] = o * tc
            j += 1
        }
    }
}

/// The module's scalar σ (the static `GateLanes.sigmoid` shadows it inside the enum).
@inline(__always) private func scalarSigmoid(_ a: Float) -> Float { sigmoid(a) }
