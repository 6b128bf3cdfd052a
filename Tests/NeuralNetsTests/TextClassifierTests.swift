import LinearAlgebra
import NeuralNets
import TestSupport
import XCTest

final class TextClassifierTests: XCTestCase {
    let model = TextClassifier(.init(vocabularySize: 7, embeddingSize: 3, hiddenSize: 4, contextSize: 5,
                                     classCount: 3))
    /// Lengths [3, 1, 2] with T = 3; padding token 0.
    let batch = TextBatch(sequences: [[1, 2, 3], [4], [5, 6]], labels: [2, 0, 1])

    func testBatchPadding() {
        XCTAssertEqual(batch.tokens, [1, 2, 3, 4, 0, 0, 5, 6, 0])
        XCTAssertEqual(batch.lengths, [3, 1, 2])
        XCTAssertEqual(batch.timeSteps, 3)
        let truncated = TextBatch(sequences: [[1, 2, 3, 4], []], labels: [0, 1], timeSteps: 2)
        XCTAssertEqual(truncated.tokens, [1, 2, 0, 0])
        XCTAssertEqual(truncated.lengths, [2, 1], "an empty text is one padding token")
    }

    /// The whole model — Embedding → bi-LSTM (masked) → mean pool → Linear → ReLU → Linear → CE — against
    /// central differences w.r.t. every parameter (the padding row's numerical gradient is 0 as well).
    func testWholeModelGradient() {
        var parameters: Parameters<Double> = model.makeParameters(seed: 50)
        let loss = model.loss(batch, parameters: &parameters)
        var probeParameters = parameters
        assertGradient(parameters.grads, at: parameters.values, label: "TextClassifier dθ") { theta in
            probeParameters.values = theta
            return model.loss(batch, parameters: &probeParameters)
        }
        XCTAssertGreaterThan(loss, 0)
        let padding = model.embedding.table.offset ..< model.embedding.table.offset + 3
        XCTAssertEqual(Array(parameters.grads[padding]), [0, 0, 0])
    }

    /// Changing the token at a padded position changes neither the loss nor any gradient.
    func testPaddedTokensChangeNothing() {
        var a: Parameters<Double> = model.makeParameters(seed: 51)
        var b = a
        var tokens = batch.tokens
        tokens[4] = 6; tokens[5] = 2; tokens[8] = 1  // padded positions of sequences 1 and 2
        let other = TextBatch(tokens: tokens, lengths: batch.lengths, labels: batch.labels)
        XCTAssertEqual(model.loss(batch, parameters: &a), model.loss(other, parameters: &b))
        XCTAssertEqual(a.grads, b.grads)
        XCTAssertEqual(model.predict(batch, parameters: a.values), model.predict(other, parameters: b.values))
    }

    /// The data-parallel contract: the loss and gradient of a batch are the SUMS over its samples, so shards'
    /// all-reduced gradients divided by the global count give the mean-loss gradient.
    func testLossAndGradientsAreSumsOverSamples() {
        var whole: Parameters<Double> = model.makeParameters(seed: 52)
        var parts = whole
        let total = model.loss(batch, parameters: &whole)
        var sum = 0.0
        let sequences = [[1, 2, 3], [4], [5, 6]]
        for (i, sequence) in sequences.enumerated() {
            sum += model.loss(TextBatch(sequences: [sequence], labels: [batch.labels[i]]), parameters: &parts)
        }
        XCTAssertEqual(total, sum, accuracy: 1e-12)
        assertClose(whole.grads, parts.grads, rtol: 1e-10, atol: 1e-12, label: "Σ of per-sample gradients")
    }

    func testEncodeAndPredictShapes() {
        let parameters: Parameters<Float> = model.makeParameters(seed: 53)
        let c = model.encode(batch, parameters: parameters.values)
        XCTAssertEqual([c.rows, c.columns], [3, 5])
        XCTAssertTrue(c.values.allSatisfy { $0 >= 0 }, "c = ReLU(o·W + b)")
        let z = model.logits(batch, parameters: parameters.values)
        let predicted = model.predict(batch, parameters: parameters.values)
        for b in 0 ..< 3 { XCTAssertEqual(z.row(b).max(), z[b, predicted[b]]) }
    }

    /// A tiny dataset (8 sequences of different lengths, 2 classes) overfits with Adam.
    func testTinyDatasetOverfitsWithAdam() {
        let model = TextClassifier(.init(vocabularySize: 10, embeddingSize: 8, hiddenSize: 8, contextSize: 8,
                                         classCount: 2))
        let sequences = [[1, 2, 3, 4], [2, 1], [3, 3, 4, 1, 2], [4], [5, 6, 7], [9, 8], [6, 6, 9, 5, 8, 7], [7]]
        let data = TextBatch(sequences: sequences, labels: [0, 0, 0, 0, 1, 1, 1, 1])
        var parameters: Parameters<Float> = model.makeParameters(seed: 54)
        var adam = Adam<Float>(parameterCount: model.layout.count, learningRate: 0.01)
        var meanLoss = Float.infinity
        var epoch = 0
        while epoch < 500 && meanLoss >= 0.01 {
            parameters.zeroGrads()
            meanLoss = model.loss(data, parameters: &parameters) / Float(data.count)
            adam.step(&parameters, gradientScale: 1 / Float(data.count))
            epoch += 1
        }
        XCTAssertLessThan(meanLoss, 0.01, "after \(epoch) Adam steps")
        XCTAssertEqual(model.predict(data, parameters: parameters.values), data.labels)
    }
}
