import LinearAlgebra

/// Combining classifiers over features, layouts and modalities (paper §4.2).
///
/// - **Late fusion**: one classifier per (feature, spatial layout) and per modality; the fused score of item q
///   for concept k is the equal-weight average  s̄_qk = (1/F) Σ_f s^f_qk  over the F classifiers' raw scores.
/// - **Early fusion**: one classifier on the concatenation [x^1, …, x^F] of the feature blocks. With linear
///   (dot-product) kernels K_f(i, j) = x^f_i·x^f_j, concatenation is exactly the summed kernel
///   K_EF(i, j) = Σ_f K_f(i, j). `concatenate(_:)` builds it (the same helper sums TagProp similarities over
///   spatial layouts).
/// - **Confidence scores**: the final scores are mapped to [0, 1] by min-max normalisation
///   x̄ = (x − min X)/(max X − min X), which preserves the ranking; see `MinMaxNormalizer`.
/// - **Binary decisions**: positive when the raw SVM (or SLR) score is ≥ 0 (`svmThreshold`; LIBLINEAR predicts +1
///   at exactly 0) or when a TagProp probability is ≥ 0.5 (`probabilityThreshold`).
public enum Fusion {
    /// Decision threshold on raw SVM / SLR scores.
    public static var svmThreshold: Float { 0 }
    /// Decision threshold on TagProp probabilities.
    public static var probabilityThreshold: Float { 0.5 }

    /// The element-wise mean of F score matrices of one shape (Q, K).
    public static func lateFusion<S: BLASScalar>(_ scores: [Matrix<S>]) throws -> Matrix<S> {
        guard let first = scores.first else { throw ClassifierError.emptyTrainingSet(what: "Fusion.lateFusion") }
        var sum = Matrix<S>(rows: first.rows, columns: first.columns)
        for s in scores {
            guard s.rows == first.rows && s.columns == first.columns else {
                throw ClassifierError.shapeMismatch(what: "Fusion.lateFusion: score matrix elements",
                                                    expected: first.rows * first.columns, got: s.rows * s.columns)
            }
            for i in sum.values.indices { sum.values[i] += s.values[i] }
        }
        let scale = 1 / S(scores.count)
        for i in sum.values.indices { sum.values[i] *= scale }
        return sum
    }

    /// Row-wise concatenation of F feature blocks (N, D_f) into (N, Σ D_f): early fusion.
    public static func concatenate<S: BLASScalar>(_ blocks: [Matrix<S>]) throws -> Matrix<S> {
        guard let first = blocks.first else { throw ClassifierError.emptyTrainingSet(what: "Fusion.concatenate") }
        for b in blocks where b.rows != first.rows {
            throw ClassifierError.shapeMismatch(what: "Fusion.concatenate: rows of every block", expected: first.rows,
                                                got: b.rows)
        }
        let width = blocks.reduce(0) { $0 + $1.columns }
        var values: [S] = []
        values.reserveCapacity(first.rows * width)
        for i in 0 ..< first.rows {
            for b in blocks { values += b.values[(i * b.columns) ..< ((i + 1) * b.columns)] }
        }
        return Matrix(rows: first.rows, columns: width, values: values)
    }

    /// Binary decisions `score ≥ threshold` for a (Q, K) score matrix.
    public static func decisions<S: BLASScalar>(_ scores: Matrix<S>, threshold: S) -> LabelMatrix {
        LabelMatrix(rows: scores.rows, columns: scores.columns, values: scores.values.map { $0 >= threshold })
    }
}

/// Per-concept min-max normalisation x̄ = (x − lo_k)/(hi_k − lo_k) of a (Q, K) score matrix (paper §4.2).
///
/// `fit` takes lo_k, hi_k from reference scores (the training scores, or, as in the paper's submission, the
/// final test scores themselves); `apply` maps any scores with them and clamps to [0, 1], so a test score outside
/// the fitted range gets 0 or 1. A constant column (hi_k = lo_k) maps to `constantValue` (0.5). The map is
/// increasing, so rankings (AP, AUC, EER) are unchanged.
public struct MinMaxNormalizer: Sendable, Equatable {
    /// K lower ends lo_k.
    public let minimums: [Double]
    /// K upper ends hi_k.
    public let maximums: [Double]

    /// The value given to every score of a constant column.
    public static var constantValue: Double { 0.5 }

    public init(minimums: [Double], maximums: [Double]) {
        precondition(minimums.count == maximums.count,
                     "MinMaxNormalizer: \(minimums.count) minimums, \(maximums.count) maximums")
        self.minimums = minimums
        self.maximums = maximums
    }

    /// Column-wise ranges of `scores` (N, K).
    public static func fit<S: BLASScalar>(_ scores: Matrix<S>) throws -> MinMaxNormalizer {
        guard scores.rows > 0 else { throw ClassifierError.emptyTrainingSet(what: "MinMaxNormalizer.fit") }
        var lo = [Double](repeating: .infinity, count: scores.columns)
        var hi = [Double](repeating: -.infinity, count: scores.columns)
        for i in 0 ..< scores.rows {
            for k in 0 ..< scores.columns {
                let v = Double(scores[i, k])
                lo[k] = Swift.min(lo[k], v)
                hi[k] = Swift.max(hi[k], v)
            }
        }
        return MinMaxNormalizer(minimums: lo, maximums: hi)
    }

    /// x̄ for every element of `scores` (Q, K), clamped to [0, 1].
    public func apply<S: BLASScalar>(_ scores: Matrix<S>) throws -> Matrix<S> {
        guard scores.columns == minimums.count else {
            throw ClassifierError.shapeMismatch(what: "MinMaxNormalizer.apply: score columns", expected: minimums.count,
                                                got: scores.columns)
        }
        var out = scores
        for i in 0 ..< scores.rows {
            for k in 0 ..< scores.columns {
                let range = maximums[k] - minimums[k]
                let v = range > 0 ? (Double(scores[i, k]) - minimums[k]) / range : Self.constantValue
                out[i, k] = S(Swift.min(Swift.max(v, 0), 1))
            }
        }
        return out
    }
}
