import CKernels

/// The fused GMM posteriors (posterior_gemm.c, issue 18): the posterior GEMM Lᵀ = W·Aᵀ and the log-sum-exp of
/// `WideKernels.posteriorLogSumExp` in one pass, 16 (AVX-512) or 8 (AVX2 + FMA) samples at a time, each strip's
/// (M, 16) tile of log-joints kept in L1 between the GEMM and the three log-sum-exp passes:
///
///     L_ki = Σ_d W_kd·A_id   (one FMA chain over d = 0 … 2D−1 in order)     l_ki = L_ki + b_k
///     q_ki = exp(l_ki − max_j l_ji) / Σ_j exp(l_ji − max_j l_ji)   log p(x_i) = max_j l_ji + log Σ_j (·)
///
/// Shapes: A (n, 2D) row-major; W packed by `packPosteriorWeights` (`posteriorPackedCount(m:twoD:)` floats);
/// bias (M); Qᵀ (M, ld) and log p (n). Same bits on both levels; the same bits as sgemm + `posteriorLogSumExp`
/// wherever OpenBLAS runs 2D as one K panel (2D = 128 for W1/W2 included; see posterior_gemm.c).
extension WideKernels {
    /// Floats of W (M, 2D) packed for `fusedPosteriors`: ⌈M/16⌉·16·2D.
    public static func posteriorPackedCount(m: Int, twoD: Int) -> Int { tk_posterior_packed_count(m, twoD) }

    /// W (M, 2D) row-major into groups of 16 components (Wp[g][d][j] = W[16g + j][d], zero past M).
    public static func packPosteriorWeights(_ w: UnsafePointer<Float>, m: Int, twoD: Int,
                                            into packed: UnsafeMutablePointer<Float>) {
        tk_posterior_pack(w, m, twoD, packed)
    }

    /// The levels with a fused path (the baseline level has none: its caller runs sgemm + `posteriorLogSumExp`).
    public static let fusedPosteriorLevels: [KernelISA] = [.avx2, .avx512]

    /// Writes Qᵀ and log p as above and returns true; returns false, writing nothing, when `isa` has no fused
    /// path or the strip scratch ((⌈M/16⌉·16 + 2D)·16 floats) cannot be allocated.
    public static func fusedPosteriors(
        a: UnsafePointer<Float>, rows n: Int, twoD: Int, packedWeights: UnsafePointer<Float>, components m: Int,
        bias: UnsafePointer<Float>, floor: Float, into q: UnsafeMutablePointer<Float>, leadingDimension ld: Int,
        rowLogLikelihoods: UnsafeMutablePointer<Double>, isa: KernelISA = .active
    ) -> Bool {
        if isa != .active { precondition(isa.isSupported, "WideKernels.fusedPosteriors: this CPU cannot run \(isa)") }
        precondition(ld >= n, "WideKernels.fusedPosteriors: leading dimension \(ld) < n = \(n)")
        guard fusedPosteriorLevels.contains(isa), n > 0 else { return n == 0 && fusedPosteriorLevels.contains(isa) }
        return tk_posterior_fused(isa.code, a, n, twoD, packedWeights, m, bias, floor, q, ld, rowLogLikelihoods) == 0
    }
}
