import Core
import LabelGraphs
import LinearAlgebra
import NeuralNets
import TestSupport
import XCTest

/// Finite-difference checks (Double, central differences) of every gradient the path decoder produces.
final class DecoderGradientTests: XCTestCase {
    let (f, e, h) = (3, 4, 5)

    func makeDecoder(_ encoder: PathDecoder.Encoder = .mlp(hiddenSize: 4), seed: UInt64 = 1) throws -> (PathDecoder, Parameters<Double>) {
        let decoder = try PathDecoder(graph: graph(figure2),
                                      configuration: .init(featureSize: f, embeddingSize: e, hiddenSize: h, encoder: encoder))
        return (decoder, decoder.makeParameters(seed: seed))
    }

    func path(_ decoder: PathDecoder, _ ids: String) -> [Int] {
        ids.split(separator: " ").map { decoder.graph.index(of: String($0))! }
    }

    /// Three samples, four rows (sample 1 twice), one negative weight as REINFORCE produces.
    func targets(_ d: PathDecoder) -> [PathTarget] {
        [PathTarget(sample: 0, path: path(d, "animal cat solid bsh"), weight: 1),
         PathTarget(sample: 1, path: path(d, "animal cat longhair ragdoll"), weight: 0.5),
         PathTarget(sample: 1, path: path(d, "animal cat shorthair bsh"), weight: -0.8),
         PathTarget(sample: 2, path: path(d, "animal cat point ragdoll"), weight: 1.2)]
    }

    func checkParameters(_ decoder: PathDecoder, _ parameters: Parameters<Double>, _ rows: [PathTarget],
                         freeRunning: Bool, label: String) {
        let x = randomMatrixD(rows: 3, columns: f, seed: 9)
        var p = parameters
        p.zeroGrads()
        let (loss, dFeatures) = decoder.negativeLogLikelihood(features: x, targets: rows, freeRunning: freeRunning, parameters: &p)
        XCTAssertTrue(loss.isFinite)
        assertGradient(p.grads, at: p.values, label: "\(label): parameters") { theta in
            var q = parameters
            q.values = theta
            return decoder.negativeLogLikelihood(features: x, targets: rows, freeRunning: freeRunning, parameters: &q).loss
        }
        assertGradient(dFeatures.values, at: x.values, label: "\(label): features") { values in
            var q = parameters
            return decoder.negativeLogLikelihood(features: Matrix(rows: 3, columns: f, values: values), targets: rows,
                                                 freeRunning: freeRunning, parameters: &q).loss
        }
    }

    func testTeacherForcingGradients() throws {
        for encoder: PathDecoder.Encoder in [.mlp(hiddenSize: 4), .linear] {
            let (decoder, parameters) = try makeDecoder(encoder)
            checkParameters(decoder, parameters, targets(decoder), freeRunning: false, label: "teacher forcing \(encoder)")
        }
        let decoder = try PathDecoder(graph: graph(figure2), configuration: .init(featureSize: h, embeddingSize: e,
                                                                                 hiddenSize: h, encoder: .identity))
        let x = randomMatrixD(rows: 3, columns: h, seed: 2)
        var p: Parameters<Double> = decoder.makeParameters(seed: 3)
        let (_, dX) = decoder.negativeLogLikelihood(features: x, targets: targets(decoder), parameters: &p)
        assertGradient(dX.values, at: x.values, label: "identity encoder: features") { values in
            var q = p
            return decoder.negativeLogLikelihood(features: Matrix(rows: 3, columns: h, values: values),
                                                 targets: targets(decoder), parameters: &q).loss
        }
    }

    func testIdentityEncoderNeedsMatchingSizes() {
        let error = labelGraphError {
            _ = try PathDecoder(graph: graph(figure2), configuration: .init(featureSize: 3, embeddingSize: 2, hiddenSize: 4,
                                                                          encoder: .identity))
        }
        XCTAssertTrue(error?.description.contains("featureSize (3) = hiddenSize (4)") ?? false, "\(String(describing: error))")
    }

