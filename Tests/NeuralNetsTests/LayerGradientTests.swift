import Core
import LinearAlgebra
import NeuralNets
import TestSupport
import XCTest

/// Finite-difference checks (Double, central differences) for the feed-forward layers and the loss, w.r.t.
/// their inputs and every parameter.
final class LayerGradientTests: XCTestCase {
    func testLinearGradients() {
        var layout = ParameterLayout()
        let fc = Linear("fc", inputSize: 3, outputSize: 2, layout: &layout)
        var parameters = makeParameters(layout, seed: 1) { fc.initialize(&$0, rng: &$1) }
        let x = randomMatrixD(rows: 4, columns: 3, seed: 2)
        let r = randomValues(4 * 2, seed: 3)
        let (y, cache) = fc.forward(x, parameters: parameters.values)
        let dX = fc.backward(Matrix(rows: 4, columns: 2, values: r), cache, parameters: parameters.values,
                             into: &parameters.grads)
        // Y = X·W + b by hand for one entry.
        let w = parameters.value(fc.weight), b = parameters.value(fc.bias)
        XCTAssertEqual(y[1, 0], x[1, 0] * w[0, 0] + x[1, 1] * w[1, 0] + x[1, 2] * w[2, 0] + b[0, 0], accuracy: 1e-12)
        let values = parameters.values
        assertGradient(parameters.grads, at: values, label: "Linear dθ") { theta in
            probe(fc.forward(x, parameters: theta).0.values, r)
        }
        assertGradient(dX.values, at: x.values, label: "Linear dX") { xv in
            probe(fc.forward(Matrix(rows: 4, columns: 3, values: xv), parameters: values).0.values, r)
        }
    }

    func testLinearInitialisationScale() {
        var layout = ParameterLayout()
        let fc = Linear("fc", inputSize: 400, outputSize: 30, layout: &layout)
        var values = [Float](repeating: 0, count: layout.count)
        var rng = SeededRandom(seed: 4)
        fc.initialize(&values, rng: &rng)
        let bound: Float = (1.0 / 400.0).squareRoot()
        XCTAssertLessThanOrEqual(values.map(abs).max()!, bound)
        XCTAssertGreaterThan(values.map(abs).max()!, 0.9 * bound)
    }

    func testEmbeddingGradientsAndPaddingRow() {
        var layout = ParameterLayout()
        let embedding = Embedding("e", vocabularySize: 4, embeddingSize: 3, paddingIndex: 0, layout: &layout)
        var parameters = makeParameters(layout, seed: 5) { embedding.initialize(&$0, rng: &$1) }
        XCTAssertEqual(Array(parameters.values[0 ..< 3]), [0, 0, 0], "the padding row starts at zero")
        let tokens = [2, 0, 1, 2, 3, 0]
        let r = randomValues(tokens.count * 3, seed: 6)
        let (y, cache) = embedding.forward(tokens, parameters: parameters.values)
        XCTAssertEqual(y.row(0), Array(parameters.values[6 ..< 9]), "row n is E[token_n]")
        embedding.backward(Matrix(rows: tokens.count, columns: 3, values: r), cache, into: &parameters.grads)
        XCTAssertEqual(Array(parameters.grads[0 ..< 3]), [0, 0, 0], "the padding token gets no gradient")
        // Rows 1 … 3 against central differences (row 2 occurs twice: scatter-ADD).
        let values = parameters.values
        assertGradient(Array(parameters.grads[3...]), at: Array(values[3...]), label: "Embedding dE") { rest in
            probe(embedding.forward(tokens, parameters: Array(values[0 ..< 3]) + rest).0.values, r)
        }
    }

