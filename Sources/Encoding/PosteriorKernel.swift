#if canImport(Glibc)
import Glibc
#endif
import Core
import LinearAlgebra

/// The GMM posteriors of a block of rows as one GEMM plus a log-sum-exp per row, stored transposed
/// (component-major); shared by EM and the Fisher encoder.
///
/// For a diagonal Gaussian,
///
///     log π_k + log N(x | μ_k, σ²_k) = Σ_d x_d²·(−½/σ²_kd) + Σ_d x_d·(μ_kd/σ²_kd) + b_k
///     b_k = log π_k − ½ Σ_d (μ²_kd/σ²_kd + log σ²_kd) − (D/2)·log 2π
///
/// so with A = [X² | X] (n, 2D) and the weights W (M, 2D) whose row k is [−½/σ²_k | μ_k/σ²_k], the log-joint is
/// Lᵀ = W·Aᵀ + b1ᵀ (M, n): one sgemm of 2·n·2D·M flops. Then per sample i (a column of Lᵀ):
///
///     m_i = max_k L_ki,   q_ki = exp(L_ki − m_i) / Σ_j exp(L_ji − m_i),   log p(x_i) = m_i + log Σ_j exp(L_ji − m_i)
///
/// Layout: the posteriors are kept as Qᵀ (M, n), so the moments [S2 | S1] = Qᵀ·A are a plain (M, n)·(n, 2D)
/// product and S0_k = Σ_i q_ki is a contiguous row sum. This is also the layout Debian's OpenBLAS 0.3.21 runs at
/// full speed: the row-major alternative (L = A·Wᵀ, then Qᵀ·A through a transposed operand) runs its moment GEMM
/// at about a third of the sgemm rate on this machine (measured: 11 against 35 GFLOP/s, one thread; see
/// docs/benchmarks.md). The log-sum-exp runs over 16, 8 or 4 samples at a time (SIMD lanes = columns) in C
/// (`WideKernels.posteriorLogSumExp`, chosen by `KernelISA`); `logSumExpLanes` is its Swift twin. On the AVX-512
/// level the GEMM and the log-sum-exp run fused instead (`PosteriorKernel+Fused.swift`, issue 18: 16 samples at a
/// time, the (M, 16) tile of log-joints kept in L1), with the same bits at 2D ≤ 200 (`fusedLevels`). It can share
/// its column blocks over several threads, but runs on `logSumExpThreads` (1): measured on the project's 2-vCPU
/// machine, the branch that split it over OpenBLAS's 2 threads ran 1 rank × 2 threads slower, not faster (paired
/// runs, W1 0.89×, W2 0.77×; the cause is not established, see docs/benchmarks.md, issue 18 round 2). Every level and thread count gives the same bits (each
/// column is independent; Σ log p(x_i) is summed in sample order afterwards).
///
/// Numerical notes: the posteriors are computed in log space and the column maximum is subtracted before the
/// exponential (log-sum-exp), so nothing underflows to an all-zero column; `posteriorExp` is Core's vectorisable Cody–Waite +
/// degree-6 polynomial `expKernel` (SIMDMath.swift; relative error ≈ 2e-7), exactly 0 below the floor. The GEMM expansion
/// of (x − μ)² loses a few bits of the log-joint for rows far from the data mean; that is why descriptors are
/// PCA-centred first. Posteriors below e^`relativeLogPosteriorFloor` of the sample's largest are set to exactly 0.
struct PosteriorKernel: Sendable {
    /// log q_ki − max_j log q_ji below this gives q_ki = 0. e^−64 ≈ 1.6e-28 is ~20 orders of magnitude below
    /// Float resolution of a posterior column (which sums to 1), so nothing measurable is lost; the point is to keep
    /// q and its products in the moment GEMMs out of the subnormal range, which x86 computes ~100× slower.
    static var relativeLogPosteriorFloor: Float { -64 }
    /// Threads of the C log-sum-exp in `posteriors` (see the type's notes: the 2-thread split did not pay).
    static var logSumExpThreads: Int { 1 }
    /// The levels on which `posteriors` runs the fused GEMM + log-sum-exp (`PosteriorKernel+Fused.swift`): AVX-512
    /// only. The AVX2 kernel exists and is tested, but on this machine (Zen 4, where OpenBLAS's sgemm is its
    /// AVX-512 kernel whatever `TRIBUTARY_ISA` says) it ran 0.93–1.07× the unfused path (docs/benchmarks.md, round 4).
    static var fusedLevels: [KernelISA] { [.avx512] }
    /// Samples per block of the log-sum-exp: M·512 floats (512 KiB at M = 256) stay in L2 over the three passes.
    static var columnBlock: Int { 512 }

