import Classifiers
import Core
import LinearAlgebra
import XCTest

/// CART trees and random forests against hand-computed Gini splits, a brute-force split search, and data sets whose
/// answer is known (XOR needs depth ≥ 2; well-separated clusters).
final class RandomForestTests: XCTestCase {
    /// Gini = 1 − Σ_c (n_c/W)²:  (4, 2) → 1 − 16/36 − 4/36 = 16/36;  (1, 1, 1) → 2/3;  pure → 0;
    /// weighted (2.5, 0.5) → 1 − (25 + 1)/36 = 10/36.
    func testGiniByHand() {
        XCTAssertEqual(DecisionTree.gini([4, 2]), 16.0 / 36, accuracy: 1e-15)
        XCTAssertEqual(DecisionTree.gini([1, 1, 1]), 2.0 / 3, accuracy: 1e-15)
        XCTAssertEqual(DecisionTree.gini([5, 0]), 0, accuracy: 1e-15)
        XCTAssertEqual(DecisionTree.gini([2.5, 0.5]), 10.0 / 36, accuracy: 1e-15)
        XCTAssertEqual(DecisionTree.gini([0, 0]), 0)
    }

    /// Six rows, two features, y = (0, 0, 0, 1, 1, 0). Weighted child Gini (W_L·G_L + W_R·G_R)/W of feature 0:
    ///   θ = 1.5: 5/6 · 12/25 = 0.400    θ = 2.5: 4/6 · 1/2 = 0.333    θ = 3.5: 3/6 · 4/9 = 0.222  ← best
    ///   θ = 4.5: 4/6 · 3/8 + 2/6 · 1/2 = 0.417                         θ = 5.5: 0.400
    /// Feature 1 (0, 1, 0, 1, 0, 1): both sides (2:1) → 4/9 = 0.444. So the root splits x0 ≤ 3.5; the left child
    /// {0, 0, 0} is a pure leaf and the right {1, 1, 0} splits at x0 ≤ 5.5 into two pure leaves.
    func testSingleTreeReproducesHandComputedSplit() throws {
        let x = Matrix<Float>(rowArrays: [[1, 0], [2, 1], [3, 0], [4, 1], [5, 0], [6, 1]])
        let y = [0, 0, 0, 1, 1, 0]
        let tree = try DecisionTree.fit(x, labels: y, classCount: 2)
        XCTAssertEqual(tree.feature[0], 0)
        XCTAssertEqual(tree.threshold[0], 3.5)
        let l = tree.left[0], r = tree.right[0]
        XCTAssertEqual(tree.feature[l], -1, "left child {0,0,0} is pure")
        XCTAssertEqual(Array(tree.value[(l * 2) ..< (l * 2 + 2)]), [1, 0])
        XCTAssertEqual(Array(tree.value[0 ..< 2]), [4.0 / 6, 2.0 / 6].map { Float($0) }, "root distribution")
        XCTAssertEqual(tree.feature[r], 0)
        XCTAssertEqual(tree.threshold[r], 5.5)
        XCTAssertEqual(tree.nodeCount, 5)
        XCTAssertEqual(tree.depth, 2)
        for i in 0 ..< 6 { XCTAssertEqual(argmax(tree.probabilities(x.row(i))), y[i], "row \(i)") }
    }

    /// With every feature tried and no bootstrap, the root split has the smallest weighted child Gini over all
    /// (feature, boundary) pairs, found here by brute force — on data with negatives, many zeros (the zero-block
    /// path of the sweep) and repeated values.
    func testRootSplitIsTheBruteForceBestGini() throws {
        for seed in UInt64(1) ... 6 {
            var random = SeededRandom(seed: seed)
            let (n, d, c) = (40, 6, 3)
            let levels: [Float] = [-2, -1, -0.5, 0.25, 1, 3]
            let values = (0 ..< n * d).map { _ in random.bounded(2) == 0 ? 0 : levels[random.bounded(levels.count)] }
            let x = Matrix<Float>(rows: n, columns: d, values: values)
            let y = (0 ..< n).map { _ in random.bounded(c) }
            let tree = try DecisionTree.fit(x, labels: y, classCount: c, seed: seed)
            let (f, t) = (tree.feature[0], tree.threshold[0])
            XCTAssertGreaterThanOrEqual(f, 0, "seed \(seed): the root must split")
            let chosen = childGini(x, y, c, feature: f, threshold: t)
            XCTAssertEqual(chosen, bruteForceBestGini(x, y, c), accuracy: 1e-12, "seed \(seed)")
            // θ lies strictly between two observed values of the feature.
            let column = (0 ..< n).map { x[$0, f] }
            XCTAssertTrue(column.contains { $0 <= t } && column.contains { $0 > t }, "seed \(seed)")
        }
    }

