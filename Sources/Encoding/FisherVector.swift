#if canImport(Glibc)
import Glibc
#endif
import LinearAlgebra

/// Fisher vectors: the normalised gradient of an image's mean log-likelihood under a `GaussianMixture` with
/// respect to the means and standard deviations (Perronnin & Dance 2007; the "improved" FV of Perronnin,
/// Sánchez & Mensink 2010, as in VLFeat's `vl_fisher_encode` and Mensink et al. 2010, section 2).
///
/// For T descriptors x_i of one image and posteriors q_ik:
///
///     u_k = 1/(T √π_k)  Σ_i q_ik (x_i − μ_k) / σ_k                      (D values)
///     v_k = 1/(T √(2π_k)) Σ_i q_ik [((x_i − μ_k) / σ_k)² − 1]          (D values)
///
/// These are the gradients ∂/∂μ_kd and ∂/∂σ_kd of (1/T) Σ_i log p(x_i), i.e. (1/T)Σ q_ik (x−μ)/σ² and
/// (1/T)Σ q_ik [(x−μ)²/σ³ − 1/σ], multiplied by the inverse square root of the diagonal Fisher information
/// (σ_kd/√π_k and σ_kd/√(2π_k)).
///
/// **Layout** (VLFeat's): the FV is 2·M·D Floats, `[u_1 … u_M, v_1 … v_M]`: u_kd at k·D + d and v_kd at
/// (M + k)·D + d (k = 0 ..< M, d = 0 ..< D).
///
/// **Fast path** (`FisherEncoder.encode`): with A = [X² | X] (T, 2D), posteriors by `PosteriorKernel` (one
/// sgemm), then the moments G = qᵀA (M, 2D) = [S2 | S1] (one sgemm) and S0 = Σ_i q_i, and per component
///
///     u_k = (S1_k − μ_k S0_k) / (σ_k T √π_k)
///     v_k = ((S2_k − 2 μ_k ⊙ S1_k + μ²_k S0_k) / σ²_k − S0_k) / (T √(2π_k))      (combined in Double)
///
/// Normalisation (`Normalization`, applied power THEN L2, each region independently): signed square root
/// z ← sign(z)|z|^½ (power normalisation with α = ½), then z ← z / max(‖z‖₂, `l2Floor`).
///
/// Numerical notes: components with π_k < `GaussianMixture.minimumPrior` contribute zeros (VLFeat skips them);
/// an empty descriptor set (T = 0) gives the zero vector, which stays zero after normalisation (the L2 norm is
/// clamped at `l2Floor`), never NaN.
public enum FisherVector {
    /// Post-processing of a raw FV, composable like VLFeat's flags.
    public struct Normalization: OptionSet, Sendable, Hashable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }

        /// z ← sign(z)·√|z|.
        public static let signedSquareRoot = Normalization(rawValue: 1 << 0)
        /// z ← z / ‖z‖₂.
        public static let l2 = Normalization(rawValue: 1 << 1)
        /// The improved FV: signed square root, then L2.
        public static let improved: Normalization = [.signedSquareRoot, .l2]
    }

    /// The L2 norm is clamped at this before dividing (zero vectors stay zero).
    public static let l2Floor: Float = 1e-12

    /// Applies `normalization` to `v` in place: the power normalisation first, then L2.
    public static func normalize(_ v: inout [Float], _ normalization: Normalization) {
        v.withUnsafeMutableBufferPointer { normalize($0, normalization) }
    }

    static func normalize(_ v: UnsafeMutableBufferPointer<Float>, _ normalization: Normalization) {
        if normalization.contains(.signedSquareRoot) {
            for i in v.indices {
                let z = v[i]
                v[i] = z < 0 ? -(-z).squareRoot() : z.squareRoot()
            }
        }
        if normalization.contains(.l2) {
            var s: Float = 0
            for z in v { s += z * z }
            let scale = 1 / Swift.max(s.squareRoot(), l2Floor)
            for i in v.indices { v[i] *= scale }
        }
    }

    /// Plain-loop twin in Double, per descriptor and per component (tests): the FV straight from the formulas
    /// for u_k and v_k above, with `GaussianMixture.posteriorsNaive`.
    public static func encodeNaive(_ x: Matrix<Double>, mixture: GaussianMixture,
                                   normalization: Normalization = []) -> [Double] {
        let m = mixture.components, dim = mixture.dimension, t = x.rows
        var fv = [Double](repeating: 0, count: 2 * m * dim)
        guard t > 0 else { return fv }
        let q = mixture.posteriorsNaive(x).posteriors
        for k in 0 ..< m where mixture.priors[k] >= GaussianMixture.minimumPrior {
            for i in 0 ..< t {
                for d in 0 ..< dim {
                    let sigma = mixture.variances[k, d].squareRoot()
                    let z = (x[i, d] - mixture.means[k, d]) / sigma
                    fv[k * dim + d] += q[i, k] * z / (Double(t) * mixture.priors[k].squareRoot())
                    fv[(m + k) * dim + d] += q[i, k] * (z * z - 1) / (Double(t) * (2 * mixture.priors[k]).squareRoot())
                }
            }
        }
        if normalization.contains(.signedSquareRoot) { fv = fv.map { $0 < 0 ? -(-$0).squareRoot() : $0.squareRoot() } }
        if normalization.contains(.l2) {
            let norm = Swift.max(fv.reduce(0) { $0 + $1 * $1 }.squareRoot(), Double(l2Floor))
            fv = fv.map { $0 / norm }
        }
        return fv
    }
}

/// Zeroth, first and second moments of a set of descriptors under a mixture: additive, so the moments of a
/// pyramid region are the sum of the moments of the cells it covers.
struct FisherMoments {
    /// T, the number of descriptors.
    var count: Int
    /// S0 (M).
    var s0: [Double]
    /// [S2 | S1] per component (M, 2D).
    var g: [Double]

    init(components m: Int, dimension dim: Int) {
        count = 0
        s0 = [Double](repeating: 0, count: m)
        g = [Double](repeating: 0, count: 2 * m * dim)
    }

    static func += (lhs: inout FisherMoments, rhs: FisherMoments) {
        lhs.count += rhs.count
        for k in lhs.s0.indices { lhs.s0[k] += rhs.s0[k] }
        for j in lhs.g.indices { lhs.g[j] += rhs.g[j] }
    }
}
