import Core
import LinearAlgebra

/// One CART classification tree (Breiman et al. 1984) as scikit-learn's `DecisionTreeClassifier` grows it inside a
/// forest (best splitter, Gini criterion).
///
/// **Impurity.** A node holding rows with weights w_i and classes y_i has class weights n_c = Σ_{y_i = c} w_i,
/// W = Σ_c n_c, and
///
///     Gini = 1 − Σ_c (n_c / W)²
///
/// A split (feature j, threshold θ) sends x_j ≤ θ left; it is scored by the weighted child impurity
/// W_L·Gini_L + W_R·Gini_R = W − (S_L/W_L + S_R/W_R) with S = Σ_c n_c², so the best split maximises
/// S_L/W_L + S_R/W_R (sklearn's "proxy improvement"). S updates in O(1) as one row of weight w and class y moves
/// from right to left: S_L += 2w·n_{L,y} + w², S_R += −2w·n_{R,y} + w².
///
/// **Growing** (depth first). A node is a leaf when it is pure (Gini ≤ 1e-7), holds fewer than 2·`minSamplesLeaf`
/// rows, or sits at `maxDepth`; otherwise features are drawn without replacement (a partial Fisher–Yates shuffle)
/// until m = `featuresPerSplit` have been visited **and** at least one of them is non-constant in the node
/// (sklearn's rule: constant features count toward m but never stop the search on their own). For each non-constant
/// feature the node's values are sorted, and every boundary between distinct values (gap > 1e-7) whose sides both
/// hold ≥ `minSamplesLeaf` rows is scored; θ is the midpoint of the two values (the lower value if the midpoint
/// rounds up to the upper one). The first best split found wins; a split that lowers nothing is still taken
/// (sklearn's `min_impurity_decrease = 0`), so an unrestricted tree fits distinct training rows exactly. If no
/// feature offers a valid boundary the node is a leaf.
///
/// **Cost on sparse text features.** Row counts are taken once per node, and one feature's node values are one
/// gather from a column of the column-major (D, N) copy. Zeros are not sorted: only the non-zero values are
/// (negatives before the block of zeros, positives after), and the zero block enters the sweep as one step, so a
/// feature costs O(n + z log z) for n node rows of which z are non-zero — for tf-idf columns z ≪ n.
///
/// **Storage.** Nodes in creation order (root = 0, depth first, left before right): `feature[k]` (−1 at a leaf),
/// `threshold[k]`, children `left[k]`, `right[k]` (−1 at a leaf), and `value` (nodes, C): the normalised weighted
/// class distribution of the training rows that reached node k (at a leaf, the tree's prediction).
public struct DecisionTree: Sendable, Equatable {
    /// Split feature per node; −1 at a leaf.
    public var feature: [Int]
    /// Split threshold per node (x_feature ≤ threshold goes left); 0 at a leaf.
    public var threshold: [Float]
    /// Left child per node; −1 at a leaf.
    public var left: [Int]
    /// Right child per node; −1 at a leaf.
    public var right: [Int]
    /// (nodes, C) row-major class distributions, each row summing to 1.
    public var value: [Float]
    /// C.
    public let classCount: Int

    public var nodeCount: Int { feature.count }

    /// Depth of the deepest leaf (a lone root has depth 0).
    public var depth: Int {
        var deepest = 0
        var stack = [(0, 0)]
        while let (k, d) = stack.popLast() {
            deepest = Swift.max(deepest, d)
            if feature[k] >= 0 { stack.append((left[k], d + 1)); stack.append((right[k], d + 1)) }
        }
        return deepest
    }

    /// Gini impurity 1 − Σ_c (n_c/W)² of class weights n_c (0 for an empty node).
    public static func gini(_ classWeights: [Double]) -> Double {
        let total = classWeights.reduce(0, +)
        guard total > 0 else { return 0 }
        return 1 - classWeights.reduce(0) { $0 + ($1 / total) * ($1 / total) }
    }

    /// One tree on all rows with weight 1 (no bootstrap); `featuresPerSplit` nil = all D features (plain CART).
    public static func fit(_ x: Matrix<Float>, labels: [Int], classCount: Int, featuresPerSplit: Int? = nil,
                           minSamplesLeaf: Int = 1, maxDepth: Int? = nil, seed: UInt64 = 0) throws -> DecisionTree {
        let forest = try RandomForest.fit(
            x, labels: labels, classCount: classCount,
            configuration: .init(treeCount: 1, featuresPerSplit: featuresPerSplit ?? x.columns,
                                 minSamplesLeaf: minSamplesLeaf, maxDepth: maxDepth, bootstrap: false, seed: seed))
        return forest.trees[0]
    }

    /// The leaf that row x (D values) falls into.
    public func leaf(_ x: UnsafeBufferPointer<Float>) -> Int {
        var k = 0
        while feature[k] >= 0 { k = x[feature[k]] <= threshold[k] ? left[k] : right[k] }
        return k
    }

    /// The class distribution (C) of the leaf that row x (D values) falls into.
    public func probabilities(_ x: [Float]) -> [Float] {
        let k = x.withUnsafeBufferPointer { leaf($0) }
        return Array(value[(k * classCount) ..< ((k + 1) * classCount)])
    }

    /// x (N, D) row-major as (D, N) column-major values.
    static func columnMajor(_ x: Matrix<Float>) -> [Float] {
        let (n, d) = (x.rows, x.columns)
        var columns = [Float](repeating: 0, count: n * d)
        x.values.withUnsafeBufferPointer { xs in
            columns.withUnsafeMutableBufferPointer { cs in
                for i in 0 ..< n { for j in 0 ..< d { cs[j * n + i] = xs[i * d + j] } }
            }
        }
        return columns
    }

    /// Grows one tree on the rows with weights[i] > 0; `columns` is X column-major (D, N).
    static func grow(columns: [Float], rows n: Int, features d: Int, labels: [Int], classCount: Int,
                     weights: [Double], configuration: RandomForest.Configuration,
                     random: inout SeededRandom) -> DecisionTree {
        columns.withUnsafeBufferPointer { cs in
            var builder = TreeBuilder(columns: cs, rows: n, features: d, labels: labels, classCount: classCount,
                                      weights: weights, configuration: configuration)
            builder.build(random: &random)
            return DecisionTree(feature: builder.feature, threshold: builder.threshold, left: builder.left,
                                right: builder.right, value: builder.value, classCount: classCount)
        }
    }
}
