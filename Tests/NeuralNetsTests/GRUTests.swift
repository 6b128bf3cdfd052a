import LinearAlgebra
import NeuralNets
import TestSupport
import XCTest

final class GRUTests: XCTestCase {
    let (b, steps, d, h) = (2, 3, 4, 5)

    func makeGRU(seed: UInt64) -> (GRU, Parameters<Double>) {
        var layout = ParameterLayout()
        let gru = GRU("g", inputSize: d, hiddenSize: h, layout: &layout)
        return (gru, makeParameters(layout, seed: seed) { gru.initialize(&$0, rng: &$1) })
    }

    /// One step of the GRU equations for one sample, by hand (PyTorch's nn.GRU form).
    func naiveStep(_ gru: GRU, x: [Double], hPrev: [Double], parameters p: Parameters<Double>) -> [Double] {
        let wx = p.value(gru.inputWeight), wh = p.value(gru.recurrentWeight)
        let bx = p.value(gru.inputBias), bh = p.value(gru.recurrentBias)
        func xa(_ k: Int) -> Double { bx[0, k] + (0 ..< d).reduce(0) { $0 + x[$1] * wx[$1, k] } }
        func ha(_ k: Int) -> Double { bh[0, k] + (0 ..< h).reduce(0) { $0 + hPrev[$1] * wh[$1, k] } }
        return (0 ..< h).map { j in
            let r = 1 / (1 + exp(-(xa(j) + ha(j)))), z = 1 / (1 + exp(-(xa(h + j) + ha(h + j))))
            let n = Foundation.tanh(xa(2 * h + j) + r * ha(2 * h + j))
            return (1 - z) * n + z * hPrev[j]
        }
    }

    func testUnrolledMatchesNaiveStepsAndSingleCellSteps() {
        let (gru, parameters) = makeGRU(seed: 40)
        let x = randomMatrixD(rows: b * steps, columns: d, seed: 41)
        let h0 = randomMatrixD(rows: b, columns: h, seed: 42)
        let (out, _) = gru.forward(x, initialState: h0, parameters: parameters.values)
        // Naive: per sample, per step.
        for sample in 0 ..< b {
            var state = h0.row(sample)
            for t in 0 ..< steps {
                state = naiveStep(gru, x: x.row(sample * steps + t), hPrev: state, parameters: parameters)
                assertClose(out.row(sample * steps + t), state, rtol: 1e-12, atol: 1e-13, label: "b\(sample) t\(t)")
            }
        }
        // Cell: T = 1 calls chained through initialState (greedy decoding) give the same states.
        var state = h0
        for t in 0 ..< steps {
            let xt = Matrix(rowArrays: (0 ..< b).map { x.row($0 * steps + t) })
            state = gru.forward(xt, initialState: state, parameters: parameters.values).0
            assertClose(state.values, (0 ..< b).flatMap { out.row($0 * steps + t) }, rtol: 1e-12, atol: 1e-13,
                        label: "cell step \(t)")
        }
    }

    func testGRUGradients() {
        let (gru, initial) = makeGRU(seed: 43)
        var parameters = initial
        let x = randomMatrixD(rows: b * steps, columns: d, seed: 44)
        let h0 = randomMatrixD(rows: b, columns: h, seed: 45)
        let r = randomValues(b * steps * h, seed: 46)
        let (_, cache) = gru.forward(x, initialState: h0, parameters: parameters.values)
        let (dX, dH0) = gru.backward(Matrix(rows: b * steps, columns: h, values: r), cache,
                                     parameters: parameters.values, into: &parameters.grads)
        let values = parameters.values
        assertGradient(parameters.grads, at: values, label: "GRU dθ") { theta in
            probe(gru.forward(x, initialState: h0, parameters: theta).0.values, r)
        }
        assertGradient(dX.values, at: x.values, label: "GRU dX") { xv in
            probe(gru.forward(Matrix(rows: self.b * self.steps, columns: self.d, values: xv), initialState: h0,
                              parameters: values).0.values, r)
        }
        assertGradient(dH0.values, at: h0.values, label: "GRU dh0") { hv in
            probe(gru.forward(x, initialState: Matrix(rows: self.b, columns: self.h, values: hv),
                              parameters: values).0.values, r)
        }
    }

    /// Decoder use: Embedding → GRU → Linear → weighted CE per step; weight 0 on steps after a path's end.
    func testDecoderChainGradientWithStepWeights() {
        var layout = ParameterLayout()
        let embedding = Embedding("e", vocabularySize: 6, embeddingSize: d, layout: &layout)
        let gru = GRU("g", inputSize: d, hiddenSize: h, layout: &layout)
        let out = Linear("o", inputSize: h, outputSize: 6, layout: &layout)
        var parameters = makeParameters(layout, seed: 47) {
            embedding.initialize(&$0, rng: &$1); gru.initialize(&$0, rng: &$1); out.initialize(&$0, rng: &$1)
        }
        let inputs = [0, 3, 2, 0, 5, 1], targets = [3, 2, 4, 5, 1, 1]
        let weights: [Double] = [1, 1, 1, 1, 1, 0]
        let h0 = Matrix<Double>(rows: b, columns: h)
        func loss(_ theta: [Double]) -> Double {
            let x = embedding.forward(inputs, parameters: theta).0
            let z = out.forward(gru.forward(x, initialState: h0, parameters: theta).0, parameters: theta).0
            return SoftmaxCrossEntropy.forward(z, targets: targets, weights: weights, reduction: .sum).0
        }
        let values = parameters.values
        let (x, xCache) = embedding.forward(inputs, parameters: values)
        let (states, gCache) = gru.forward(x, initialState: h0, parameters: values)
        let (z, oCache) = out.forward(states, parameters: values)
        let (_, lCache) = SoftmaxCrossEntropy.forward(z, targets: targets, weights: weights, reduction: .sum)
        let dStates = out.backward(SoftmaxCrossEntropy.backward(1, lCache), oCache, parameters: values,
                                   into: &parameters.grads)
        let (dX, _) = gru.backward(dStates, gCache, parameters: values, into: &parameters.grads)
        embedding.backward(dX, xCache, into: &parameters.grads)
        assertGradient(parameters.grads, at: values, label: "decoder chain dθ", loss)
    }
}
