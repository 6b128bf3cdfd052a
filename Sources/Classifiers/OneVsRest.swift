import Core
import LinearAlgebra

/// One linear SVM per concept (one-vs-rest), with the concepts split over ranks.
///
/// Concept k's SVM separates the samples with label k (y = +1) from all others (y = −1); every concept is
/// trained on all N samples with the same `LinearSVMOptions` (same seed), so its model depends only on
/// (X, column k, options) and never on which rank trained it.
///
/// **Distribution** (the paper's "concepts split over ranks"): rank r trains the concepts
/// `shard(count: K, rank: r, size: size)`; each packs its models as one flat buffer per concept,
///
///     [w_0 … w_{D−1}, b]                                     (D + 1 Scalars)
///     [iterations, converged, dual, primal, SV, bounded SV]  (6 Doubles)
///
/// concatenated in concept order, and one `allGather` of each buffer gives every rank all K models in concept
/// order. The result is therefore identical for any number of ranks. Dual coefficients α are not gathered
/// (N per concept); models in a `OneVsRest` carry none.
///
/// **Shapes.** X: (N, D); labels: (N, K); `weights`: (K, D) row-major; `biases`: K; decision values: (Q, K).
public struct OneVsRest<Scalar: BLASScalar>: Sendable {
    /// (K, D): row k is concept k's w.
    public let weights: Matrix<Scalar>
    /// K offsets b_k.
    public let biases: [Scalar]
    /// K training statistics, in concept order.
    public let statistics: [SVMTrainingStatistics]

    public init(weights: Matrix<Scalar>, biases: [Scalar], statistics: [SVMTrainingStatistics]) {
        precondition(weights.rows == biases.count && biases.count == statistics.count,
                     "OneVsRest: \(weights.rows) weight rows, \(biases.count) biases, \(statistics.count) statistics")
        self.weights = weights
        self.biases = biases
        self.statistics = statistics
    }

    /// K, the number of concepts.
    public var concepts: Int { biases.count }

    /// Concept k's model.
    public func model(_ k: Int) -> LinearSVM<Scalar> {
        LinearSVM(weights: weights.row(k), bias: biases[k], statistics: statistics[k])
    }

    /// F = X Wᵀ + 1 bᵀ, (Q, K): one GEMM.
    public func decisionValues(_ x: Matrix<Scalar>) -> Matrix<Scalar> {
        precondition(x.columns == weights.columns, "decisionValues: X has \(x.columns) columns, W has \(weights.columns)")
        var f = Matrix<Scalar>(rows: x.rows, columns: concepts)
        for q in 0 ..< x.rows { for k in 0 ..< concepts { f[q, k] = biases[k] } }
        BLAS.gemm(x, weights, into: &f, transposeB: true, alpha: 1, beta: 1)
        return f
    }

    /// Trains the K concepts of `labels` (N, K) on X (N, D), this rank's shard locally, and all-gathers the
    /// models so every rank returns all K.
    public static func train(_ x: Matrix<Scalar>, labels: LabelMatrix, options: LinearSVMOptions = LinearSVMOptions(),
                             communicator: any Communicator = SingleProcessCommunicator()) throws -> OneVsRest {
        guard labels.rows == x.rows else {
            throw ClassifierError.shapeMismatch(what: "OneVsRest.train: label rows per row of X", expected: x.rows,
                                                got: labels.rows)
        }
        let k = labels.columns, d = x.columns
        let mine = shard(count: k, rank: communicator.rank, size: communicator.size)
        var packedModels: [Scalar] = []
        var packedStats: [Double] = []
        packedModels.reserveCapacity(mine.count * (d + 1))
        for concept in mine {
            let svm = try LinearSVM<Scalar>.train(x, labels: labels.column(concept), options: options)
            packedModels += svm.weights
            packedModels.append(svm.bias)
            packedStats += pack(svm.statistics)
        }
        // Distributed: every rank receives every rank's concepts, in rank (= concept) order.
        let models = try communicator.allGather(packedModels).flatMap { $0 }
        let stats = try communicator.allGather(packedStats).flatMap { $0 }
        guard models.count == k * (d + 1), stats.count == k * statisticsWidth else {
            throw ClassifierError.shapeMismatch(what: "OneVsRest.train: gathered model values", expected: k * (d + 1),
                                                got: models.count)
        }
        var weights = Matrix<Scalar>(rows: k, columns: d)
        var biases = [Scalar](repeating: 0, count: k)
        for c in 0 ..< k {
            for j in 0 ..< d { weights[c, j] = models[c * (d + 1) + j] }
            biases[c] = models[c * (d + 1) + d]
        }
        let statistics = (0 ..< k).map { unpack(Array(stats[($0 * statisticsWidth) ..< (($0 + 1) * statisticsWidth)])) }
        return OneVsRest(weights: weights, biases: biases, statistics: statistics)
    }

    static var statisticsWidth: Int { 6 }

    static func pack(_ s: SVMTrainingStatistics) -> [Double] {
        [Double(s.iterations), s.converged ? 1 : 0, s.dualObjective, s.primalObjective, Double(s.supportVectors),
         Double(s.boundedSupportVectors)]
    }

    static func unpack(_ v: [Double]) -> SVMTrainingStatistics {
        SVMTrainingStatistics(iterations: Int(v[0]), converged: v[1] != 0, dualObjective: v[2], primalObjective: v[3],
                              supportVectors: Int(v[4]), boundedSupportVectors: Int(v[5]))
    }
}
