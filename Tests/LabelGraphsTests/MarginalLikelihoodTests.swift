import Core
import Foundation
import LabelGraphs
import LinearAlgebra
import NeuralNets
import TestSupport
import XCTest

final class MarginalLikelihoodTests: XCTestCase {
    /// Bandit graph: l has the competing routes root∘g1∘l and root∘g2∘l, m the single route root∘g3∘m.
    /// Sample 0 is labelled {l, m}: L = ½(−log(p(g1∘l) + p(g2∘l)) − log p(g3∘m)); sample 1 is labelled l.
    func testLossIsTheMarginalOfEachLabelAndItsGradientIsExact() throws {
        let g = graph(bandit)
        let decoder = try PathDecoder(graph: g, configuration: .init(featureSize: 3, embeddingSize: 4, hiddenSize: 5, encoder: .mlp(hiddenSize: 6)))
        let paths = PredictionPaths(graph: g)
        let n = { (id: String) in g.index(of: id)! }
        let truths = [try paths.groundTruth(labels: [n("l"), n("m")], dataset: "d"), try paths.groundTruth(label: n("l"), dataset: "d")]
        let x = randomMatrixD(rows: 2, columns: 3, seed: 3)
        let start: Parameters<Double> = decoder.makeParameters(seed: 9)
        let options = PathTrainingOptions(alpha: 1, nondeterministic: .marginalLikelihood)
        func nll(_ row: Int, _ ids: [String]) -> Double {
            var q = start
            let features = Matrix<Double>(rows: 1, columns: 3, values: Array(x.values[row * 3 ..< row * 3 + 3]))
            return decoder.negativeLogLikelihood(features: features, targets: [PathTarget(sample: 0, path: ids.map(n), weight: 1)], parameters: &q).loss
        }
        let marginalL = { (row: Int) in -log(exp(-nll(row, ["root", "g1", "l"])) + exp(-nll(row, ["root", "g2", "l"]))) }
        let expected = 0.5 * (marginalL(0) + nll(0, ["root", "g3", "m"])) + marginalL(1)
        var p = start
        var rng = SeededRandom(seed: 1)
        let result = decoder.loss(PathBatch(features: x, truths: truths), options: options, baseline: 0, parameters: &p, rng: &rng)
        XCTAssertEqual(result.loss, expected, accuracy: 1e-9)
        XCTAssertEqual(result.rewardCount, 0, "no REINFORCE samples")
        assertGradient(p.grads, at: p.values, label: "marginal likelihood parameters") { theta in
            var q = start
            q.values = theta
            var r = SeededRandom(seed: 1)
            return decoder.loss(PathBatch(features: x, truths: truths), options: options, baseline: 0, parameters: &q, rng: &r).loss
        }
        assertGradient(result.dFeatures.values, at: x.values, label: "marginal likelihood features") { values in
            var q = start
            var r = SeededRandom(seed: 1)
            return decoder.loss(PathBatch(features: Matrix(rows: 2, columns: 3, values: values), truths: truths), options: options,
                                baseline: 0, parameters: &q, rng: &r).loss
        }
    }

    /// A deterministic single-label sample: the marginal objective is teacher forcing on its one path.
    func testDeterministicSampleIsTeacherForcing() throws {
        let g = graph(twoLevel)
        let decoder = try PathDecoder(graph: g, configuration: .init(featureSize: 2, embeddingSize: 3, hiddenSize: 4))
        let truth = try PredictionPaths(graph: g).groundTruth(label: "a2", dataset: "fine")
        let x = randomMatrixD(rows: 1, columns: 2, seed: 5)
        var p: Parameters<Double> = decoder.makeParameters(seed: 6), q = p
        var rng = SeededRandom(seed: 0)
        let marginal = decoder.loss(PathBatch(features: x, truths: [truth]), options: .init(nondeterministic: .marginalLikelihood),
                                    baseline: 0, parameters: &p, rng: &rng).loss
        let forced = decoder.negativeLogLikelihood(features: x, targets: [PathTarget(sample: 0, path: truth.paths[0], weight: 1)], parameters: &q).loss
        XCTAssertEqual(marginal, forced, accuracy: 1e-12)
        for (a, b) in zip(p.grads, q.grads) { XCTAssertEqual(a, b, accuracy: 1e-12) }
    }
}
