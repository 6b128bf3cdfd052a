#if canImport(Glibc)
import Glibc
#endif
import LinearAlgebra

/// The GMM posteriors q_ik of a block of rows as one GEMM plus a row-wise log-sum-exp; shared by EM and the
/// Fisher encoder.
///
/// For a diagonal Gaussian,
///
///     log π_k + log N(x | μ_k, σ²_k) = Σ_d x_d²·(−½/σ²_kd) + Σ_d x_d·(μ_kd/σ²_kd) + b_k
///     b_k = log π_k − ½ Σ_d (μ²_kd/σ²_kd + log σ²_kd) − (D/2)·log 2π
///
/// so with A = [X² | X] (n, 2D) and the weights W (2D, M) whose rows 0 ..< D hold −½/σ²_kd and rows D ..< 2D
/// hold μ_kd/σ²_kd, the log-joint is L = A·W + 1bᵀ (n, M): one sgemm of 2·n·2D·M flops. Then per row i:
///
///     m_i = max_k L_ik,   q_ik = exp(L_ik − m_i) / Σ_j exp(L_ij − m_i),   log p(x_i) = m_i + log Σ_j exp(L_ij − m_i)
///
/// Numerical notes: the posteriors are computed in log space and the row maximum is subtracted before the
/// exponential (log-sum-exp), so nothing underflows to an all-zero row; `fastExp` is a vectorisable Cody–Waite +
/// degree-6 polynomial exp (relative error ≈ 2e-7, exactly 0 below `fastExpLowerLimit`). The GEMM expansion
/// of (x − μ)² loses a few bits of the log-joint for rows far from the data mean; that is why descriptors are
/// PCA-centred first. Posteriors below e^`relativeLogPosteriorFloor` of the row's largest are set to exactly 0.
struct PosteriorKernel: Sendable {
    /// log q_ik − max_j log q_ij below this gives q_ik = 0. e^−64 ≈ 1.6e-28 is ~20 orders of magnitude below
    /// Float resolution of a posterior row (which sums to 1), so nothing measurable is lost; the point is to keep
    /// q and its products in the moment GEMMs out of the subnormal range, which x86 computes ~100× slower.
    static let relativeLogPosteriorFloor: Float = -64

    /// D and M.
    let dimension: Int, components: Int
    /// W (2D, M) row-major.
    let weights: [Float]
    /// b (M); −∞ for components whose prior is 0.
    let bias: [Float]

    init(priors: [Double], means: Matrix<Double>, variances: Matrix<Double>) {
        let m = means.rows, dim = means.columns
        var w = [Float](repeating: 0, count: 2 * dim * m)
        var b = [Float](repeating: 0, count: m)
        let logTwoPi = log(2 * Double.pi)
        for k in 0 ..< m {
            var c = log(priors[k]) - 0.5 * Double(dim) * logTwoPi
            for d in 0 ..< dim {
                let s2 = variances[k, d], mu = means[k, d]
                w[d * m + k] = Float(-0.5 / s2)
                w[(dim + d) * m + k] = Float(mu / s2)
                c -= 0.5 * (mu * mu / s2 + log(s2))
            }
            b[k] = priors[k] > 0 ? Float(c) : -Float.infinity
        }
        dimension = dim
        components = m
        weights = w
        bias = b
    }

    /// Fills `a` (n, 2D) with [X² | X] from the rows `x` (n, D).
    static func fillSquaresAndRows(_ x: UnsafePointer<Float>, rows n: Int, dimension dim: Int,
                                   into a: UnsafeMutablePointer<Float>) {
        for i in 0 ..< n {
            let src = x + i * dim, dst = a + i * 2 * dim
            for d in 0 ..< dim {
                let v = src[d]
                dst[d] = v * v
                dst[dim + d] = v
            }
        }
    }

