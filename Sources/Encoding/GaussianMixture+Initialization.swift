import Core
import LinearAlgebra

extension GaussianMixture {
    /// How EM chooses its first parameters (VLFeat `vl_gmm_set_initialization`).
    ///
    /// | Method | case | Description |
    /// | --- | --- | --- |
    /// | k-means | `.kmeans(iterations:)` | k-means++ seeding then Lloyd iterations on a seeded sample of rows; μ_k = the centres, σ²_k = the within-cluster variances (floored), π_k = the cluster fractions (default) |
    /// | Random | `.random` | μ_k = M distinct rows of a seeded sample, σ²_k = the global data variance, π_k = 1/M |
    /// | Custom | `.custom(model)` | the given mixture's π, μ, σ² (shapes must match; variances are floored) |
    ///
    /// The sample is `SeededRandom(seed).sample(min(N, initializationSampleSize), from: N)` over global row
    /// indices, gathered on every rank in global order, so initialisation is identical for any number of ranks.
    public enum Initialization: Sendable, Equatable {
        case kmeans(iterations: Int)
        case random
        case custom(GaussianMixture)
    }

    static func initialize(
        _ source: some RowSource, components m: Int, options: Options, dataVariance: [Double], floor: [Double],
        reduction: OrderedReduction, communicator: any Communicator
    ) throws -> GaussianMixture {
        let n = source.totalRows, dim = source.dimension
        func sample(_ count: Int) throws -> Matrix<Float> {
            var rng = SeededRandom(seed: options.seed)
            let indices = rng.sample(Swift.min(n, Swift.max(count, m)), from: n)
            return try source.gatherRows(indices, reduction: reduction, communicator: communicator)
        }
        switch options.initialization {
        case let .custom(model):
            guard model.components == m else {
                throw EncodingError.dimensionMismatch(what: "custom GMM components", expected: m, got: model.components)
            }
            guard model.dimension == dim else {
                throw EncodingError.dimensionMismatch(what: "custom GMM", expected: dim, got: model.dimension)
            }
            var variances = model.variances
            for k in 0 ..< m { for d in 0 ..< dim { variances[k, d] = Swift.max(variances[k, d], floor[d]) } }
            return GaussianMixture(priors: model.priors, means: model.means, variances: variances)

        case .random:
            let rows = try sample(m)  // exactly M distinct rows
            let means = Matrix(rows: m, columns: dim, values: rows.values.map { Double($0) })
            var variances = Matrix<Double>(rows: m, columns: dim)
            for k in 0 ..< m { for d in 0 ..< dim { variances[k, d] = Swift.max(dataVariance[d], floor[d]) } }
            return GaussianMixture(priors: [Double](repeating: 1 / Double(m), count: m), means: means, variances: variances)

        case let .kmeans(iterations):
            let rows = try sample(options.initializationSampleSize)
            let kmeans = try KMeans.fit(rows, clusters: m, iterations: iterations, seeding: .plusPlus, seed: options.seed)
            let labels = kmeans.assign(rows).labels
            var counts = [Double](repeating: 0, count: m)
            var sums = [Double](repeating: 0, count: 2 * m * dim)
            for i in 0 ..< rows.rows {
                let k = labels[i]
                counts[k] += 1
                for d in 0 ..< dim {
                    let v = Double(rows[i, d])
                    sums[k * dim + d] += v
                    sums[(m + k) * dim + d] += v * v
                }
            }
            var means = Matrix<Double>(rows: m, columns: dim)
            var variances = Matrix<Double>(rows: m, columns: dim)
            for k in 0 ..< m {
                for d in 0 ..< dim {
                    guard counts[k] > 0 else {  // empty cluster: prior 0, EM re-seeds it after the first E-step
                        means[k, d] = Double(kmeans.centers[k, d])
                        variances[k, d] = Swift.max(dataVariance[d], floor[d])
                        continue
                    }
                    let mu = sums[k * dim + d] / counts[k]
                    means[k, d] = mu
                    variances[k, d] = Swift.max(sums[(m + k) * dim + d] / counts[k] - mu * mu, floor[d])
                }
            }
            let total = Double(rows.rows)
            return GaussianMixture(priors: counts.map { $0 / total }, means: means, variances: variances)
        }
    }
}
