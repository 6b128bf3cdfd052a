import LabelGraphs
import LinearAlgebra
import NeuralNets
import TestSupport
import XCTest

final class BaselineTests: XCTestCase {
    func testLabelSetTargetsFlattenTheGroundTruthPaths() throws {
        let g = graph(figure2)
        let model = BaselineClassifier(graph: g, objective: .labelSet, featureSize: 3, hiddenSize: 4)
        XCTAssertEqual(model.labelColumns.map { g.nodes[$0].id }, ["cat", "bsh", "ragdoll"])
        let paths = PredictionPaths(graph: g)
        let fine = model.labelSetTargets(try paths.groundTruth(label: "bsh", dataset: "pets"))
        XCTAssertEqual(fine.positive, [true, true, false])
        XCTAssertEqual(fine.mask, [true, true, true])
        let coarse = model.labelSetTargets(try paths.groundTruth(label: "cat", dataset: "dogs-vs-cats"))
        XCTAssertEqual(coarse.positive, [true, false, false])
        XCTAssertEqual(coarse.mask, [true, false, false], "the unknown fine labels of a coarse sample are masked")
    }

    func testLabelSetLossGradient() throws {
        let g = graph(figure2)
        let model = BaselineClassifier(graph: g, objective: .labelSet, featureSize: 3, hiddenSize: 4)
        let paths = PredictionPaths(graph: g)
        let truths = try [("bsh", "pets"), ("cat", "dogs-vs-cats")].map { try paths.groundTruth(label: $0.0, dataset: $0.1) }
        let x = randomMatrixD(rows: 2, columns: 3, seed: 1)
        let start: Parameters<Double> = model.makeParameters(seed: 2)
        var p = start
        let (loss, dX) = model.labelSetLoss(x, truths: truths, parameters: &p)
        XCTAssertGreaterThan(loss, 0)
        assertGradient(p.grads, at: p.values, label: "Label Set parameters") { theta in
            var q = start
            q.values = theta
            return model.labelSetLoss(x, truths: truths, parameters: &q).loss
        }
        assertGradient(dX.values, at: x.values, label: "Label Set features") { values in
            var q = start
            return model.labelSetLoss(Matrix(rows: 2, columns: 3, values: values), truths: truths, parameters: &q).loss
        }
    }

    func testSoftmaxBaselineGradientAndPrediction() {
        let model = BaselineClassifier(graph: graph(twoLevel), objective: .softmax(classCount: 4), featureSize: 3, hiddenSize: 5)
        let x = randomMatrixD(rows: 3, columns: 3, seed: 3)
        let start: Parameters<Double> = model.makeParameters(seed: 4)
        var p = start
        _ = model.softmaxLoss(x, labels: [0, 3, 1], parameters: &p)
        assertGradient(p.grads, at: p.values, label: "FFN") { theta in
            var q = start
            q.values = theta
            return model.softmaxLoss(x, labels: [0, 3, 1], parameters: &q).loss
        }
        let z = model.logits(x, parameters: start.values)
        let predicted = model.predict(x, parameters: start.values, candidates: [0, 1, 2, 3])
        for b in 0 ..< 3 { XCTAssertEqual(z.row(b).max(), z[b, predicted[b]]) }
    }

    func testPseudoLabelsKeepConsistentAndDropContradictingPredictions() {
        let g = graph(twoLevel)
        let n = { (id: String) in g.index(of: id)! }
        XCTAssertEqual(PseudoLabels.relabel(coarse: n("A"), predictedFine: n("a2"), in: g), n("a2"))
        XCTAssertNil(PseudoLabels.relabel(coarse: n("A"), predictedFine: n("b1"), in: g))
        // A label both datasets share: the prediction agrees with it.
        let shared = graph("node r root\nnode x label datasets=fine,coarse\nnode y label datasets=fine\nedge r x y")
        XCTAssertEqual(PseudoLabels.relabel(coarse: shared.index(of: "x")!, predictedFine: shared.index(of: "x")!, in: shared), shared.index(of: "x")!)
        XCTAssertNil(PseudoLabels.relabel(coarse: shared.index(of: "x")!, predictedFine: shared.index(of: "y")!, in: shared))
        let (kept, labels) = PseudoLabels.relabel(coarse: [n("A"), n("B"), n("B")], predictedFine: [n("a1"), n("a1"), n("b2")], in: g)
        XCTAssertEqual(kept, [0, 2])
        XCTAssertEqual(labels, [n("a1"), n("b2")])
    }
}