    func testReLUGradientAndValues() {
        let relu = ReLU()
        var x = randomMatrixD(rows: 3, columns: 4, seed: 7)
        x.values = x.values.map { abs($0) < 0.05 ? 0.3 : $0 }  // keep away from the kink
        let (y, cache) = relu.forward(x)
        XCTAssertEqual(y.values, x.values.map { max($0, 0) })
        let r = randomValues(12, seed: 8)
        let dX = relu.backward(Matrix(rows: 3, columns: 4, values: r), cache)
        assertGradient(dX.values, at: x.values, label: "ReLU dX") { xv in
            probe(relu.forward(Matrix(rows: 3, columns: 4, values: xv)).0.values, r)
        }
    }

    func testMeanPoolingWithMask() {
        let pool = MeanPooling()
        let lengths = [3, 1, 2], steps = 3, f = 2
        let h = randomMatrixD(rows: 3 * steps, columns: f, seed: 9)
        let (o, cache) = pool.forward(h, lengths: lengths)
        // Sequence 2 averages its 2 real steps only.
        XCTAssertEqual(o[2, 1], (h[6, 1] + h[7, 1]) / 2, accuracy: 1e-12)
        XCTAssertEqual(o[1, 0], h[3, 0], accuracy: 1e-12)
        let r = randomValues(3 * f, seed: 10)
        let dH = pool.backward(Matrix(rows: 3, columns: f, values: r), cache)
        for row in [4, 5, 8] { XCTAssertEqual(dH.row(row), [0, 0], "padded step \(row) gets no gradient") }
        assertGradient(dH.values, at: h.values, label: "MeanPooling dH") { hv in
            probe(pool.forward(Matrix(rows: 3 * steps, columns: f, values: hv), lengths: lengths).0.values, r)
        }
    }

    func testSoftmaxCrossEntropyGradients() {
        let z = randomMatrixD(rows: 4, columns: 3, seed: 11)
        let targets = [2, 0, 1, 2]
        let weights: [Double] = [0.5, 2, 0, 1]
        let cases: [(String, [Double]?, SoftmaxCrossEntropy.Reduction)] = [
            ("mean", nil, .mean), ("sum", nil, .sum), ("weighted mean", weights, .mean), ("weighted sum", weights, .sum),
        ]
        for (label, w, reduction) in cases {
            let (_, cache) = SoftmaxCrossEntropy.forward(z, targets: targets, weights: w, reduction: reduction)
            let dZ = SoftmaxCrossEntropy.backward(1, cache)
            assertGradient(dZ.values, at: z.values, label: "CE \(label)") { zv in
                SoftmaxCrossEntropy.forward(Matrix(rows: 4, columns: 3, values: zv), targets: targets, weights: w,
                                            reduction: reduction).0
            }
        }
        let (weightedZero, cacheZero) = SoftmaxCrossEntropy.forward(z, targets: targets, weights: [0, 0, 0, 0])
        XCTAssertEqual(weightedZero, 0)
        XCTAssertEqual(SoftmaxCrossEntropy.backward(1, cacheZero).values, [Double](repeating: 0, count: 12))
    }

    func testSoftmaxCrossEntropyValuesAndStability() {
        let (uniform, _) = SoftmaxCrossEntropy.forward(Matrix<Double>(rowArrays: [[0, 0], [3, 3]]), targets: [0, 1])
        XCTAssertEqual(uniform, log(2.0), accuracy: 1e-12)  // mean of log 2 and log 2
        let (sum, _) = SoftmaxCrossEntropy.forward(Matrix<Double>(rowArrays: [[0, 0], [3, 3]]), targets: [0, 1],
                                                   reduction: .sum)
        XCTAssertEqual(sum, 2 * log(2.0), accuracy: 1e-12)
        // Float logits far beyond exp's range: log-sum-exp keeps the loss finite and exact.
        let (large, cache) = SoftmaxCrossEntropy.forward(Matrix<Float>(rowArrays: [[1000, 0]]), targets: [1])
        XCTAssertEqual(large, 1000, accuracy: 1e-3)
        XCTAssertEqual(SoftmaxCrossEntropy.backward(1, cache).values, [1, -1])
    }
}