    /// Writes the posteriors q (n, M) of the rows whose [X² | X] is `a` (n, 2D) and returns Σ_i log p(x_i);
    /// each log p(x_i) is also written to `rowLogLikelihoods` when given (n values), and S0_k = Σ_i q_ik is
    /// added to `columnSums` when given (M values, in the same pass as the normalisation).
    func posteriors(a: UnsafePointer<Float>, rows n: Int, into q: UnsafeMutablePointer<Float>,
                    rowLogLikelihoods: UnsafeMutablePointer<Double>? = nil,
                    columnSums: UnsafeMutablePointer<Float>? = nil) -> Double {
        let m = components, twoD = 2 * dimension
        weights.withUnsafeBufferPointer { w in
            Float.gemm(transposeA: false, transposeB: false, m: n, n: m, k: twoD, alpha: 1, a: a, lda: twoD,
                       b: w.baseAddress!, ldb: m, beta: 0, c: q, ldc: m)
        }
        var logLikelihood = 0.0
        let vectorEnd = m - m % 8
        bias.withUnsafeBufferPointer { pb in
            let b = pb.baseAddress!
            for i in 0 ..< n {
                let row = q + i * m
                // Pass 1: l = L + b and its maximum (8 lanes at a time: a lane-wise max is exact in any order).
                var lanesMax = SIMD8<Float>(repeating: -.infinity)
                var k = 0
                while k < vectorEnd {
                    let l = load8(row + k) + load8(b + k)
                    store8(l, row + k)
                    lanesMax.replace(with: l, where: l .> lanesMax)
                    k += 8
                }
                var top = lanesMax.max()
                for r in vectorEnd ..< m {
                    row[r] += b[r]
                    top = Swift.max(top, row[r])
                }
                // Pass 2: e = exp(l − max) (0 below the floor) and its sum (8 partial sums, then across lanes).
                var lanesSum = SIMD8<Float>()
                k = 0
                while k < vectorEnd {
                    let e = posteriorExp(load8(row + k) - top)
                    store8(e, row + k)
                    lanesSum += e
                    k += 8
                }
                var total = lanesSum.sum()
                for r in vectorEnd ..< m {
                    let e = posteriorExp(SIMD8(repeating: row[r] - top))[0]
                    row[r] = e
                    total += e
                }
                // Pass 3: normalise, and accumulate S0 when asked.
                let scale = 1 / total
                for r in 0 ..< m { row[r] *= scale }
                if let s0 = columnSums { for r in 0 ..< m { s0[r] += row[r] } }
                let logP = Double(top) + log(Double(total))
                rowLogLikelihoods?[i] = logP
                logLikelihood += logP
            }
        }
        return logLikelihood
    }
}

/// Below this, `fastExp` returns exactly 0 (e^−87 ≈ 1.6e-38 is near the smallest normal Float).
let fastExpLowerLimit: Float = -87

@inline(__always) func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always) func load8(_ p: UnsafeMutablePointer<Float>) -> SIMD8<Float> { load8(UnsafePointer(p)) }

@inline(__always) func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
}

/// e^z for a log-posterior difference z ≤ 0, exactly 0 below `PosteriorKernel.relativeLogPosteriorFloor`.
@inline(__always) func posteriorExp(_ z: SIMD8<Float>) -> SIMD8<Float> {
    fastExp(z).replacing(with: 0, where: z .< PosteriorKernel.relativeLogPosteriorFloor)
}

/// e^x for Float, eight lanes at a time: Cody–Waite reduction x = k·ln2 + r with |r| ≤ ln2/2, Cephes'
/// degree-6 polynomial for e^r, and 2^k assembled from the exponent bits (wrapping integer arithmetic that
/// cannot trap). Inputs above 88 are clamped; inputs below −87 (and −∞) give 0. Relative error ≈ 2e-7.
@inline(__always)
func fastExp(_ x: SIMD8<Float>) -> SIMD8<Float> {
    let low = SIMD8<Float>(repeating: fastExpLowerLimit), high = SIMD8<Float>(repeating: 88)
    let clamped = x.replacing(with: low, where: .!(x .>= low)).replacing(with: high, where: x .> high)  // NaN → low
    let magic = SIMD8<Float>(repeating: 12_582_912)  // 1.5·2²³: adding it rounds to an integer in the low mantissa bits
    let t = clamped * 1.442_695_04 + magic
    let k = t - magic
    let r = clamped - k * 0.693_359_375 + k * 2.121_944_4e-4
    var p = SIMD8<Float>(repeating: 1.987_569_15e-4)
    p = p * r + 1.398_199_95e-3
    p = p * r + 8.333_451_9e-3
    p = p * r + 4.166_579_59e-2
    p = p * r + 1.666_666_55e-1
    p = p * r + 5.000_000_12e-1
    p = p * r * r + r + 1
    let exponent = (unsafeBitCast(t, to: SIMD8<Int32>.self) &- unsafeBitCast(magic, to: SIMD8<Int32>.self)) &+ 127
    let scale = unsafeBitCast(exponent &<< 23, to: SIMD8<Float>.self)
    return (p * scale).replacing(with: 0, where: x .< fastExpLowerLimit)
}

/// Scalar e^x through the eight-lane kernel (tests, remainders).
func fastExp(_ x: Float) -> Float { fastExp(SIMD8(repeating: x))[0] }
