import LinearAlgebra
import NeuralNets
import TestSupport
import XCTest

/// The LSTM and bi-LSTM over padded variable-length batches: against a naive per-sample, per-step loop, and
/// finite-difference checks with masking (lengths [3, 1, 2], T = 3).
final class LSTMTests: XCTestCase {
    let lengths = [3, 1, 2]
    let (steps, d, h) = (3, 4, 5)

    /// The equations of `LSTM`, one sample and one step at a time, no GEMM, no batching over time:
    /// real steps only, in the direction's order, from a zero state.
    func naiveLSTM(_ lstm: LSTM, _ x: Matrix<Double>, lengths: [Int], parameters: Parameters<Double>) -> [Double] {
        let (d, h) = (lstm.inputSize, lstm.hiddenSize), steps = x.rows / lengths.count
        let wx = parameters.value(lstm.inputWeight), wh = parameters.value(lstm.recurrentWeight)
        let bias = parameters.value(lstm.bias)
        var out = [Double](repeating: 0, count: x.rows * h)
        for (sample, length) in lengths.enumerated() {
            var hidden = [Double](repeating: 0, count: h), cell = [Double](repeating: 0, count: h)
            let order = lstm.reversed ? Array((0 ..< length).reversed()) : Array(0 ..< length)
            for t in order {
                let row = sample * steps + t
                var a = [Double](repeating: 0, count: 4 * h)
                for k in 0 ..< 4 * h {
                    a[k] = bias[0, k]
                    for i in 0 ..< d { a[k] += x[row, i] * wx[i, k] }
                    for j in 0 ..< h { a[k] += hidden[j] * wh[j, k] }
                }
                for j in 0 ..< h {
                    let i = 1 / (1 + exp(-a[j])), f = 1 / (1 + exp(-a[h + j]))
                    let g = Foundation.tanh(a[2 * h + j]), o = 1 / (1 + exp(-a[3 * h + j]))
                    cell[j] = f * cell[j] + i * g
                    hidden[j] = o * Foundation.tanh(cell[j])
                }
                for j in 0 ..< h { out[row * h + j] = hidden[j] }
            }
        }
        return out
    }

    func testForwardMatchesNaivePerStepLoop() {
        for reversed in [false, true] {
            var layout = ParameterLayout()
            let lstm = LSTM("l", inputSize: 5, hiddenSize: 6, reversed: reversed, layout: &layout)
            let parameters = makeParameters(layout, seed: 20) { lstm.initialize(&$0, rng: &$1) }
            let lengths = [7, 3, 5, 1]
            let x = randomMatrixD(rows: 4 * 7, columns: 5, seed: 21)
            let (fast, _) = lstm.forward(x, lengths: lengths, parameters: parameters.values)
            assertClose(fast.values, naiveLSTM(lstm, x, lengths: lengths, parameters: parameters),
                        rtol: 1e-12, atol: 1e-13, label: "LSTM reversed=\(reversed)")
        }
    }

    func testFloatForwardMatchesDouble() {
        var layout = ParameterLayout()
        let lstm = LSTM("l", inputSize: d, hiddenSize: h, layout: &layout)
        let p = makeParameters(layout, seed: 22) { lstm.initialize(&$0, rng: &$1) }
        let x = randomMatrixD(rows: 9, columns: d, seed: 23)
        let (hd, _) = lstm.forward(x, lengths: lengths, parameters: p.values)
        let (hf, _) = lstm.forward(Matrix(rows: 9, columns: d, values: x.values.map(Float.init)), lengths: lengths,
                                   parameters: p.values.map(Float.init))
        assertClose(hf.values, hd.values.map(Float.init), rtol: 1e-4, atol: 1e-5, label: "Float vs Double")
    }

    /// H = 19: two full eight-lane groups of `GateLanes` plus a tail of 3, against Double (libm), and the cache-free
    /// inference pass against the training forward.
    func testFloatEightLanePathMatchesDoubleAndInference() {
        var layout = ParameterLayout()
        let wide = 19
        let lstm = LSTM("l", inputSize: d, hiddenSize: wide, layout: &layout)
        let p = makeParameters(layout, seed: 24) { lstm.initialize(&$0, rng: &$1) }
        let x = randomMatrixD(rows: 9, columns: d, seed: 25)
        let (hd, _) = lstm.forward(x, lengths: lengths, parameters: p.values)
        let xf = Matrix(rows: 9, columns: d, values: x.values.map(Float.init))
        let pf = p.values.map(Float.init)
        let (hf, _) = lstm.forward(xf, lengths: lengths, parameters: pf)
        assertClose(hf.values, hd.values.map(Float.init), rtol: 1e-4, atol: 1e-5, label: "Float lanes vs Double")
        let hi = lstm.forwardInference(xf, lengths: lengths, parameters: pf)
        assertClose(hi.values, hf.values, rtol: 1e-6, atol: 1e-7, label: "inference vs training forward")
    }

