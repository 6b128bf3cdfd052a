import Core
import LinearAlgebra

/// A random forest of CART classification trees (Breiman 2001, "Random forests"; Breiman et al. 1984, CART), with
/// scikit-learn's `RandomForestClassifier` defaults: the "Random Forests" rows of Instance Infusion's Table 5.
///
/// **Fit.** For t = 1 … T (`treeCount`, 100):
///
///     bootstrap   draw N rows with replacement; row i gets weight w_i = how often it was drawn (0 = out of bag)
///     grow        one CART tree (`DecisionTree`) on the rows with w_i > 0, split by weighted Gini impurity,
///                 trying m = ⌊√D⌋ (`featuresPerSplit`) random features per node
///
/// **Predict.** Each tree's leaf holds the weighted class distribution p_t(c | leaf) of its training rows;
///
///     P(c | x) = (1/T) Σ_t p_t(c | leaf_t(x)),     ŷ(x) = argmax_c P(c | x)   (ties → the lowest class)
///
/// **Determinism.** Tree t draws from `SeededRandom(seed: seed, stream: t)`, so the forest is a pure function of
/// (X, y, configuration): the same seed gives identical trees, and tree t does not depend on the other trees.
///
/// **Shapes.** X: (N, D) row-major Float, rows = samples; labels: N class ids in 0 ..< C; `probabilities`: (Q, C).
/// The fit stores X once column-major (D, N) so that a node's values of one feature are one gather from a
/// contiguous column (see `DecisionTree` for the split search and its cost).
///
/// ```swift
/// let forest = try RandomForest.fit(x, labels: y, classCount: 5, configuration: .init(seed: 7))
/// let predicted = forest.predict(xTest)
/// ```
public struct RandomForest: Sendable, Equatable {
    /// Hyper-parameters (scikit-learn's names in brackets).
    public struct Configuration: Sendable, Equatable {
        /// T [`n_estimators`].
        public var treeCount = 100
        /// m features tried per split [`max_features`]; nil = max(1, ⌊√D⌋) ("sqrt").
        public var featuresPerSplit: Int?
        /// Fewest training rows in a leaf [`min_samples_leaf`].
        public var minSamplesLeaf = 1
        /// Deepest leaf (root = depth 0) [`max_depth`]; nil = grow until pure or too small to split.
        public var maxDepth: Int?
        /// Bootstrap rows per tree [`bootstrap`]; false = every tree sees all rows with weight 1.
        public var bootstrap = true
        /// Seed of the per-tree streams [`random_state`].
        public var seed: UInt64 = 0

        public init(treeCount: Int = 100, featuresPerSplit: Int? = nil, minSamplesLeaf: Int = 1, maxDepth: Int? = nil,
                    bootstrap: Bool = true, seed: UInt64 = 0) {
            self.treeCount = treeCount
            self.featuresPerSplit = featuresPerSplit
            self.minSamplesLeaf = minSamplesLeaf
            self.maxDepth = maxDepth
            self.bootstrap = bootstrap
            self.seed = seed
        }

        /// m for D features.
        public func features(of d: Int) -> Int {
            Swift.min(d, Swift.max(1, featuresPerSplit ?? Int(Double(d).squareRoot())))
        }
    }

    /// The T fitted trees.
    public let trees: [DecisionTree]
    /// C.
    public let classCount: Int
    /// D.
    public let featureCount: Int

    public init(trees: [DecisionTree], classCount: Int, featureCount: Int) {
        self.trees = trees
        self.classCount = classCount
        self.featureCount = featureCount
    }

