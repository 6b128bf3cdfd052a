import Core
import LinearAlgebra

/// A mixture of M diagonal Gaussians fitted by expectation–maximisation over ranks.
///
/// Reference: Dempster, Laird & Rubin (1977), "Maximum likelihood from incomplete data via the EM algorithm";
/// the GMM of Mensink et al. (2010) has M = 256 components on 64-d PCA descriptors.
///
/// Model: p(x) = Σ_k π_k N(x | μ_k, diag σ²_k).
///
/// **E-step** (see `PosteriorKernel`, all GEMMs): q_ik = π_k N(x_i|μ_k,σ²_k) / Σ_j π_j N(x_i|μ_j,σ²_j) with
///
///     log N(x|μ_k,σ_k) = −½ Σ_d [x_d²/σ²_kd − 2 x_d μ_kd/σ²_kd + μ²_kd/σ²_kd + log σ²_kd + log 2π]
///
/// evaluated as [X² | X]·W, and the sufficient statistics of each block of rows, also GEMMs:
///
///     S0_k = Σ_i q_ik        S1_k = Σ_i q_ik x_i  (qᵀX)        S2_k = Σ_i q_ik x_i²  (qᵀX²)
///
/// **M-step** (Double):  π_k = S0_k / Σ_j S0_j,   μ_k = S1_k / S0_k,   σ²_kd = max(S2_kd/S0_k − μ²_kd, floor_d).
///
/// The objective reported after every E-step is the mean log-likelihood ℓ = (1/N) Σ_i log p(x_i); EM stops when
/// (ℓ_t − ℓ_{t−1}) / |ℓ_{t−1}| < `tolerance` or after `maxIterations` M-steps. Each E-step of the loop
/// evaluates the parameters of the previous M-step, so `logLikelihoodHistory` has one entry per E-step, the last
/// one for the returned parameters.
///
/// Shapes: rows X (n, D); `priors` π (M); `means` μ (M, D); `variances` σ² (M, D), all row-major Double.
///
/// Numerical notes:
/// - Posteriors in log space with the row maximum subtracted (log-sum-exp): no underflow for far-away rows.
/// - Variance floor: floor_d = max(`minimumVariance`, `relativeVarianceFloor` · Var_d(X)), with Var_d the
///   global data variance (VLFeat's `sigmaLowBound` idea); degenerate data (all rows equal) gives
///   σ² = `minimumVariance`, never 0 or NaN.
/// - Prior floor: a component whose prior falls below `minimumPrior` is *dead* and is re-seeded
///   deterministically by splitting the live component j with the largest prior (lowest index on ties): along
///   j's highest-variance dimension d*, μ_j,d* −= ½σ_j,d* and the new μ_k = μ_j + σ_j,d* e_d* (the two halves sit
///   ±½σ from the old mean); σ²_k = σ²_j; π_k = π_j = π_j / 2.
/// - Statistics are summed in Float within a block (`OrderedReduction.blockSize` rows, default 4096), in
///   Double across blocks in block order: the fit is bit-identical for any number of ranks.
///
/// ```swift
/// let gmm = try GaussianMixture.fit(MatrixRowSource(x), components: 256) { print($0) }
/// let encoder = FisherEncoder(mixture: gmm)
/// ```
public struct GaussianMixture: Sendable, Equatable {
    /// π, M mixture weights summing to 1.
    public let priors: [Double]
    /// μ, (M, D).
    public let means: Matrix<Double>
    /// σ², (M, D), every entry ≥ the variance floor used in the fit.
    public let variances: Matrix<Double>
    /// ℓ = (1/N) Σ_i log p(x_i) after every E-step of the fit (empty for a model built by hand).
    public let logLikelihoodHistory: [Double]

    /// M.
    public var components: Int { priors.count }
    /// D.
    public var dimension: Int { means.columns }

    /// σ² never goes below this (absolute floor).
    public static let minimumVariance = 1e-6
    /// σ²_d never goes below this fraction of the data's global variance in dimension d.
    public static let relativeVarianceFloor = 1e-4
    /// A component whose prior falls below this is re-seeded (EM) or skipped (Fisher encoding).
    public static let minimumPrior = 1e-6