    /// An unrestricted tree fits distinct training rows exactly, also when only one random feature is tried per
    /// split; `maxDepth` and `minSamplesLeaf` bound the tree.
    func testUnrestrictedTreeFitsTrainingDataAndLimitsHold() throws {
        let (x, y) = clusters(perClass: 30, classes: 3, dimension: 5, spread: 3, seed: 11)  // overlapping
        for m in [nil, 1] as [Int?] {
            let tree = try DecisionTree.fit(x, labels: y, classCount: 3, featuresPerSplit: m, seed: 5)
            for i in 0 ..< x.rows {
                XCTAssertEqual(argmax(tree.probabilities(x.row(i))), y[i], "m \(String(describing: m)), row \(i)")
            }
        }
        let stump = try DecisionTree.fit(x, labels: y, classCount: 3, maxDepth: 1)
        XCTAssertEqual(stump.depth, 1)
        XCTAssertEqual(stump.nodeCount, 3)
        let bushy = try DecisionTree.fit(x, labels: y, classCount: 3, minSamplesLeaf: 7)
        var perLeaf: [Int: Int] = [:]
        for i in 0 ..< x.rows { perLeaf[x.row(i).withUnsafeBufferPointer { bushy.leaf($0) }, default: 0] += 1 }
        XCTAssertGreaterThan(perLeaf.count, 1)
        XCTAssertTrue(perLeaf.values.allSatisfy { $0 >= 7 }, "leaf sizes \(perLeaf.values.sorted())")
    }

    /// XOR of signs: no single threshold helps (a stump is near chance), a forest of full trees gets it right.
    func testForestBeatsStumpOnXOR() throws {
        func xor(_ count: Int, seed: UInt64) -> (Matrix<Float>, [Int]) {
            var random = SeededRandom(seed: seed)
            let v = (0 ..< 2 * count).map { _ in random.uniformFloat() * 2 - 1 }
            let y = (0 ..< count).map { (v[2 * $0] > 0) != (v[2 * $0 + 1] > 0) ? 1 : 0 }
            return (Matrix(rows: count, columns: 2, values: v), y)
        }
        let (x, y) = xor(400, seed: 1), (xt, yt) = xor(400, seed: 2)
        let stump = try RandomForest.fit(
            x, labels: y, classCount: 2,
            configuration: .init(treeCount: 1, featuresPerSplit: 2, maxDepth: 1, bootstrap: false))
        let forest = try RandomForest.fit(x, labels: y, classCount: 2, configuration: .init(treeCount: 50, seed: 3))
        let stumpAccuracy = accuracy(stump.predict(xt), yt), forestAccuracy = accuracy(forest.predict(xt), yt)
        XCTAssertLessThan(stumpAccuracy, 0.7, "a stump cannot model XOR")
        XCTAssertGreaterThan(forestAccuracy, 0.93)
    }

    /// Three well-separated Gaussian clusters in 20-D: held-out accuracy ≥ 0.97 with the defaults
    /// (m = ⌊√20⌋ = 4).
    func testSeparableClustersAreClassified() throws {
        let (x, y) = clusters(perClass: 40, classes: 3, dimension: 20, spread: 0.5, seed: 21)
        let (xt, yt) = clusters(perClass: 40, classes: 3, dimension: 20, spread: 0.5, seed: 22)
        let forest = try RandomForest.fit(x, labels: y, classCount: 3, configuration: .init(treeCount: 30, seed: 1))
        XCTAssertGreaterThanOrEqual(accuracy(forest.predict(xt), yt), 0.97)
    }

