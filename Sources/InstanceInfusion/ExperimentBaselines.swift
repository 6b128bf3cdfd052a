import Classifiers
import Core
import Datasets
import Foundation
import LinearAlgebra
import Stages

/// The classical baselines of Instance Infusion's Table 5 on one split of a text corpus (the paper ran them with
/// scikit-learn; here the same models on our vectorizer):
///
/// | row | features (fitted on the training split) | model |
/// | --- | --- | --- |
/// | Multinomial NB-bigram | unigram + bigram counts | `MultinomialNaiveBayes`, α = 1 |
/// | Multinomial NB-tf-idf | unigram + bigram tf-idf | `MultinomialNaiveBayes`, α = 1 |
/// | k-NN-ngrams | unigram + bigram tf-idf (L2-normalised) | 5 nearest by cosine, majority vote (ties → nearer) |
/// | SVM-unigram-tf-idf | unigram tf-idf | one-vs-rest linear SVM (C = 1, dual CD), argmax of the scores |
/// | SVM-bigram-tf-idf | unigram + bigram tf-idf | one-vs-rest linear SVM (C = 1) |
/// | Random forest-bigram | unigram + bigram counts | `RandomForest`: 100 CART trees, √D features per split, Gini |
/// | Random forest-n-grams | unigram + bigram tf-idf | `RandomForest`, same settings |
///
/// The vocabulary keeps the `maximumFeatures` terms of highest document frequency (dense SVM / k-NN / forest
/// matrices are N × D floats). The paper's three forest rows ("bigram", "ngrams", "tf-idf") name their features
/// without defining them; the two here are the count and tf-idf versions of the one vectorizer the other rows use.
/// The forests are seeded with `seed` (scikit-learn's defaults otherwise: bootstrap, `min_samples_leaf` 1, no
/// `max_depth`).
public struct ExperimentBaselines {
    public struct Configuration: Sendable {
        public var source: TextCorpusSource
        public var split: TextTrainingStage.Split
        public var seed: UInt64 = 0
        public var trainFraction = 1.0
        public var maximumFeatures = 10_000
        public var neighbours = 5
        public var cost = 1.0
        /// Trees per random forest (scikit-learn's `n_estimators`).
        public var trees = 100

        public init(source: TextCorpusSource, split: TextTrainingStage.Split) {
            self.source = source
            self.split = split
        }
    }

    /// One row of the table.
    public struct Row: Sendable {
        public var name: String
        public var metrics: ClassificationMetrics
    }

    public var configuration: Configuration

    public init(_ configuration: Configuration) { self.configuration = configuration }