    /// Grows `configuration.treeCount` trees on (x, labels).
    public static func fit(_ x: Matrix<Float>, labels: [Int], classCount: Int,
                           configuration: Configuration = Configuration()) throws -> RandomForest {
        try validate(x, labels: labels, classCount: classCount)
        guard configuration.treeCount >= 1, configuration.minSamplesLeaf >= 1,
              (configuration.featuresPerSplit ?? 1) >= 1, (configuration.maxDepth ?? 0) >= 0 else {
            throw ClassifierError.invalidOption(
                name: "RandomForest.Configuration (treeCount / featuresPerSplit / minSamplesLeaf / maxDepth)",
                value: "\(configuration.treeCount) / \(configuration.featuresPerSplit.map(String.init) ?? "nil") / "
                    + "\(configuration.minSamplesLeaf) / \(configuration.maxDepth.map(String.init) ?? "nil")",
                requirement: "T ≥ 1, m ≥ 1 (or nil = √D), minSamplesLeaf ≥ 1, maxDepth ≥ 0 (or nil)")
        }
        let columns = DecisionTree.columnMajor(x)
        let n = x.rows
        var trees: [DecisionTree] = []
        trees.reserveCapacity(configuration.treeCount)
        for t in 0 ..< configuration.treeCount {
            var random = SeededRandom(seed: configuration.seed, stream: UInt64(t))
            var weights = [Double](repeating: configuration.bootstrap ? 0 : 1, count: n)
            if configuration.bootstrap { for _ in 0 ..< n { weights[random.bounded(n)] += 1 } }
            trees.append(DecisionTree.grow(columns: columns, rows: n, features: x.columns, labels: labels,
                                           classCount: classCount, weights: weights, configuration: configuration,
                                           random: &random))
        }
        return RandomForest(trees: trees, classCount: classCount, featureCount: x.columns)
    }

    /// P(c | x) for every row of x: (Q, C), rows sum to 1.
    public func probabilities(_ x: Matrix<Float>) -> Matrix<Float> {
        precondition(x.columns == featureCount,
                     "RandomForest.probabilities: X has \(x.columns) columns, the forest was fitted on \(featureCount)")
        var p = Matrix<Float>(rows: x.rows, columns: classCount)
        let scale = 1 / Float(trees.count)
        x.values.withUnsafeBufferPointer { xs in
            for q in 0 ..< x.rows {
                let row = UnsafeBufferPointer(rebasing: xs[(q * featureCount) ..< ((q + 1) * featureCount)])
                for tree in trees {
                    let leaf = tree.leaf(row)
                    for c in 0 ..< classCount { p.values[q * classCount + c] += tree.value[leaf * classCount + c] }
                }
                for c in 0 ..< classCount { p.values[q * classCount + c] *= scale }
            }
        }
        return p
    }

    /// argmax_c P(c | x) for every row of x (ties → the lowest class).
    public func predict(_ x: Matrix<Float>) -> [Int] {
        let p = probabilities(x)
        return (0 ..< x.rows).map { q in
            var best = 0
            for c in 1 ..< Swift.max(1, classCount) where p[q, c] > p[q, best] { best = c }
            return best
        }
    }

    static func validate(_ x: Matrix<Float>, labels: [Int], classCount: Int) throws {
        guard x.rows >= 1, x.columns >= 1 else { throw ClassifierError.emptyTrainingSet(what: "RandomForest.fit") }
        guard labels.count == x.rows else {
            throw ClassifierError.shapeMismatch(what: "RandomForest.fit: labels per row of X", expected: x.rows,
                                                got: labels.count)
        }
        guard classCount >= 1 else {
            throw ClassifierError.invalidOption(name: "classCount", value: "\(classCount)", requirement: "≥ 1")
        }
        if let bad = labels.first(where: { !(0 ..< classCount).contains($0) }) {
            throw ClassifierError.invalidOption(name: "label", value: "\(bad)", requirement: "in 0..<\(classCount)")
        }
        if let bad = x.values.first(where: { !$0.isFinite }) {
            throw ClassifierError.invalidOption(name: "feature value", value: "\(bad)",
                                                requirement: "finite; replace NaN/∞ before fitting")
        }
    }
}
