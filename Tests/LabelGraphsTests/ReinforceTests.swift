import Core
import LabelGraphs
import LinearAlgebra
import NeuralNets
import TestSupport
import XCTest

final class ReinforceTests: XCTestCase {
    /// E[−∇L_nd] = ∇E_{P̂∼p}[r(P̂)]: the mean of many single-sample REINFORCE gradients (with a baseline) matches
    /// the exact gradient of the expected reward, computed by finite differences of Σ_P r(P)·p(P).
    func testReinforceEstimatorIsUnbiasedOnABandit() throws {
        let decoder = try PathDecoder(graph: graph(bandit), configuration: .init(featureSize: 2, embeddingSize: 3, hiddenSize: 3))
        let parameters: Parameters<Double> = decoder.makeParameters(seed: 21)
        let truth = try decoder.paths.groundTruth(label: "l", dataset: "d")
        XCTAssertEqual(truth.isDeterministic, [false, false], "g1 and g2 compete")
        let x = Matrix<Double>(rowArrays: [[0.5, -1.0]])
        let routes = ["g1 l", "g2 l", "g3 m"].map { [decoder.graph.root] + $0.split(separator: " ").map { decoder.graph.index(of: String($0))! } }

        func expectedReward(_ theta: [Double]) -> Double {
            var q = parameters
            q.values = theta
            return routes.map { route in
                truth.reward(route) * exp(-decoder.negativeLogLikelihood(
                    features: x, targets: [PathTarget(sample: 0, path: route, weight: 1)], parameters: &q).loss)
            }.reduce(0, +)
        }
        let exact = numericalGradient(parameters.values, expectedReward)

        let draws = 4000
        var mean = [Double](repeating: 0, count: exact.count), square = mean
        var rng = SeededRandom(seed: 22)
        let batch = PathBatch(features: x, truths: [truth])
        for _ in 0 ..< draws {
            var p = parameters
            p.zeroGrads()
            _ = decoder.loss(batch, options: PathTrainingOptions(alpha: 0, beta: 1), baseline: 0.4, parameters: &p, rng: &rng)
            for i in exact.indices {
                let estimate = -p.grads[i]  // −∇L_nd estimates ∇E[r]
                mean[i] += estimate / Double(draws)
                square[i] += estimate * estimate / Double(draws)
            }
        }
        var worst = 0.0
        for i in exact.indices {
            let standardError = ((square[i] - mean[i] * mean[i]) / Double(draws)).squareRoot()
            let z = abs(mean[i] - exact[i]) / max(standardError, 1e-12)
            if abs(mean[i] - exact[i]) > 1e-10 { worst = max(worst, z) }
        }
        XCTAssertLessThan(worst, 4.5, "the mean estimate is more than 4.5 standard errors from the exact gradient")
        let norm = { (v: [Double]) in v.map { $0 * $0 }.reduce(0, +).squareRoot() }
        XCTAssertGreaterThan(norm(exact), 1e-3, "the bandit must have a non-trivial gradient")
        XCTAssertLessThan(norm(zip(mean, exact).map(-)) / norm(exact), 0.25, "mean estimate ≈ exact gradient")
    }

    func testRunningBaseline() {
        var b = RewardBaseline(momentum: 0.5)
        b.update(rewardSum: 3, count: 4)
        XCTAssertEqual(b.value, 0.75)
        b.update(rewardSum: 1, count: 4)
        XCTAssertEqual(b.value, 0.5)
        b.update(rewardSum: 0, count: 0)
        XCTAssertEqual(b.value, 0.5, "an empty batch leaves b alone")
    }
}
