import Foundation

/// Multinomial naive Bayes over term counts (McCallum & Nigam 1998; scikit-learn's `MultinomialNB`), the
/// "Multinomial NB-bigram" row of Instance Infusion's Table 5.
///
///     π_c      = N_c / N                                                    (class prior)
///     θ_{c,j}  = (T_{c,j} + α) / (Σ_j' T_{c,j'} + α·D),   T_{c,j} = Σ_{d ∈ c} x_{d,j}   (Lidstone smoothing)
///     score_c(x) = log π_c + Σ_j x_j log θ_{c,j}                            (the joint log-likelihood)
///     ŷ(x)     = argmax_c score_c(x)     (ties → the lowest class)
///
/// x may be raw counts or any non-negative weights (tf-idf: "tf-idf variant"). Rows are sparse: `indices` (strictly
/// increasing column ids in 0 ..< D) and their `values`. Shapes: D features, C classes; `logLikelihoods` (C, D)
/// row-major.
///
/// Numerical notes: everything is in log space (products of thousands of θ < 1 underflow); α > 0 keeps every
/// θ > 0, so log θ is finite for terms a class never saw.
///
/// ```swift
/// let nb = try MultinomialNaiveBayes.fit(rows: counts, labels: y, classCount: 5, featureCount: d)
/// let predicted = counts.map { nb.predict($0) }
/// ```
public struct MultinomialNaiveBayes: Sendable, Equatable {
    /// One document: sparse non-negative feature values.
    public struct Row: Sendable, Equatable {
        public var indices: [Int]
        public var values: [Float]
        public init(indices: [Int], values: [Float]) {
            precondition(indices.count == values.count, "MultinomialNaiveBayes.Row: \(indices.count) indices, \(values.count) values")
            self.indices = indices
            self.values = values
        }
    }

    /// log π_c (C).
    public let logPriors: [Double]
    /// log θ_{c,j} (C, D) row-major.
    public let logLikelihoods: [Double]
    /// D.
    public let featureCount: Int
    /// α.
    public let smoothing: Double

    public var classCount: Int { logPriors.count }

    /// Fits π and θ on labelled rows.
    public static func fit(rows: [Row], labels: [Int], classCount: Int, featureCount: Int,
                           smoothing: Double = 1) throws -> MultinomialNaiveBayes {
        guard rows.count == labels.count, !rows.isEmpty else {
            throw ClassifierError.shapeMismatch(what: "MultinomialNaiveBayes.fit: labels per row", expected: rows.count,
                                                got: labels.count)
        }
        guard smoothing > 0, classCount >= 1, featureCount >= 1 else {
            throw ClassifierError.invalidOption(name: "smoothing / classCount / featureCount",
                                                   value: "\(smoothing) / \(classCount) / \(featureCount)",
                                                   requirement: "α > 0, C ≥ 1, D ≥ 1")
        }
        var totals = [Double](repeating: 0, count: classCount * featureCount)  // T (C, D)
        var documents = [Double](repeating: 0, count: classCount)
        for (row, c) in zip(rows, labels) {
            guard (0 ..< classCount).contains(c) else {
                throw ClassifierError.invalidOption(name: "label", value: "\(c)", requirement: "must be in 0..<\(classCount)")
            }
            documents[c] += 1
            for (j, x) in zip(row.indices, row.values) {
                guard (0 ..< featureCount).contains(j), x >= 0 else {
                    throw ClassifierError.invalidOption(name: "feature \(j)", value: "\(x)",
                                                           requirement: "columns in 0..<\(featureCount), values ≥ 0")
                }
                totals[c * featureCount + j] += Double(x)
            }
        }
        var logLikelihoods = totals
        for c in 0 ..< classCount {
            let row = c * featureCount ..< (c + 1) * featureCount
            let denominator = totals[row].reduce(0, +) + smoothing * Double(featureCount)
            for i in row { logLikelihoods[i] = log((totals[i] + smoothing) / denominator) }
        }
        let n = Double(rows.count)
        // A class without training documents gets prior 0: log 0 = −∞, never predicted.
        return MultinomialNaiveBayes(logPriors: documents.map { log($0 / n) }, logLikelihoods: logLikelihoods,
                                     featureCount: featureCount, smoothing: smoothing)
    }

    public init(logPriors: [Double], logLikelihoods: [Double], featureCount: Int, smoothing: Double) {
        precondition(logLikelihoods.count == logPriors.count * featureCount, "MultinomialNaiveBayes: θ is not C × D")
        self.logPriors = logPriors
        self.logLikelihoods = logLikelihoods
        self.featureCount = featureCount
        self.smoothing = smoothing
    }

    /// score_c(x) for every class (C).
    public func scores(_ x: Row) -> [Double] {
        (0 ..< classCount).map { c in
            var s = logPriors[c]
            let base = c * featureCount
            for (j, v) in zip(x.indices, x.values) where j >= 0 && j < featureCount { s += Double(v) * logLikelihoods[base + j] }
            return s
        }
    }

    /// argmax_c score_c(x).
    public func predict(_ x: Row) -> Int {
        let s = scores(x)
        var best = 0
        for c in 1 ..< s.count where s[c] > s[best] { best = c }
        return best
    }
}
