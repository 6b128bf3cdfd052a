import LinearAlgebra

/// Encodes images into Fisher vectors (see `FisherVector` for the maths and the layout) with every
/// per-component constant precomputed once: the posterior GEMM weights, μ_k, 1/σ_k, 1/σ²_k, 1/√π_k, 1/√(2π_k).
///
/// The encoder is an immutable value, safe to share between threads; each thread passes its own
/// `FisherEncoder.Workspace` (or calls the convenience `encode(_:normalization:)`, which makes one).
///
/// Shapes: descriptors X (T, D) row-major; the FV (2·M·D).
///
/// ```swift
/// let encoder = FisherEncoder(mixture: gmm)
/// var workspace = FisherEncoder.Workspace()
/// let fv = encoder.encode(pca.project(descriptors), normalization: .improved, workspace: &workspace)
/// ```
public struct FisherEncoder: Sendable {
    /// The mixture the gradients are taken under.
    public let mixture: GaussianMixture
    let kernel: PosteriorKernel
    /// μ, 1/σ, 1/σ² (M·D each, row-major like `mixture.means`).
    let means: [Double], inverseSigma: [Double], inverseVariance: [Double]
    /// 1/√π_k and 1/√(2π_k), 0 for components below `GaussianMixture.minimumPrior` (M each).
    let meanScale: [Double], varianceScale: [Double]

    /// 2·M·D, the length of one (region's) Fisher vector.
    public var dimension: Int { 2 * mixture.components * mixture.dimension }

    public init(mixture: GaussianMixture) {
        self.mixture = mixture
        kernel = PosteriorKernel(priors: mixture.priors, means: mixture.means, variances: mixture.variances)
        means = mixture.means.values
        inverseSigma = mixture.variances.values.map { 1 / $0.squareRoot() }
        inverseVariance = mixture.variances.values.map { 1 / $0 }
        let alive = mixture.priors.map { $0 >= GaussianMixture.minimumPrior }
        meanScale = zip(mixture.priors, alive).map { $1 ? 1 / $0.squareRoot() : 0 }
        varianceScale = zip(mixture.priors, alive).map { $1 ? 1 / (2 * $0).squareRoot() : 0 }
    }

    /// Scratch buffers for one encoding thread, grown on demand and reused across images.
    public struct Workspace {
        var squaresAndRows: [Float] = []
        var posteriors: [Float] = []
        var moments: [Float] = []
        var zerothMoments: [Float] = []

        public init() {}

        mutating func reserve(rows: Int, dimension: Int, components: Int) {
            if squaresAndRows.count < rows * 2 * dimension { squaresAndRows = [Float](repeating: 0, count: rows * 2 * dimension) }
            if posteriors.count < rows * components { posteriors = [Float](repeating: 0, count: rows * components) }
            if moments.count != components * 2 * dimension { moments = [Float](repeating: 0, count: components * 2 * dimension) }
            if zerothMoments.count != components { zerothMoments = [Float](repeating: 0, count: components) }
        }
    }

    /// The FV of the descriptors `x` (T, D), normalised by `normalization` (default: improved).
    public func encode(_ x: Matrix<Float>, normalization: FisherVector.Normalization = .improved) -> [Float] {
        var workspace = Workspace()
        return encode(x, normalization: normalization, workspace: &workspace)
    }

    /// The FV of the descriptors `x` (T, D) using `workspace` for scratch.
    public func encode(_ x: Matrix<Float>, normalization: FisherVector.Normalization = .improved,
                       workspace: inout Workspace) -> [Float] {
        precondition(x.columns == mixture.dimension, "FisherEncoder: descriptors have \(x.columns) columns, expected \(mixture.dimension)")
        let moments = self.moments(x, groupBoundaries: [0, x.rows], workspace: &workspace)[0]
        var fv = vector(moments)
        FisherVector.normalize(&fv, normalization)
        return fv
    }

    /// The moments of each group of consecutive rows of `x`: group g is rows
    /// `groupBoundaries[g] ..< groupBoundaries[g + 1]`. Posteriors are computed once for all rows (one GEMM),
    /// the moments once per non-empty group (one GEMM each, on the group's columns of Qᵀ).
    func moments(_ x: Matrix<Float>, groupBoundaries: [Int], workspace: inout Workspace) -> [FisherMoments] {
        let t = x.rows, m = mixture.components, dim = mixture.dimension, twoD = 2 * dim
        var result: [FisherMoments] = []
        workspace.reserve(rows: Swift.max(t, 1), dimension: dim, components: m)
        x.values.withUnsafeBufferPointer { px in
            workspace.squaresAndRows.withUnsafeMutableBufferPointer { pa in
                workspace.posteriors.withUnsafeMutableBufferPointer { pq in
                    workspace.moments.withUnsafeMutableBufferPointer { pg in
                        workspace.zerothMoments.withUnsafeMutableBufferPointer { ps in
                            let a = pa.baseAddress!, q = pq.baseAddress!, g = pg.baseAddress!, s0 = ps.baseAddress!
                            if t > 0 {
                                PosteriorKernel.fillSquaresAndRows(px.baseAddress!, rows: t, dimension: dim, into: a)
                                _ = kernel.posteriors(a: a, rows: t, into: q)
                            }
                            for group in 0 ..< groupBoundaries.count - 1 {
                                let lower = groupBoundaries[group], n = groupBoundaries[group + 1] - lower
                                var out = FisherMoments(components: m, dimension: dim)
                                out.count = n
                                if n > 0 {
                                    // [S2 | S1] = Qᵀ[:, group]·A[group] (M, 2D); Qᵀ has leading dimension t.
                                    Float.gemm(transposeA: false, transposeB: false, m: m, n: twoD, k: n, alpha: 1,
                                               a: q + lower, lda: t, b: a + lower * twoD, ldb: twoD,
                                               beta: 0, c: g, ldc: twoD)
                                    kernel.zerothMoments(q, leadingDimension: t, columns: lower ..< lower + n, into: s0)
                                    for k in 0 ..< m { out.s0[k] = Double(s0[k]) }
                                    for j in 0 ..< m * twoD { out.g[j] = Double(g[j]) }
                                }
                                result.append(out)
                            }
                        }
                    }
                }
            }
        }
        return result
    }

    /// The raw (unnormalised) FV from moments; zeros when T = 0.
    func vector(_ moments: FisherMoments) -> [Float] {
        let m = mixture.components, dim = mixture.dimension, twoD = 2 * dim
        var fv = [Float](repeating: 0, count: 2 * m * dim)
        guard moments.count > 0 else { return fv }
        let inverseT = 1 / Double(moments.count)
        for k in 0 ..< m {
            let s0 = moments.s0[k]
            let uScale = meanScale[k] * inverseT, vScale = varianceScale[k] * inverseT
            for d in 0 ..< dim {
                let j = k * dim + d
                let mu = means[j], s1 = moments.g[k * twoD + dim + d], s2 = moments.g[k * twoD + d]
                fv[j] = Float((s1 - mu * s0) * inverseSigma[j] * uScale)
                fv[m * dim + j] = Float(((s2 - 2 * mu * s1 + mu * mu * s0) * inverseVariance[j] - s0) * vScale)
            }
        }
        return fv
    }
}