    /// D and M.
    let dimension: Int, components: Int
    /// W (M, 2D) row-major.
    let weights: [Float]
    /// b (M); −∞ for components whose prior is 0.
    let bias: [Float]
    /// W packed for the fused path (`WideKernels.packPosteriorWeights`: groups of 16 components).
    let packedWeights: [Float]

    init(priors: [Double], means: Matrix<Double>, variances: Matrix<Double>) {
        let m = means.rows, dim = means.columns
        var w = [Float](repeating: 0, count: 2 * dim * m)
        var b = [Float](repeating: 0, count: m)
        let logTwoPi = log(2 * Double.pi)
        for k in 0 ..< m {
            var c = log(priors[k]) - 0.5 * Double(dim) * logTwoPi
            for d in 0 ..< dim {
                let s2 = variances[k, d], mu = means[k, d]
                w[k * 2 * dim + d] = Float(-0.5 / s2)
                w[k * 2 * dim + dim + d] = Float(mu / s2)
                c -= 0.5 * (mu * mu / s2 + log(s2))
            }
            b[k] = priors[k] > 0 ? Float(c) : -Float.infinity
        }
        dimension = dim
        components = m
        weights = w
        bias = b
        packedWeights = [Float](unsafeUninitializedCapacity: WideKernels.posteriorPackedCount(m: m, twoD: 2 * dim)) {
            WideKernels.packPosteriorWeights(w, m: m, twoD: 2 * dim, into: $0.baseAddress!)
            $1 = $0.count
        }
    }

    /// Fills `a` (n, 2D) with [X² | X] from the rows `x` (n, D), in C on the `KernelISA.active` level
    /// (`WideKernels.squaresAndRows`; `fillSquaresAndRowsLoop` is its Swift twin, same bits).
    static func fillSquaresAndRows(_ x: UnsafePointer<Float>, rows n: Int, dimension dim: Int,
                                   into a: UnsafeMutablePointer<Float>) {
        WideKernels.squaresAndRows(x, rows: n, dimension: dim, into: a)
    }