    public func run(log: (String) -> Void = { _ in }) throws -> [Row] {
        let cfg = configuration
        let corpus = try cfg.source.load()
        let labels = try corpus.labelIndices()
        let classes = corpus.classNames.count
        var indices = try cfg.split.indices(corpus, labels: labels, seed: cfg.seed)
        indices.train = CorpusSplit.subsample(indices.train, labels: labels, fraction: cfg.trainFraction, seed: cfg.seed)
        let tokenizer = cfg.source.tokenizer
        let tokens = corpus.documents.map { tokenizer.tokens($0.text) }
        let train = indices.train, test = indices.test
        let yTrain = train.map { labels[$0] }, yTest = test.map { labels[$0] }
        log("baselines: \(corpus.source): train \(train.count), test \(test.count), \(classes) classes")
        func metrics(_ predicted: [Int]) -> ClassificationMetrics {
            ClassificationMetrics(truth: yTest, predicted: predicted, classCount: classes)
        }
        var rows: [Row] = []

        let bigrams = NGramVectorizer.fit(documents: train.map { tokens[$0] }, maximumN: 2, maximumFeatures: cfg.maximumFeatures)
        let unigrams = NGramVectorizer.fit(documents: train.map { tokens[$0] }, maximumN: 1, maximumFeatures: cfg.maximumFeatures)
        func row(_ v: SparseVector) -> MultinomialNaiveBayes.Row { .init(indices: v.indices, values: v.values) }

        for (name, vectors) in [("Multinomial NB-bigram (counts)", { bigrams.counts($0) }),
                                ("Multinomial NB-bigram (tf-idf)", { bigrams.tfidf($0) })] as [(String, ([String]) -> SparseVector)] {
            let nb = try MultinomialNaiveBayes.fit(rows: train.map { row(vectors(tokens[$0])) }, labels: yTrain,
                                                   classCount: classes, featureCount: bigrams.featureCount)
            rows.append(Row(name: name, metrics: metrics(test.map { nb.predict(row(vectors(tokens[$0]))) })))
            log("  \(name): accuracy \(rows.last!.metrics.accuracy)")
        }

        let xTrain = Self.dense(train.map { bigrams.tfidf(tokens[$0]) }, columns: bigrams.featureCount)
        let xTest = Self.dense(test.map { bigrams.tfidf(tokens[$0]) }, columns: bigrams.featureCount)
        let found = try NearestNeighbours.search(queries: xTest, database: xTrain, count: cfg.neighbours)
        let knn = (0 ..< test.count).map { q in
            Self.vote((0 ..< cfg.neighbours).map { yTrain[found.index(query: q, rank: $0)] }, classes: classes)
        }
        rows.append(Row(name: "k-NN-ngrams (k = \(cfg.neighbours), tf-idf cosine)", metrics: metrics(knn)))
        log("  k-NN: accuracy \(rows.last!.metrics.accuracy)")

        let oneHot = LabelMatrix(rows: train.count, columns: classes,
                                 values: yTrain.flatMap { y in (0 ..< classes).map { $0 == y } })
        // The bigram tf-idf matrices are k-NN's; the unigram ones are built only for their SVM.
        let unigramTfidf = {
            (Self.dense(train.map { unigrams.tfidf(tokens[$0]) }, columns: unigrams.featureCount),
             Self.dense(test.map { unigrams.tfidf(tokens[$0]) }, columns: unigrams.featureCount))
        }
        for (name, matrices) in [("SVM-unigram (tf-idf)", unigramTfidf), ("SVM-bigram (tf-idf)", { (xTrain, xTest) })] {
            let (a, b) = matrices()
            let svm = try OneVsRest<Float>.train(a, labels: oneHot, options: LinearSVMOptions(cost: cfg.cost))
            let scores = svm.decisionValues(b)
            let predicted = (0 ..< test.count).map { q in
                var best = 0
                for k in 1 ..< classes where scores[q, k] > scores[q, best] { best = k }
                return best
            }
            rows.append(Row(name: name, metrics: metrics(predicted)))
            log("  \(name): accuracy \(rows.last!.metrics.accuracy)")
        }

        let xTrainCounts = Self.dense(train.map { bigrams.counts(tokens[$0]) }, columns: bigrams.featureCount)
        let xTestCounts = Self.dense(test.map { bigrams.counts(tokens[$0]) }, columns: bigrams.featureCount)
        let forest = RandomForest.Configuration(treeCount: cfg.trees, seed: cfg.seed)
        for (name, a, b) in [("Random forest-bigram (counts)", xTrainCounts, xTestCounts),
                             ("Random forest-n-grams (tf-idf)", xTrain, xTest)] {
            let started = Date()
            let model = try RandomForest.fit(a, labels: yTrain, classCount: classes, configuration: forest)
            rows.append(Row(name: name, metrics: metrics(model.predict(b))))
            log("  \(name): accuracy \(rows.last!.metrics.accuracy) (\(cfg.trees) trees, "
                + "\(fixed(Date().timeIntervalSince(started), 1)) s)")
        }
        return rows
    }

    /// Rows of sparse vectors as a dense (N, D) matrix.
    static func dense(_ vectors: [SparseVector], columns: Int) -> Matrix<Float> {
        var x = Matrix<Float>(rows: vectors.count, columns: columns)
        for (i, v) in vectors.enumerated() { for (j, value) in zip(v.indices, v.values) { x.values[i * columns + j] = value } }
        return x
    }

    /// The most frequent class among neighbour labels given nearest first; a tie goes to the class of the nearest
    /// tied neighbour.
    static func vote(_ labels: [Int], classes: Int) -> Int {
        var counts = [Int](repeating: 0, count: classes)
        for y in labels { counts[y] += 1 }
        let top = counts.max() ?? 0
        return labels.first { counts[$0] == top } ?? 0
    }

    /// The rows as a Markdown table.
    public static func markdown(_ rows: [Row]) -> String {
        var lines = ["| model | accuracy (%) | macro-F1 |", "| --- | --- | --- |"]
        for row in rows { lines.append("| \(row.name) | \(fixed(100 * row.metrics.accuracy, 2)) | \(fixed(row.metrics.macroF1, 4)) |") }
        return lines.joined(separator: "\n")
    }
}