    func testLSTMGradientsWithMasking() {
        for reversed in [false, true] {
            var layout = ParameterLayout()
            let lstm = LSTM("l", inputSize: d, hiddenSize: h, reversed: reversed, layout: &layout)
            var parameters = makeParameters(layout, seed: 24) { lstm.initialize(&$0, rng: &$1) }
            let x = randomMatrixD(rows: 3 * steps, columns: d, seed: 25)
            let r = randomValues(3 * steps * h, seed: 26)
            let (out, cache) = lstm.forward(x, lengths: lengths, parameters: parameters.values)
            for row in [4, 5, 8] { XCTAssertEqual(out.row(row), [Double](repeating: 0, count: h), "padded output") }
            let dX = lstm.backward(Matrix(rows: 9, columns: h, values: r), cache, parameters: parameters.values,
                                   into: &parameters.grads)
            for row in [4, 5, 8] { XCTAssertEqual(dX.row(row), [Double](repeating: 0, count: d), "padded dX") }
            let values = parameters.values
            assertGradient(parameters.grads, at: values, label: "LSTM reversed=\(reversed) dθ") { theta in
                probe(lstm.forward(x, lengths: self.lengths, parameters: theta).0.values, r)
            }
            assertGradient(dX.values, at: x.values, label: "LSTM reversed=\(reversed) dX") { xv in
                probe(lstm.forward(Matrix(rows: 9, columns: self.d, values: xv), lengths: self.lengths,
                                   parameters: values).0.values, r)
            }
        }
    }

    func testBiLSTMGradientsWithMasking() {
        var layout = ParameterLayout()
        let bi = BiLSTM("bi", inputSize: d, hiddenSize: h, layout: &layout)
        var parameters = makeParameters(layout, seed: 27) { bi.initialize(&$0, rng: &$1) }
        let x = randomMatrixD(rows: 3 * steps, columns: d, seed: 28)
        let r = randomValues(3 * steps * 2 * h, seed: 29)
        let (out, cache) = bi.forward(x, lengths: lengths, parameters: parameters.values)
        XCTAssertEqual(out.columns, 2 * h)
        let dX = bi.backward(Matrix(rows: 9, columns: 2 * h, values: r), cache, parameters: parameters.values,
                             into: &parameters.grads)
        let values = parameters.values
        assertGradient(parameters.grads, at: values, label: "BiLSTM dθ") { theta in
            probe(bi.forward(x, lengths: self.lengths, parameters: theta).0.values, r)
        }
        assertGradient(dX.values, at: x.values, label: "BiLSTM dX") { xv in
            probe(bi.forward(Matrix(rows: 9, columns: self.d, values: xv), lengths: self.lengths,
                             parameters: values).0.values, r)
        }
    }

    /// Padded steps neither change any output nor the state: garbage in the padded rows of X changes nothing,
    /// and each sequence alone (T = its length) gives exactly its rows of the padded batch, so the reversed
    /// direction starts at each sequence's own last real token.
    func testPaddingIsInvisible() {
        var layout = ParameterLayout()
        let bi = BiLSTM("bi", inputSize: d, hiddenSize: h, layout: &layout)
        let parameters = makeParameters(layout, seed: 30) { bi.initialize(&$0, rng: &$1) }
        let x = randomMatrixD(rows: 3 * steps, columns: d, seed: 31)
        let (out, _) = bi.forward(x, lengths: lengths, parameters: parameters.values)
        var garbage = x
        for row in [4, 5, 8] { for j in 0 ..< d { garbage[row, j] = 100 + Double(j) } }
        let (outGarbage, _) = bi.forward(garbage, lengths: lengths, parameters: parameters.values)
        XCTAssertEqual(out.values, outGarbage.values)
        for (sample, length) in lengths.enumerated() {
            let alone = x.rows(sample * steps ..< sample * steps + length)
            let (single, _) = bi.forward(alone, lengths: [length], parameters: parameters.values)
            assertClose(single.values, out.rows(sample * steps ..< sample * steps + length).values,
                        rtol: 1e-12, atol: 1e-14, label: "sequence \(sample) alone")
        }
    }
}