    public init(priors: [Double], means: Matrix<Double>, variances: Matrix<Double>, logLikelihoodHistory: [Double] = []) {
        precondition(means.rows == priors.count && variances.rows == priors.count && variances.columns == means.columns,
                     "GaussianMixture: priors (\(priors.count)), means \(means.rows)×\(means.columns) and "
                     + "variances \(variances.rows)×\(variances.columns) disagree")
        self.priors = priors
        self.means = means
        self.variances = variances
        self.logLikelihoodHistory = logLikelihoodHistory
    }

    /// EM hyper-parameters.
    public struct Options: Sendable, Equatable {
        /// How the first parameters are chosen (see `Initialization`).
        public var initialization: Initialization
        /// The most M-steps run.
        public var maxIterations: Int
        /// Stop when the relative log-likelihood improvement falls below this.
        public var tolerance: Double
        /// Seed of every random choice (initial rows, k-means++).
        public var seed: UInt64
        /// The k-means and random initialisations look at a seeded sample of at most this many rows.
        public var initializationSampleSize: Int
        /// Rows per block of the ordered reduction (fixed for a run: changing it changes the bits).
        public var blockSize: Int

        public init(initialization: Initialization = .kmeans(iterations: 10), maxIterations: Int = 100,
                    tolerance: Double = 1e-6, seed: UInt64 = 0, initializationSampleSize: Int = 100_000,
                    blockSize: Int = 4096) {
            self.initialization = initialization
            self.maxIterations = maxIterations
            self.tolerance = tolerance
            self.seed = seed
            self.initializationSampleSize = initializationSampleSize
            self.blockSize = blockSize
        }
    }

    /// One line of EM progress, reported after every E-step.
    public struct Progress: Sendable, Equatable {
        /// 0 for the initial parameters, t after the t-th M-step.
        public let iteration: Int
        /// ℓ, the mean log-likelihood per row.
        public let logLikelihood: Double
        /// (ℓ_t − ℓ_{t−1}) / |ℓ_{t−1}|; nil at iteration 0.
        public let relativeImprovement: Double?
        /// Wall-clock seconds of this iteration (M-step + E-step).
        public let seconds: Double
        /// Components re-seeded by the M-step before this E-step.
        public let reseeded: Int
    }

    /// Fits M diagonal Gaussians to the rows of `source` (each rank passes its shard; see `RowSource`).
    ///
    /// - Parameters:
    ///   - components: M (default 256).
    ///   - progress: called on every rank after every E-step (print on the root only).
    public static func fit(
        _ source: some RowSource, components: Int = 256, options: Options = Options(),
        communicator: any Communicator = SingleProcessCommunicator(),
        progress: (Progress) -> Void = { _ in }
    ) throws -> GaussianMixture {
        let n = source.totalRows, dim = source.dimension
        guard components >= 1 else {
            throw EncodingError.invalidParameter(name: "components", value: "\(components)", rule: "must be ≥ 1")
        }
        guard n >= components else { throw EncodingError.tooFewRows(what: "GMM", rows: n, needed: components) }
        guard options.maxIterations >= 0, options.blockSize >= 1 else {
            throw EncodingError.invalidParameter(name: "maxIterations/blockSize",
                                                 value: "\(options.maxIterations)/\(options.blockSize)",
                                                 rule: "maxIterations must be ≥ 0 and blockSize ≥ 1")
        }
        let reduction = OrderedReduction(blockSize: options.blockSize)
        let dataVariance = try globalVariance(source, reduction: reduction, communicator: communicator)
        let floor = dataVariance.map { Swift.max(minimumVariance, relativeVarianceFloor * $0) }
        var model = try initialize(source, components: components, options: options, dataVariance: dataVariance,
                                   floor: floor, reduction: reduction, communicator: communicator)
        let owned = reduction.blocks(totalRows: n, rank: communicator.rank, size: communicator.size)
        var workspaces = try makeWorkspaces(blockRows: options.blockSize, dimension: dim, components: components,
                                            owning: owned.count)
        var history: [Double] = []
        var reseeded = 0
        let clock = ContinuousClock()
        var start = clock.now
        for iteration in 0 ... options.maxIterations {
            let stats = try sufficientStatistics(source, model: model, reduction: reduction,
                                                 communicator: communicator, workspaces: &workspaces)
            let ll = stats[stats.count - 1] / Double(n)
            let previous = history.last
            history.append(ll)
            let improvement = previous.map { (ll - $0) / Swift.max(abs($0), .leastNormalMagnitude) }
            let elapsed = start.duration(to: clock.now)
            progress(Progress(iteration: iteration, logLikelihood: ll, relativeImprovement: improvement,
                              seconds: elapsed.inSeconds,
                              reseeded: reseeded))
            start = clock.now
            if iteration == options.maxIterations { break }
            if let improvement, improvement < options.tolerance { break }
            (model, reseeded) = maximize(stats, components: components, dimension: dim, floor: floor)
        }
        return GaussianMixture(priors: model.priors, means: model.means, variances: model.variances,
                               logLikelihoodHistory: history)
    }

