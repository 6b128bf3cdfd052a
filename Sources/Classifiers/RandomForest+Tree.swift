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

/// The mutable state of growing one tree (see `DecisionTree`). `samples[start ..< end]` are the in-bag rows of the
/// node being split; splitting partitions that range in place.
private struct TreeBuilder {
    let columns: UnsafeBufferPointer<Float>  // (D, N)
    let n: Int, d: Int, classCount: Int
    let labels: [Int]
    let weights: [Double]
    let tried: Int, minLeaf: Int, maxDepth: Int
    var samples: [Int]
    var featureOrder: [Int]
    // Scratch for one feature: the node's non-zero (value, row) pairs.
    var nonZero: [(value: Float, row: Int)] = []

    var feature: [Int] = [], threshold: [Float] = [], left: [Int] = [], right: [Int] = [], value: [Float] = []

    static let constantTolerance: Float = 1e-7
    static let pureImpurity = 1e-7

    init(columns: UnsafeBufferPointer<Float>, rows n: Int, features d: Int, labels: [Int], classCount: Int,
         weights: [Double], configuration: RandomForest.Configuration) {
        self.columns = columns
        self.n = n
        self.d = d
        self.classCount = classCount
        self.labels = labels
        self.weights = weights
        tried = configuration.features(of: d)
        minLeaf = configuration.minSamplesLeaf
        maxDepth = configuration.maxDepth ?? Int.max
        samples = (0 ..< n).filter { weights[$0] > 0 }
        featureOrder = Array(0 ..< d)
        nonZero.reserveCapacity(samples.count)
    }

    mutating func build(random: inout SeededRandom) {
        _ = node(samples.startIndex, samples.endIndex, depth: 0, random: &random)
    }

    /// Class weights of samples[start ..< end].
    func classWeights(_ start: Int, _ end: Int) -> [Double] {
        var counts = [Double](repeating: 0, count: classCount)
        for i in start ..< end { counts[labels[samples[i]]] += weights[samples[i]] }
        return counts
    }

    /// Grows the subtree of samples[start ..< end]; returns its node id.
    mutating func node(_ start: Int, _ end: Int, depth: Int, random: inout SeededRandom) -> Int {
        let counts = classWeights(start, end)
        let total = counts.reduce(0, +)
        let id = feature.count
        feature.append(-1)
        threshold.append(0)
        left.append(-1)
        right.append(-1)
        value += counts.map { Float($0 / total) }
        let rows = end - start
        guard rows >= 2, rows >= 2 * minLeaf, depth < maxDepth,
              DecisionTree.gini(counts) > Self.pureImpurity,
              let split = bestSplit(start, end, counts: counts, random: &random) else { return id }
        // Partition samples[start ..< end]: x_f ≤ θ first.
        var mid = start
        for i in start ..< end where columns[split.feature * n + samples[i]] <= split.threshold {
            samples.swapAt(i, mid)
            mid += 1
        }
        feature[id] = split.feature
        threshold[id] = split.threshold
        let l = node(start, mid, depth: depth + 1, random: &random)
        let r = node(mid, end, depth: depth + 1, random: &random)
        left[id] = l
        right[id] = r
        return id
    }

    /// The best (feature, threshold) over the drawn features, or nil when none has a valid boundary.
    mutating func bestSplit(_ start: Int, _ end: Int, counts: [Double],
                            random: inout SeededRandom) -> (feature: Int, threshold: Float)? {
        var best: (feature: Int, threshold: Float)?
        var bestProxy = -Double.infinity
        var visited = 0, nonConstant = 0, drawn = 0
        var cL = [Double](repeating: 0, count: classCount), cR = cL, zeroCounts = cL
        while drawn < d, visited < tried || nonConstant == 0 {
            let j = drawn + random.bounded(d - drawn)
            featureOrder.swapAt(drawn, j)
            let f = featureOrder[drawn]
            drawn += 1
            visited += 1
            // Gather the node's non-zero values of feature f; zeros are only counted.
            nonZero.removeAll(keepingCapacity: true)
            var lo = Float.infinity, hi = -Float.infinity
            let column = f * n
            for i in start ..< end {
                let row = samples[i]
                let v = columns[column + row]
                if v != 0 { nonZero.append((v, row)) }
                lo = Swift.min(lo, v)
                hi = Swift.max(hi, v)
            }
            if hi <= lo + Self.constantTolerance { continue }
            nonConstant += 1
            nonZero.sort { $0.value < $1.value }
            let negatives = nonZero.partitioningIndex { $0.value > 0 }
            let zeros = (end - start) - nonZero.count
            zeroCounts = counts
            for e in nonZero { zeroCounts[labels[e.row]] -= weights[e.row] }
            let zeroWeight = zeroCounts.reduce(0, +)

            // Sweep left to right: negatives, the zero block (one step), positives.
            for c in 0 ..< classCount { cL[c] = 0; cR[c] = counts[c] }
            var sL = 0.0, sR = counts.reduce(0) { $0 + $1 * $1 }
            var wL = 0.0, wR = counts.reduce(0, +)
            var nL = 0
            let rows = end - start
            let steps = nonZero.count + (zeros > 0 ? 1 : 0)
            func stepValue(_ s: Int) -> Float {
                if s < negatives { return nonZero[s].value }
                if zeros > 0 { return s == negatives ? 0 : nonZero[s - 1].value }
                return nonZero[s].value
            }
            for s in 0 ..< steps - 1 {
                if zeros > 0 && s == negatives {
                    for c in 0 ..< classCount { cL[c] += zeroCounts[c]; cR[c] -= zeroCounts[c] }
                    sL = cL.reduce(0) { $0 + $1 * $1 }
                    sR = cR.reduce(0) { $0 + $1 * $1 }
                    wL += zeroWeight
                    wR -= zeroWeight
                    nL += zeros
                } else {
                    let e = nonZero[zeros > 0 && s > negatives ? s - 1 : s]
                    let y = labels[e.row], w = weights[e.row]
                    sL += 2 * w * cL[y] + w * w
                    sR += -2 * w * cR[y] + w * w
                    cL[y] += w
                    cR[y] -= w
                    wL += w
                    wR -= w
                    nL += 1
                }
                let a = stepValue(s), b = stepValue(s + 1)
                guard b > a + Self.constantTolerance, nL >= minLeaf, rows - nL >= minLeaf else { continue }
                let proxy = sL / wL + sR / wR
                if proxy > bestProxy {
                    bestProxy = proxy
                    var t = a / 2 + b / 2
                    if t == b || !t.isFinite { t = a }
                    best = (f, t)
                }
            }
        }
        return best
    }
}

private extension Array {
    /// The first index whose element satisfies `belongs`, for an array partitioned as [false…, true…].
    func partitioningIndex(where belongs: (Element) -> Bool) -> Int {
        var lo = 0, hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            if belongs(self[mid]) { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}
