import Classifiers
import Core
import LinearAlgebra

/// K linear scoring functions f_k(x) = w_k·x + b_k, the part of a trained one-vs-rest SVM or SLR that
/// `predict` needs (the solvers' statistics and dual variables are not kept).
///
/// **Concept-parallel training** (`sparseLogisticRegression`): as `OneVsRest.train` does for SVMs, rank r trains
/// the concepts `shard(count: K, rank: r, size:)` on all N rows, packs each model as [w_0 … w_{D−1}, b], and one
/// `allGather` in rank (= concept) order gives every rank all K models, identical for any number of ranks.
///
/// **Shapes.** `weights`: (K, D) row-major; `biases`: K; `scores(x)`: (Q, K) for x (Q, D).
public struct LinearScorer: Sendable, Equatable {
    public let weights: Matrix<Float>
    public let biases: [Float]

    public init(weights: Matrix<Float>, biases: [Float]) {
        precondition(weights.rows == biases.count, "LinearScorer: \(weights.rows) weight rows, \(biases.count) biases")
        self.weights = weights
        self.biases = biases
    }

    public init(_ models: OneVsRest<Float>) {
        self.init(weights: models.weights, biases: models.biases)
    }

    /// F = X Wᵀ + 1 bᵀ, (Q, K).
    public func scores(_ x: Matrix<Float>) throws -> Matrix<Float> {
        guard x.columns == weights.columns else {
            throw ClassifierError.shapeMismatch(what: "LinearScorer: feature columns", expected: weights.columns,
                                                got: x.columns)
        }
        var f = Matrix<Float>(rows: x.rows, columns: biases.count)
        for q in 0 ..< x.rows { for k in 0 ..< biases.count { f[q, k] = biases[k] } }
        BLAS.gemm(x, weights, into: &f, transposeB: true, alpha: 1, beta: 1)
        return f
    }

    /// One sparse logistic regression per concept of `labels` (N, K) on X (N, D), concepts split over ranks.
    public static func sparseLogisticRegression(_ x: Matrix<Float>, labels: LabelMatrix,
                                                options: SparseLogisticRegression<Float>.Options,
                                                communicator: any Communicator) throws -> LinearScorer {
        let k = labels.columns, d = x.columns
        var packed: [Float] = []
        // This rank's concepts in one batched FISTA (two GEMMs per iteration for all of them).
        let mine = shard(count: k, rank: communicator.rank, size: communicator.size)
        for model in try SparseLogisticRegression<Float>.trainAll(x, labels: mine.map { labels.column($0) }, options: options) {
            packed += model.weights
            packed.append(model.bias)
        }
        // Distributed: every rank receives every rank's concepts, in rank (= concept) order.
        let all = try communicator.allGather(packed).flatMap { $0 }
        guard all.count == k * (d + 1) else {
            throw ClassifierError.shapeMismatch(what: "sparseLogisticRegression: gathered model values",
                                                expected: k * (d + 1), got: all.count)
        }
        var weights = Matrix<Float>(rows: k, columns: d)
        var biases = [Float](repeating: 0, count: k)
        for c in 0 ..< k {
            for j in 0 ..< d { weights[c, j] = all[c * (d + 1) + j] }
            biases[c] = all[c * (d + 1) + d]
        }
        return LinearScorer(weights: weights, biases: biases)
    }
}