    /// Same seed → identical trees and predictions; another seed → other bootstrap samples, other trees.
    func testSeedDeterminesTheForest() throws {
        let (x, y) = clusters(perClass: 25, classes: 3, dimension: 8, spread: 2, seed: 31)
        let config = RandomForest.Configuration(treeCount: 10, seed: 42)
        let a = try RandomForest.fit(x, labels: y, classCount: 3, configuration: config)
        let b = try RandomForest.fit(x, labels: y, classCount: 3, configuration: config)
        XCTAssertEqual(a, b)
        XCTAssertEqual(a.probabilities(x), b.probabilities(x))
        var other = config
        other.seed = 43
        let c = try RandomForest.fit(x, labels: y, classCount: 3, configuration: other)
        XCTAssertNotEqual(a.trees, c.trees)
        XCTAssertNotEqual(a.probabilities(x), c.probabilities(x))
        // Trees are distinct within a forest too (each has its own stream).
        XCTAssertNotEqual(a.trees[0], a.trees[1])
    }

    /// Every row of P(c | x) is a distribution, and `predict` is its argmax.
    func testProbabilitiesSumToOne() throws {
        let (x, y) = clusters(perClass: 20, classes: 4, dimension: 6, spread: 3, seed: 41)
        let (xt, _) = clusters(perClass: 10, classes: 4, dimension: 6, spread: 3, seed: 42)
        let forest = try RandomForest.fit(x, labels: y, classCount: 4, configuration: .init(treeCount: 17, seed: 9))
        let p = forest.probabilities(xt)
        let predicted = forest.predict(xt)
        for q in 0 ..< xt.rows {
            let row = (0 ..< 4).map { p[q, $0] }
            XCTAssertEqual(row.reduce(0, +), 1, accuracy: 1e-5, "row \(q)")
            XCTAssertTrue(row.allSatisfy { $0 >= 0 && $0 <= 1 })
            XCTAssertEqual(predicted[q], argmax(row))
        }
    }

    func testInvalidInputThrows() {
        let x = Matrix<Float>(rowArrays: [[1], [2]])
        XCTAssertThrowsError(try RandomForest.fit(x, labels: [0], classCount: 2))
        XCTAssertThrowsError(try RandomForest.fit(x, labels: [0, 2], classCount: 2))
        XCTAssertThrowsError(try RandomForest.fit(x, labels: [0, 1], classCount: 2, configuration: .init(treeCount: 0)))
        let notANumber = Matrix<Float>(rowArrays: [[1], [.nan]])
        XCTAssertThrowsError(try RandomForest.fit(notANumber, labels: [0, 1], classCount: 2))
    }

    // MARK: - Helpers

    /// (W_L·G_L + W_R·G_R)/W of the split x_f ≤ θ, unit weights.
    private func childGini(_ x: Matrix<Float>, _ y: [Int], _ c: Int, feature f: Int, threshold t: Float) -> Double {
        var l = [Double](repeating: 0, count: c), r = l
        for i in 0 ..< x.rows { if x[i, f] <= t { l[y[i]] += 1 } else { r[y[i]] += 1 } }
        let wl = l.reduce(0, +), wr = r.reduce(0, +)
        return (wl * DecisionTree.gini(l) + wr * DecisionTree.gini(r)) / (wl + wr)
    }

    /// The smallest child Gini over every feature and every boundary between distinct values.
    private func bruteForceBestGini(_ x: Matrix<Float>, _ y: [Int], _ c: Int) -> Double {
        var best = Double.infinity
        for f in 0 ..< x.columns {
            let distinct = Set((0 ..< x.rows).map { x[$0, f] }).sorted()
            for (a, b) in zip(distinct, distinct.dropFirst()) {
                best = min(best, childGini(x, y, c, feature: f, threshold: (a + b) / 2))
            }
        }
        return best
    }

    /// `classes` Gaussian clusters with centres 4·e_k (k mod dimension), isotropic standard deviation `spread`.
    private func clusters(perClass: Int, classes: Int, dimension: Int, spread: Double,
                          seed: UInt64) -> (Matrix<Float>, [Int]) {
        var random = SeededRandom(seed: seed)
        var values: [Float] = [], labels: [Int] = []
        for i in 0 ..< perClass * classes {
            let k = i % classes
            labels.append(k)
            for j in 0 ..< dimension { values.append(Float((j == k % dimension ? 4 : 0) + random.normal() * spread)) }
        }
        return (Matrix(rows: labels.count, columns: dimension, values: values), labels)
    }

    private func argmax(_ v: [Float]) -> Int { v.indices.max { v[$0] < v[$1] || (v[$0] == v[$1] && $0 > $1) }! }

    private func accuracy(_ a: [Int], _ b: [Int]) -> Double {
        Double(zip(a, b).filter { $0 == $1 }.count) / Double(a.count)
    }
}
