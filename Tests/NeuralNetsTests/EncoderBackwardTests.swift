import Foundation
import LinearAlgebra
import NeuralNets
import TestSupport
import XCTest

/// `TextClassifier.encodeForTraining` / `backwardEncoder`: c = f_θ(x) and the encoder's part of ∂ℓ/∂θ given dC.
final class EncoderBackwardTests: XCTestCase {
    let model = TextClassifier(.init(vocabularySize: 7, embeddingSize: 3, hiddenSize: 4, contextSize: 5,
                                     classCount: 3))
    /// Lengths [3, 1, 2] with T = 3 (padding on sequences 1 and 2).
    let batch = TextBatch(sequences: [[1, 2, 3], [4], [5, 6]], labels: [2, 0, 1])

    /// The probe loss L = Σ r ⊙ c: backwardEncoder(dC = r) against central differences w.r.t. every parameter;
    /// the classifier's views get no gradient (L does not depend on them).
    func testEncoderGradientByFiniteDifferences() {
        var parameters: Parameters<Double> = model.makeParameters(seed: 60)
        let r = randomValues(3 * 5, seed: 61)
        let (c, cache) = model.encodeForTraining(batch, parameters: parameters.values)
        XCTAssertEqual([c.rows, c.columns], [3, 5])
        model.backwardEncoder(Matrix(rows: 3, columns: 5, values: r), cache, parameters: parameters.values,
                              into: &parameters.grads)
        assertGradient(parameters.grads, at: parameters.values, label: "encoder dθ") { theta in
            probe(model.encodeForTraining(batch, parameters: theta).0.values, r)
        }
        for view in [model.classifier.weight, model.classifier.bias] {
            XCTAssertTrue(parameters.grads[view.range].allSatisfy { $0 == 0 }, "\(view.name) must get no gradient")
        }
    }

    /// Naive twin: the full model's loss gradient = backwardEncoder of the classifier's dC plus the classifier's
    /// own gradient; here with a buffer LONGER than the layout (a head after it), whose tail stays untouched.
    func testMatchesWholeModelBackwardInALongerBuffer() {
        var whole: Parameters<Double> = model.makeParameters(seed: 62)
        _ = model.loss(batch, parameters: &whole)

        let p = model.layout.count
        let tail = [7.0, -3.0]
        let theta = whole.values + [0.5, 0.25]
        var grads = [Double](repeating: 0, count: p) + tail
        let (c, cache) = model.encodeForTraining(batch, parameters: theta)
        XCTAssertEqual(c.values, model.encode(batch, parameters: whole.values).values, "same forward as encode")
        // dC of the summed cross-entropy through the classifier layer, by hand: (softmax(z) − onehot(y)) W_yᵀ.
        let z = model.logits(batch, parameters: whole.values)
        let w = whole.value(model.classifier.weight)  // (M, C)
        var dC = Matrix<Double>(rows: 3, columns: 5)
        for b in 0 ..< 3 {
            let row = z.row(b), top = row.max()!
            let e = row.map { Foundation.exp($0 - top) }, total = e.reduce(0, +)
            for k in 0 ..< 3 {
                let g = e[k] / total - (k == batch.labels[b] ? 1 : 0)
                for j in 0 ..< 5 { dC[b, j] += g * w[j, k] }
            }
        }
        model.backwardEncoder(dC, cache, parameters: theta, into: &grads)
        XCTAssertEqual(Array(grads[p...]), tail, "entries after the layout are not touched")
        var expected = whole.grads
        for view in [model.classifier.weight, model.classifier.bias] { for i in view.range { expected[i] = 0 } }
        assertClose(Array(grads[..<p]), expected, rtol: 1e-9, atol: 1e-12, label: "encoder grads vs loss()")
    }
}
