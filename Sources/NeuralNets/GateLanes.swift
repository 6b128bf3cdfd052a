import Core

/// Vectorised Float gate arithmetic: e^x, σ and tanh on eight lanes (AVX2 width), and the LSTM cell update of
/// one row built on them. The generic gate loops call these when S == Float (Double keeps libm, so the gradient
/// checks see exact maths).
///
/// e^x is Core's `gateExp` (SIMDMath.swift: the Cephes `expf` reduction, x clamped to [−87.3, 88.3] so e^x
/// stays a normal Float, 2^−126 … 2^127·√2).
///
/// σ(a) = 1 / (1 + e^(−a)) and tanh(a) = 1 − 2/(e^(2a) + 1): with the clamp, e^(·) is finite and non-zero, so
/// both saturate to exactly 0/1 and ±1 in the tails instead of producing NaN. Absolute error ≲ 3e-7.
///
/// LSTM row (H wide, gate blocks i f g o at offsets 0, H, 2H, 3H of `gates`, see `LSTM`):
///
///     i, f, o = σ(a_i, a_f, a_o)    g = tanh(a_g)    c = f ⊙ c_prev + i ⊙ g    h = o ⊙ tanh(c)
///
/// Lanes 8 at a time; the last H mod 8 columns go through the scalar formulas.
///
/// The Float LSTM forward runs `WideKernels.lstmRow` (LinearAlgebra, C: the same formulas built for SSE2, AVX2
/// and AVX-512, chosen at start-up); `lstmRow` here is its Swift twin, which the tests require it to match bit
/// for bit on every level.
enum GateLanes {
    typealias Lanes = SIMD8<Float>

    @inline(__always) static func load(_ p: UnsafePointer<Float>) -> Lanes {
        UnsafeRawPointer(p).loadUnaligned(as: Lanes.self)
    }

    @inline(__always) static func store(_ v: Lanes, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: Lanes.self)
    }

    /// e^x on eight lanes (`gateExp` in Core's SIMDMath.swift: clamped to [−87.3, 88.3], never 0).
    @inline(__always) static func exp(_ x: Lanes) -> Lanes { gateExp(x) }

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
