import LabelGraphs
import LinearAlgebra
import NeuralNets
import XCTest

/// Label Set over the label and augmented nodes, and the FFN's fused set (`FusedLabels`), on hand-made graphs.
final class FusedSetAndLabelSetTests: XCTestCase {
    /// root → garment (augmented) → tops (coarse) → {tee, shirt} (fine); root → bags (coarse) → bag (fine);
    /// root → shoe (fine and coarse: a shared label).
    static let shop = """
        node root root
        node garment augmented
        node tops label datasets=coarse
        node bags label datasets=coarse
        node tee label datasets=fine
        node shirt label datasets=fine
        node bag label datasets=fine
        node shoe label datasets=fine,coarse
        edge root garment bags shoe
        edge garment tops
        edge tops tee shirt
        edge bags bag
        """

    func testAugmentedColumnsHoldEveryNonRootNode() throws {
        let g = graph(Self.shop)
        let plain = BaselineClassifier(graph: g, objective: .labelSet, featureSize: 3, hiddenSize: 4)
        let augmented = BaselineClassifier(graph: g, objective: .labelSet, featureSize: 3, hiddenSize: 4, labelSetNodes: .labelsAndAugmented)
        XCTAssertEqual(plain.labelColumns.map { g.nodes[$0].id }, ["tops", "bags", "tee", "shirt", "bag", "shoe"])
        XCTAssertEqual(augmented.labelColumns.map { g.nodes[$0].id }, ["garment", "tops", "bags", "tee", "shirt", "bag", "shoe"])
        XCTAssertEqual(augmented.layout.count, plain.layout.count + 4 + 1, "one more output column: W₂ gains M = 4 weights, b₂ one")
        let paths = PredictionPaths(graph: g)
        // A fine sample: every node of its one path is positive, the augmented garment included.
        let tee = augmented.labelSetTargets(try paths.groundTruth(label: "tee", dataset: "fine"))
        XCTAssertEqual(tee.positive, [true, true, false, true, false, false, false])
        XCTAssertEqual(tee.mask, [true, true, true, true, true, true, true])
        XCTAssertEqual(plain.labelSetTargets(try paths.groundTruth(label: "tee", dataset: "fine")).positive,
                       [true, false, true, false, false, false], "without the augmented column garment is not seen")
        // A coarse sample: garment and tops positive, its unknown fine labels masked.
        let tops = augmented.labelSetTargets(try paths.groundTruth(label: "tops", dataset: "coarse"))
        XCTAssertEqual(tops.positive, [true, true, false, false, false, false, false])
        XCTAssertEqual(tops.mask, [true, true, true, false, false, true, true])
    }

    /// Figure 2: British Shorthair's paths go through competing colour nodes, so those augmented nodes are masked
    /// (on some paths, not all), Longhair is a known negative.
    func testAugmentedNodesOnSomePathsAreMasked() throws {
        let g = graph(figure2)
        let model = BaselineClassifier(graph: g, objective: .labelSet, featureSize: 3, hiddenSize: 4, labelSetNodes: .labelsAndAugmented)
        XCTAssertEqual(model.labelColumns.map { g.nodes[$0].id }, ["cat", "shorthair", "longhair", "solid", "tabby", "point", "bsh", "ragdoll"])
        let bsh = model.labelSetTargets(try PredictionPaths(graph: g).groundTruth(label: "bsh", dataset: "pets"))
        XCTAssertEqual(bsh.positive, [true, false, false, false, false, false, true, false])
        XCTAssertEqual(bsh.mask, [true, false, true, false, false, false, true, true])
    }

    func testAugmentedLabelSetLossGradient() throws {
        let g = graph(Self.shop)
        let model = BaselineClassifier(graph: g, objective: .labelSet, featureSize: 3, hiddenSize: 4, labelSetNodes: .labelsAndAugmented)
        let paths = PredictionPaths(graph: g)
        let truths = try [("shirt", "fine"), ("tops", "coarse"), ("bag", "fine")].map { try paths.groundTruth(label: $0.0, dataset: $0.1) }
        let x = randomMatrixD(rows: 3, columns: 3, seed: 5)
        let start: Parameters<Double> = model.makeParameters(seed: 6)
        var p = start
        let (loss, _) = model.labelSetLoss(x, truths: truths, parameters: &p)
        XCTAssertGreaterThan(loss, 0)
        assertGradient(p.grads, at: p.values, label: "Label Set (augmented) parameters") { theta in
            var q = start
            q.values = theta
            return model.labelSetLoss(x, truths: truths, parameters: &q).loss
        }
    }

    /// fine(ℓ): a shared label maps to itself, a coarse label with one fine label below to that label, one with
    /// several (or none) is dropped.
    func testFusedLabelsMapOnlyUnambiguousCoarseLabels() throws {
        let g = graph(Self.shop)
        let n = { (id: String) in g.index(of: id)! }
        XCTAssertEqual(FusedLabels.fine(n("bags"), target: "fine", in: g), n("bag"))
        XCTAssertEqual(FusedLabels.fine(n("shoe"), target: "fine", in: g), n("shoe"))
        XCTAssertNil(FusedLabels.fine(n("tops"), target: "fine", in: g), "tee or shirt: unknown")
        XCTAssertEqual(FusedLabels.fine(n("tops"), target: "coarse", in: g), n("tops"), "a target label maps to itself")
        let (kept, labels) = FusedLabels.map([n("tops"), n("bags"), n("shoe"), n("tops"), n("bags")], target: "fine", in: g)
        XCTAssertEqual(kept, [1, 2, 4])
        XCTAssertEqual(labels, [n("bag"), n("shoe"), n("bag")])
        // Fashion-MNIST's coarse set: bottoms → Trouser and bags → Bag are kept, tops and footwear are not.
        let url = ShippedGraphTests.directory.appendingPathComponent("fashion-mnist.graph")
        let fashion = try LabelGraph(parsing: String(contentsOf: url, encoding: .utf8), file: url.path)
        let mapped = ["tops", "bottoms", "footwear", "bags"].compactMap { FusedLabels.fine(fashion.index(of: $0)!, target: "fashion-mnist", in: fashion) }
        XCTAssertEqual(mapped.map { fashion.nodes[$0].id }, ["trouser", "bag"])
    }
}
