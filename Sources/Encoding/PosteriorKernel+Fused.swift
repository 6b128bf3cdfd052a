import LinearAlgebra

/// The posterior GEMM fused with its log-sum-exp (issue 18), and its Swift twin.
///
/// Unfused, a block of n samples costs one sgemm writing Lᵀ (M, n) — at W1's n = 4096, M = 256 that is 4 MiB,
/// zero-filled first (β = 0) and past L2 — then three log-sum-exp passes reading it back, and OpenBLAS packs
/// Aᵀ (2D, n) on the way. Fused (`WideKernels.fusedPosteriors`, posterior_gemm.c), each strip of 16 samples
/// (AVX-512; 8 on AVX2) computes its (M, 16) tile of log-joints with W pre-packed once per model
/// (`packedWeights`), runs the three passes on the tile while it is in L1, and writes only the posteriors:
///
///     L_ki = fma(W_k,2D−1, A_i,2D−1, … fma(W_k0, A_i0, 0))      (d in order: one rounding per term)
///
/// then the log-sum-exp of `logSumExpLanes`, operation for operation. So the fused path gives the bits of
/// `logJointChain` + `logSumExpLanes` on every level and for every shape, and the bits of the unfused
/// sgemm + log-sum-exp wherever OpenBLAS runs 2D as one K panel (its kernel is the same FMA chain; checked for
/// 2D ≤ 200, including W1/W2's 2D = 128; at 2D = 400 OpenBLAS splits K and the last bits differ).
extension PosteriorKernel {
    /// The fused GEMM + log-sum-exp into `q` (M, n) and `logP` (n); false (nothing written) on the baseline
    /// level, where the caller runs the unfused path.
    func fusedPosteriors(a: UnsafePointer<Float>, rows n: Int, into q: UnsafeMutablePointer<Float>,
                         rowLogLikelihoods logP: UnsafeMutablePointer<Double>, isa: KernelISA) -> Bool {
        packedWeights.withUnsafeBufferPointer { w in
            bias.withUnsafeBufferPointer { b in
                WideKernels.fusedPosteriors(a: a, rows: n, twoD: 2 * dimension, packedWeights: w.baseAddress!,
                                            components: components, bias: b.baseAddress!,
                                            floor: PosteriorKernel.relativeLogPosteriorFloor, into: q,
                                            leadingDimension: n, rowLogLikelihoods: logP, isa: isa)
            }
        }
    }

    /// The Swift twin of the fused path's GEMM (tests): Lᵀ_ki (M, n) into `q` as one FMA chain over d in order
    /// from 0 (`addingProduct`), before the bias, as `logJoint` computes it with OpenBLAS at one K panel.
    func logJointChain(a: UnsafePointer<Float>, rows n: Int, into q: UnsafeMutablePointer<Float>) {
        let twoD = 2 * dimension
        for k in 0 ..< components {
            for i in 0 ..< n {
                var acc: Float = 0
                for d in 0 ..< twoD { acc = acc.addingProduct(weights[k * twoD + d], a[i * twoD + d]) }
                q[k * n + i] = acc
            }
        }
    }
}