    /// The Swift twin of `fillSquaresAndRows` (tests).
    static func fillSquaresAndRowsLoop(_ x: UnsafePointer<Float>, rows n: Int, dimension dim: Int,
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

    /// Writes the posteriors Qᵀ (M, n) (row k, leading dimension n) of the rows whose [X² | X] is `a` (n, 2D) and
    /// returns Σ_i log p(x_i) (summed in sample order); each log p(x_i) is also written to `rowLogLikelihoods`
    /// when given (n values). On one thread at a `fusedLevels` level the GEMM and log-sum-exp run fused
    /// (`fusedPosteriors`); otherwise the GEMM, then the log-sum-exp in C (`WideKernels.posteriorLogSumExp`, column
    /// blocks shared over `threads`), bit-identical to `logSumExpLanes` below for every level and thread count.
    func posteriors(a: UnsafePointer<Float>, rows n: Int, into q: UnsafeMutablePointer<Float>,
                    rowLogLikelihoods: UnsafeMutablePointer<Double>? = nil,
                    threads: Int = PosteriorKernel.logSumExpThreads, isa: KernelISA = .active) -> Double {
        let logP = rowLogLikelihoods ?? UnsafeMutablePointer<Double>.allocate(capacity: n)
        defer { if rowLogLikelihoods == nil { logP.deallocate() } }
        if threads > 1 || !PosteriorKernel.fusedLevels.contains(isa)
            || !fusedPosteriors(a: a, rows: n, into: q, rowLogLikelihoods: logP, isa: isa) {
            logJoint(a: a, rows: n, into: q)
            bias.withUnsafeBufferPointer { b in
                WideKernels.posteriorLogSumExp(q, components: components, columns: n, bias: b.baseAddress!,
                                               floor: PosteriorKernel.relativeLogPosteriorFloor,
                                               rowLogLikelihoods: logP, threads: threads, isa: isa)
            }
        }
        var logLikelihood = 0.0
        for i in 0 ..< n { logLikelihood += logP[i] }
        return logLikelihood
    }

    /// Lᵀ = W·Aᵀ (M, n), the log-joint before the bias b, into `q`.
    func logJoint(a: UnsafePointer<Float>, rows n: Int, into q: UnsafeMutablePointer<Float>) {
        let m = components, twoD = 2 * dimension
        weights.withUnsafeBufferPointer { w in
            Float.gemm(transposeA: false, transposeB: true, m: m, n: n, k: twoD, alpha: 1, a: w.baseAddress!,
                       lda: twoD, b: a, ldb: twoD, beta: 0, c: q, ldc: n)
        }
    }

    /// The Swift twin of the C log-sum-exp (tests): the same three passes on `SIMD8` lanes over Lᵀ in `q`,
    /// one thread; returns Σ_i log p(x_i) and writes each log p(x_i) to `rowLogLikelihoods` when given.
    func logSumExpLanes(_ q: UnsafeMutablePointer<Float>, rows n: Int,
                        rowLogLikelihoods: UnsafeMutablePointer<Double>? = nil) -> Double {
        let m = components
        // The log-sum-exp runs over blocks of `columnBlock` samples, each pass sweeping the block's part of every
        // component row (contiguous, L2-resident); sweeping one 8-sample column at a time down the M rows instead
        // strides n floats per step and thrashes the caches' sets.
        let columnBlock = Swift.min(n, PosteriorKernel.columnBlock)
        var scratch = [Float](repeating: 0, count: 2 * columnBlock)
        var logLikelihood = 0.0
        let floor = PosteriorKernel.relativeLogPosteriorFloor
        bias.withUnsafeBufferPointer { pb in
            scratch.withUnsafeMutableBufferPointer { ps in
                let b = pb.baseAddress!, top = ps.baseAddress!, total = ps.baseAddress! + columnBlock
                for lower in stride(from: 0, to: n, by: columnBlock) {
                    let width = Swift.min(columnBlock, n - lower), vectorEnd = width - width % 8
                    // Pass 1: l = L + b and the maximum over components of each sample.
                    for j in 0 ..< width { top[j] = -.infinity }
                    for k in 0 ..< m {
                        let row = q + k * n + lower, bk = SIMD8<Float>(repeating: b[k])
                        var j = 0
                        while j < vectorEnd {
                            let l = load8(row + j) + bk, t = load8(top + j)
                            store8(l, row + j)
                            store8(t.replacing(with: l, where: l .> t), top + j)
                            j += 8
                        }
                        for r in vectorEnd ..< width {
                            row[r] += b[k]
                            top[r] = Swift.max(top[r], row[r])
                        }
                    }
                    // Pass 2: e = exp(l − max) (0 below the floor) and the sum over components of each sample.
                    for j in 0 ..< width { total[j] = 0 }
                    for k in 0 ..< m {
                        let row = q + k * n + lower
                        var j = 0
                        while j < vectorEnd {
                            let e = posteriorExp(load8(row + j) - load8(top + j), floor: floor)
                            store8(e, row + j)
                            store8(load8(total + j) + e, total + j)
                            j += 8
                        }
                        for r in vectorEnd ..< width {
                            let e = posteriorExp(SIMD8(repeating: row[r] - top[r]), floor: floor)[0]
                            row[r] = e
                            total[r] += e
                        }
                    }
                    // Pass 3: normalise; log p(x_i) = max + log Σ.
                    for j in 0 ..< width {
                        let logP = Double(top[j]) + log(Double(total[j]))
                        rowLogLikelihoods?[lower + j] = logP
                        logLikelihood += logP
                        total[j] = 1 / total[j]
                    }
                    for k in 0 ..< m {
                        let row = q + k * n + lower
                        var j = 0
                        while j < vectorEnd {
                            store8(load8(row + j) * load8(total + j), row + j)
                            j += 8
                        }
                        for r in vectorEnd ..< width { row[r] *= total[r] }
                    }
                }
            }
        }
        return logLikelihood
    }

    /// The zeroth moments S0_k = Σ_{i ∈ columns} q_ki of Qᵀ (M, ld), into `sums` (M values, overwritten), in C
    /// on the `KernelISA.active` level (`WideKernels.rowSums`; `zerothMomentsLanes` is its Swift twin, same bits).
    func zerothMoments(_ q: UnsafePointer<Float>, leadingDimension ld: Int, columns: Range<Int>,
                       into sums: UnsafeMutablePointer<Float>) {
        WideKernels.rowSums(q, rows: components, leadingDimension: ld, columns: columns, into: sums)
    }

    /// The Swift twin of `zerothMoments` (tests): eight lane sums, `sum()` of the lanes, then the tail.
    func zerothMomentsLanes(_ q: UnsafePointer<Float>, leadingDimension ld: Int, columns: Range<Int>,
                            into sums: UnsafeMutablePointer<Float>) {
        for k in 0 ..< components {
            let row = q + k * ld
            var lanes = SIMD8<Float>()
            var i = columns.lowerBound
            while i + 8 <= columns.upperBound {
                lanes += load8(row + i)
                i += 8
            }
            var s = lanes.sum()
            while i < columns.upperBound {
                s += row[i]
                i += 1
            }
            sums[k] = s
        }
    }
}
