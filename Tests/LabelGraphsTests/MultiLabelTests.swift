import LabelGraphs
import LinearAlgebra
import NeuralNets
import TestSupport
import XCTest

final class MultiLabelTests: XCTestCase {
    /// Ŷ = {1,2},{3},{} against Y = {1},{3,4},{5}: tp 2, |Ŷ| 3, |Y| 4.
    func testF1ByHand() {
        let f1 = MultiLabelF1(predictions: [[1, 2], [3], []], truths: [[1], [3, 4], [5]])
        XCTAssertEqual(f1.microPrecision, 2.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(f1.microRecall, 0.5, accuracy: 1e-12)
        XCTAssertEqual(f1.micro, 4.0 / 7, accuracy: 1e-12)            // 2·(2/3)(1/2) / (2/3 + 1/2)
        XCTAssertEqual(f1.sampleAveraged, (2.0 / 3 + 2.0 / 3 + 0) / 3, accuracy: 1e-12)
        XCTAssertEqual(f1.macro, 2.0 / 5, accuracy: 1e-12)            // labels 1 and 3 perfect, 2, 4, 5 zero
        XCTAssertEqual(MultiLabelF1(predictions: [[7]], truths: [[7]]).micro, 1)
        XCTAssertEqual(MultiLabelF1(predictions: [[]], truths: [[]]).sampleAveraged, 1)
        XCTAssertEqual(MultiLabelF1(predictions: [[1]], truths: [[2]]).micro, 0)
    }

    func testSelectingKeepsTheTopLabel() {
        let scores: [Int: Double] = [1: 0.6, 2: 0.3, 3: 0.1]
        XCTAssertEqual(MultiLabelF1.selecting(scores: scores, top: 3, threshold: 0.25), [1, 2, 3])
        XCTAssertEqual(MultiLabelF1.selecting(scores: scores, top: 1, threshold: 0.7), [1])
        XCTAssertEqual(MultiLabelF1.selecting(scores: scores, top: nil, threshold: 0.7), [])
    }

    /// Labels {a1, b1} on the two-level tree: both paths are deterministic (each among its own label's paths),
    /// although A and B compete; the reward is the best over the two labels.
    func testMultiLabelGroundTruth() throws {
        let g = graph(twoLevel)
        let paths = PredictionPaths(graph: g)
        let n = { (id: String) in g.index(of: id)! }
        let truth = try paths.groundTruth(labels: [n("a1"), n("b1")], dataset: "fine")
        XCTAssertEqual(truth.paths, [[g.root, n("A"), n("a1")], [g.root, n("B"), n("b1")]])
        XCTAssertEqual(truth.isDeterministic, [true, true])
        XCTAssertEqual(truth.alternatives, [[n("A"), n("a1")], [n("B"), n("b1")]])
        XCTAssertEqual(truth.requiredNodes, [])
        XCTAssertEqual(truth.reward([g.root, n("A"), n("a1")]), 1)
        XCTAssertEqual(truth.reward([g.root, n("B"), n("b2")]), 0.5)
        XCTAssertEqual(truth.reward([g.root, n("A"), n("a2")]), 0.5)
        // One label (or the same label twice) is the single-label ground truth.
        XCTAssertEqual(try paths.groundTruth(labels: [n("a1"), n("a1")], dataset: "fine"), try paths.groundTruth(label: n("a1"), dataset: "fine"))
        // Label Set: positive on A, a1, B, b1.
        let model = BaselineClassifier(graph: g, objective: .labelSet, featureSize: 2, hiddenSize: 3)
        let targets = model.labelSetTargets(truth)
        XCTAssertEqual(zip(model.labelColumns, targets.positive).filter(\.1).map { g.nodes[$0.0].id }, ["A", "B", "a1", "b1"])
        XCTAssertTrue(targets.mask.allSatisfy { $0 })
    }

    /// The bandit: l has two competing routes (nondeterministic), m one (deterministic).
    func testMixedDeterminismAcrossLabels() throws {
        let g = graph(bandit)
        let truth = try PredictionPaths(graph: g).groundTruth(labels: [g.index(of: "l")!, g.index(of: "m")!], dataset: "d")
        XCTAssertEqual(truth.isDeterministic, [false, false, true])
        XCTAssertTrue(truth.hasNondeterministicPaths)
        XCTAssertEqual(truth.deterministicPaths.map { ids($0, g) }, ["root∘g3∘m"])
    }

    func testMultiLabelFFNLossAndGradient() throws {
        let g = graph(twoLevel)
        let model = BaselineClassifier(graph: g, objective: .softmax(classCount: 4), featureSize: 3, hiddenSize: 4)
        let x = randomMatrixD(rows: 3, columns: 3, seed: 4)
        let sets = [[0, 2], [1], []]
        let start: Parameters<Double> = model.makeParameters(seed: 5)
        var p = start
        let (loss, dX) = model.multiLabelLoss(x, labelSets: sets, parameters: &p)
        // The loss by hand from the logits: Σ −y log σ(z) − (1 − y) log(1 − σ(z)).
        let z = model.logits(x, parameters: start.values)
        var expected = 0.0
        for b in 0 ..< 3 {
            for c in 0 ..< 4 {
                let s = 1 / (1 + exp(-z[b, c]))
                expected -= sets[b].contains(c) ? log(s) : log(1 - s)
            }
        }
        XCTAssertEqual(loss, expected, accuracy: 1e-9)
        assertGradient(p.grads, at: p.values, label: "multi-label FFN parameters") { theta in
            var q = start
            q.values = theta
            return model.multiLabelLoss(x, labelSets: sets, parameters: &q).loss
        }
        assertGradient(dX.values, at: x.values, label: "multi-label FFN features") { values in
            var q = start
            return model.multiLabelLoss(Matrix(rows: 3, columns: 3, values: values), labelSets: sets, parameters: &q).loss
        }
        let scores = model.scores(x, parameters: start.values, sigmoid: true)
        XCTAssertEqual(scores[1, 2], 1 / (1 + exp(-z[1, 2])), accuracy: 1e-12)
        let softmax = model.scores(x, parameters: start.values, sigmoid: false)
        XCTAssertEqual((0 ..< 4).map { softmax[2, $0] }.reduce(0, +), 1, accuracy: 1e-12)
    }
}