    /// Var_d(X) = E[x_d²] − E[x_d]², reduced in Double over ranks in block order (D values).
    static func globalVariance(_ source: some RowSource, reduction: OrderedReduction,
                               communicator: any Communicator) throws -> [Double] {
        let n = source.totalRows, dim = source.dimension
        let sums = try reduction.sum(totalRows: n, width: 2 * dim, communicator: communicator) { range -> [Double] in
            let block = try source.rows(range)
            var s = [Double](repeating: 0, count: 2 * dim)
            for i in 0 ..< block.rows {
                for d in 0 ..< dim {
                    let v = Double(block.values[i * dim + d])
                    s[d] += v
                    s[dim + d] += v * v
                }
            }
            return s
        }
        guard sums.allSatisfy(\.isFinite) else { throw EncodingError.nonFinite(what: "GMM input") }
        return (0 ..< dim).map { d in
            let mean = sums[d] / Double(n)
            return Swift.max(sums[dim + d] / Double(n) - mean * mean, 0)
        }
    }

    /// log p(x_i) for every row of `x` (n values), through the GEMM kernel.
    public func logLikelihoods(_ x: Matrix<Float>) -> [Double] { evaluate(x).logLikelihoods }

    /// The posteriors q (n, M) of the rows of `x`, through the GEMM kernel.
    public func posteriors(_ x: Matrix<Float>) -> Matrix<Float> { evaluate(x).posteriors }

    private func evaluate(_ x: Matrix<Float>) -> (posteriors: Matrix<Float>, logLikelihoods: [Double]) {
        precondition(x.columns == dimension, "GaussianMixture: rows have \(x.columns) columns, expected \(dimension)")
        let kernel = PosteriorKernel(priors: priors, means: means, variances: variances)
        let blockRows = 4096
        var q = Matrix<Float>(rows: x.rows, columns: components)
        var logP = [Double](repeating: 0, count: x.rows)
        var a = [Float](repeating: 0, count: Swift.min(blockRows, x.rows) * 2 * dimension)
        var qT = [Float](repeating: 0, count: Swift.min(blockRows, x.rows) * components)
        x.values.withUnsafeBufferPointer { px in
            a.withUnsafeMutableBufferPointer { pa in
                qT.withUnsafeMutableBufferPointer { pt in
                    logP.withUnsafeMutableBufferPointer { pl in
                        for start in stride(from: 0, to: x.rows, by: blockRows) {
                            let n = Swift.min(blockRows, x.rows - start)
                            PosteriorKernel.fillSquaresAndRows(px.baseAddress! + start * dimension, rows: n,
                                                               dimension: dimension, into: pa.baseAddress!)
                            _ = kernel.posteriors(a: pa.baseAddress!, rows: n, into: pt.baseAddress!,
                                                  rowLogLikelihoods: pl.baseAddress! + start)
                            for k in 0 ..< components {
                                for i in 0 ..< n { q[start + i, k] = pt[k * n + i] }
                            }
                        }
                    }
                }
            }
        }
        return (q, logP)
    }
}
