import Core
import LinearAlgebra

/// Principal component analysis fitted over ranks: the d directions of largest variance of the rows.
///
/// Reference: Pearson (1901); used in Mensink et al. (2010) to reduce ORH and COL descriptors to 64 dimensions.
///
/// Model (N rows x_i ∈ ℝ^D, over all ranks):
///
///     μ = (1/N) Σ_i x_i
///     C = 1/(N−1) Σ_i (x_i − μ)(x_i − μ)ᵀ                       (two passes: μ first, then centred sums)
///     C = Vᵀ·diag(λ)·V,  λ_0 ≥ λ_1 ≥ …                         (`SymmetricEigen`, eigenvectors as rows)
///     W = V[0 ..< d, :]                                          (components, d×D)
///     project(X) = (X − 1μᵀ)·Wᵀ                                  (one GEMM)
///
/// Shapes: X (n, D) row-major; `mean` (D); `components` W (d, D) with orthonormal rows; `eigenvalues` (d),
/// decreasing; `project` returns (n, d).
///
/// Numerical notes:
/// - Sums are accumulated in Double: per block of `OrderedReduction.blockSize` rows on the owning rank, then
///   added in block order, so μ and C (and hence W) are bit-identical for any number of ranks.
/// - The covariance is computed from centred rows (second pass), not as E[xxᵀ] − μμᵀ, which would cancel
///   catastrophically for descriptors with a large mean.
/// - Eigenvector signs are fixed by `SymmetricEigen` (largest-magnitude entry positive).
///
/// ```swift
/// let pca = try PCA.fit(MatrixRowSource(descriptors), dimensions: 64)
/// let reduced = pca.project(descriptors)          // (n, 64)
/// ```
public struct PCA: Sendable, Equatable {
    /// μ, the mean row (D).
    public let mean: [Float]
    /// W, the principal directions as rows (d, D), orthonormal.
    public let components: Matrix<Float>
    /// λ_0 ≥ … ≥ λ_{d−1}: the variance along each component (d).
    public let eigenvalues: [Double]
    /// Σ of all D eigenvalues (trace of C), so `eigenvalues[j] / totalVariance` is the explained fraction.
    public let totalVariance: Double

    /// D, the input dimension.
    public var inputDimension: Int { components.columns }
    /// d, the output dimension.
    public var outputDimension: Int { components.rows }

    public init(mean: [Float], components: Matrix<Float>, eigenvalues: [Double], totalVariance: Double) {
        precondition(mean.count == components.columns && eigenvalues.count == components.rows, "PCA: shapes disagree")
        self.mean = mean
        self.components = components
        self.eigenvalues = eigenvalues
        self.totalVariance = totalVariance
    }

    /// Fits a PCA on the rows of `source` (each rank passes its own shard; see `RowSource`).
    ///
    /// - Parameters:
    ///   - dimensions: d, the number of components kept (default 64; at most D).
    ///   - reduction: the fixed block size of the ordered sums; the same on every rank.
    public static func fit(
        _ source: some RowSource, dimensions: Int = 64, reduction: OrderedReduction = OrderedReduction(),
        communicator: any Communicator = SingleProcessCommunicator()
    ) throws -> PCA {
        let (mean, covariance) = try statistics(source, reduction: reduction, communicator: communicator)
        return try fit(mean: mean, covariance: covariance, dimensions: dimensions)
    }

    /// μ (D) and C (D, D) in Double, reduced over ranks in block order (two passes over the rows).
    public static func statistics(
        _ source: some RowSource, reduction: OrderedReduction = OrderedReduction(),
        communicator: any Communicator = SingleProcessCommunicator()
    ) throws -> (mean: [Double], covariance: Matrix<Double>) {
        let n = source.totalRows, dim = source.dimension
        guard n >= 2 else { throw EncodingError.tooFewRows(what: "PCA", rows: n, needed: 2) }
        let sum = try reduction.sum(totalRows: n, width: dim, communicator: communicator) { range -> [Double] in
            let block = try source.rows(range)
            var s = [Double](repeating: 0, count: dim)
            for i in 0 ..< block.rows {
                for j in 0 ..< dim { s[j] += Double(block.values[i * dim + j]) }
            }
            return s
        }
        let mean = sum.map { $0 / Double(n) }
        let scatter = try reduction.sum(totalRows: n, width: dim * dim, communicator: communicator) { range -> [Double] in
            let block = try source.rows(range)
            var centred = Matrix<Double>(rows: block.rows, columns: dim)
            for i in 0 ..< block.rows {
                for j in 0 ..< dim { centred.values[i * dim + j] = Double(block.values[i * dim + j]) - mean[j] }
            }
            return BLAS.matmul(centred, centred, transposeA: true).values  // Σ (x−μ)(x−μ)ᵀ over the block
        }
        let covariance = Matrix(rows: dim, columns: dim, values: scatter.map { $0 / Double(n - 1) })
        guard covariance.values.allSatisfy(\.isFinite) else { throw EncodingError.nonFinite(what: "PCA input") }
        return (mean, covariance)
    }

    /// The PCA of given statistics (μ, C): the top-d eigenvectors of C.
    public static func fit(mean: [Double], covariance: Matrix<Double>, dimensions: Int) throws -> PCA {
        let dim = mean.count
        guard dimensions >= 1, dimensions <= dim else {
            throw EncodingError.invalidParameter(name: "PCA dimensions", value: "\(dimensions)",
                                                 rule: "must be in 1...\(dim) (the descriptor dimension)")
        }
        let eigen = try SymmetricEigen(covariance)
        let w = eigen.vectors.rows(0 ..< dimensions)
        return PCA(mean: mean.map { Float($0) },
                   components: Matrix(rows: dimensions, columns: dim, values: w.values.map { Float($0) }),
                   eigenvalues: Array(eigen.values[0 ..< dimensions]),
                   totalVariance: eigen.values.reduce(0, +))
    }

    /// (X − 1μᵀ)·Wᵀ: the (n, d) projection of the (n, D) rows `x`, as one GEMM.
    public func project(_ x: Matrix<Float>) -> Matrix<Float> {
        precondition(x.columns == inputDimension, "PCA.project: rows have \(x.columns) columns, expected \(inputDimension)")
        var centred = x
        let dim = inputDimension
        centred.values.withUnsafeMutableBufferPointer { p in
            mean.withUnsafeBufferPointer { m in
                for i in 0 ..< x.rows {
                    let row = i * dim
                    for j in 0 ..< dim { p[row + j] -= m[j] }
                }
            }
        }
        return BLAS.matmul(centred, components, transposeB: true)
    }

    /// Plain-loop twin of `project` (tests).
    func projectNaive(_ x: Matrix<Float>) -> Matrix<Float> {
        var out = Matrix<Float>(rows: x.rows, columns: outputDimension)
        for i in 0 ..< x.rows {
            for k in 0 ..< outputDimension {
                var s: Float = 0
                for j in 0 ..< inputDimension { s += (x[i, j] - mean[j]) * components[k, j] }
                out[i, k] = s
            }
        }
        return out
    }
}