    func testFreeRunningGradients() throws {
        let (decoder, parameters) = try makeDecoder(seed: 4)
        checkParameters(decoder, parameters, targets(decoder), freeRunning: true, label: "free running")
    }

    func testTeacherForcingLossIsTheSumOfBlockLogProbabilities() throws {
        // Animal∘Cat∘Tabby∘BSH∘⟨eop⟩: every step but Cat → Tabby has a single candidate (log 1 = 0), so the loss is
        // −log p(tabby | cat), a softmax over the Color block {solid, tabby, point} only. Rebuilt from the layers.
        let (decoder, parameters) = try makeDecoder(.linear)
        let x = randomMatrixD(rows: 1, columns: f, seed: 5)
        var p = parameters
        let loss = decoder.negativeLogLikelihood(
            features: x, targets: [PathTarget(sample: 0, path: path(decoder, "animal cat tabby bsh"), weight: 1)], parameters: &p).loss
        let values = parameters.values
        let (h0, _) = decoder.encode(x, parameters: values)
        let (e0, _) = decoder.embedding.forward([decoder.graph.root], parameters: values)
        let (f0, _) = decoder.gru.forward(e0, initialState: h0, parameters: values)
        let (e1, _) = decoder.embedding.forward(path(decoder, "cat"), parameters: values)
        let (f1, _) = decoder.gru.forward(e1, initialState: f0, parameters: values)
        let (z, _) = decoder.output.forward(f1, parameters: values)
        let color = path(decoder, "solid tabby point")
        let expected = -(z[0, color[1]] - log(color.map { exp(z[0, $0]) }.reduce(0, +)))
        XCTAssertEqual(loss, expected, accuracy: 1e-12)
    }

    func testReinforceSurrogateGradientWithFixedSampledPaths() throws {
        let (decoder, parameters) = try makeDecoder(seed: 6)
        let x = randomMatrixD(rows: 3, columns: f, seed: 10)
        var rng = SeededRandom(seed: 12)
        let sampled = decoder.samplePaths(features: x, parameters: parameters.values, rng: &rng)
        let truth = try decoder.paths.groundTruth(label: "cat", dataset: "dogs-vs-cats")
        let baseline = 0.3
        let rows = sampled.enumerated().map { PathTarget(sample: $0.offset, path: $0.element, weight: truth.reward($0.element) - baseline) }
        XCTAssertTrue(rows.contains { $0.weight != 0 })
        checkParameters(decoder, parameters, rows, freeRunning: false, label: "REINFORCE surrogate")
    }

    func testFullAlgorithm1LossGradientAtFixedSeed() throws {
        let (decoder, parameters) = try makeDecoder(seed: 7)
        let truths = try [("bsh", "pets"), ("ragdoll", "pets"), ("cat", "dogs-vs-cats")].map {
            try decoder.paths.groundTruth(label: $0.0, dataset: $0.1)
        }
        let batch = PathBatch(features: randomMatrixD(rows: 3, columns: f, seed: 11), truths: truths)
        let options = PathTrainingOptions(alpha: 0.7, beta: 1.3, maxTargetPaths: 1, reinforceSamples: 2)
        var p = parameters
        var rng = SeededRandom(seed: 13)
        let result = decoder.loss(batch, options: options, baseline: 0.25, parameters: &p, rng: &rng)
        XCTAssertEqual(result.loss, result.deterministicLoss + result.reinforceLoss, accuracy: 1e-12)
        XCTAssertEqual(result.rewardCount, 4, "two samples have nondeterministic paths, K = 2")
        assertGradient(p.grads, at: p.values, label: "Algorithm 1 loss") { theta in
            var q = parameters
            q.values = theta
            var r = SeededRandom(seed: 13)
            return decoder.loss(batch, options: options, baseline: 0.25, parameters: &q, rng: &r).loss
        }
        assertGradient(result.dFeatures.values, at: batch.features.values, label: "Algorithm 1 features") { values in
            var q = parameters
            var r = SeededRandom(seed: 13)
            return decoder.loss(PathBatch(features: Matrix(rows: 3, columns: f, values: values), truths: truths),
                                options: options, baseline: 0.25, parameters: &q, rng: &r).loss
        }
    }
}
