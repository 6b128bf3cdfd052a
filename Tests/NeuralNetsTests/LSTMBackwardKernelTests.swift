import Core
import LinearAlgebra
@testable import NeuralNets
import TestSupport
import XCTest

/// `WideKernels.lstmBackwardRows` (the LSTM backward gate loop in C, lstm_backward.c, issue 18) on EVERY ISA
/// level this CPU supports, bit for bit against the Swift loop `LSTM.gateGradientsLoop` it replaces for Float,
/// on step t = 1 of a (B, T = 3, ·) layout (strided rows, one padded row) for widths around 4, 8 and 16 lanes;
/// and the twin against the formulas evaluated by hand in Double; then the whole Float backward (which runs the
/// kernel) against the Double one (the Swift loop, checked by finite differences in `LSTMTests`).
final class LSTMBackwardKernelTests: XCTestCase {
    func testEveryLevelMatchesTheSwiftLoopBitForBit() {
        let (steps, t) = (3, 1)
        let lengths = [3, 1, 2]  // sample 1 is padded at t = 1
        let b = lengths.count
        for h in [1, 3, 4, 7, 8, 9, 15, 16, 17, 33, 128] {
            var layout = ParameterLayout()
            let lstm = LSTM("l", inputSize: 2, hiddenSize: h, layout: &layout)
            let g = 4 * h, n = b * steps
            var rng = SeededRandom(seed: UInt64(h))
            func values(_ count: Int, _ lo: Double, _ hi: Double) -> [Float] { (0 ..< count).map { _ in Float(rng.uniform(lo, hi)) } }
            let gates = values(n * g, 0, 1), tanhC = values(n * h, -1, 1), cIn = values(n * h, -2, 2)
            let dH = values(n * h, -2, 2), dhRec = values(b * h, -1, 1), dcRec0 = values(b * h, -1, 1)
            var twinDc = dcRec0, twinDA = [Float](repeating: .nan, count: n * g)
            gates.withUnsafeBufferPointer { pg in tanhC.withUnsafeBufferPointer { ptc in
            cIn.withUnsafeBufferPointer { pc in dH.withUnsafeBufferPointer { pdH in dhRec.withUnsafeBufferPointer { pdh in
            twinDc.withUnsafeMutableBufferPointer { pdc in twinDA.withUnsafeMutableBufferPointer { pda in
                lstm.gateGradientsLoop(step: t, lengths: lengths, steps: steps, gates: pg.baseAddress!,
                                       tanhCell: ptc.baseAddress!, cellIn: pc.baseAddress!, dH: pdH.baseAddress!,
                                       dhRec: pdh.baseAddress!, dcRec: pdc.baseAddress!, dA: pda.baseAddress!)
            } } } } } } }
            // By hand, Double, for the last column of sample 2 (row 2·T + t).
            let row = 2 * steps + t, j = h - 1
            let i = Double(gates[row * g + j]), f = Double(gates[row * g + h + j])
            let gg = Double(gates[row * g + 2 * h + j]), o = Double(gates[row * g + 3 * h + j])
            let tc = Double(tanhC[row * h + j])
            let dh = Double(dH[row * h + j]) + Double(dhRec[2 * h + j])
            let dc = Double(dcRec0[2 * h + j]) + dh * o * (1 - tc * tc)
            XCTAssertEqual(Double(twinDA[row * g + j]), dc * gg * i * (1 - i), accuracy: 1e-5)
            XCTAssertEqual(Double(twinDA[row * g + h + j]), dc * Double(cIn[row * h + j]) * f * (1 - f), accuracy: 1e-5)
            XCTAssertEqual(Double(twinDA[row * g + 2 * h + j]), dc * i * (1 - gg * gg), accuracy: 1e-5)
            XCTAssertEqual(Double(twinDA[row * g + 3 * h + j]), dh * tc * o * (1 - o), accuracy: 1e-5)
            XCTAssertEqual(Double(twinDc[2 * h + j]), dc * f, accuracy: 1e-5)
            // The padded row: zero da and zero dc flowing on.
            XCTAssertEqual(Array(twinDA[(steps + t) * g ..< (steps + t + 1) * g]), [Float](repeating: 0, count: g))
            XCTAssertEqual(Array(twinDc[h ..< 2 * h]), [Float](repeating: 0, count: h))
            // The kernel reads and writes raw buffers: copies that live for the whole comparison.
            let buffers = KernelBuffers()
            defer { withExtendedLifetime(buffers) {} }
            let buffer = buffers.copy
            let (pg, ptc, pc, pdH, pdh) = (buffer(gates), buffer(tanhC), buffer(cIn), buffer(dH), buffer(dhRec))
            for isa in KernelISA.supported {
                let pdc = buffer(dcRec0), pda = buffer(twinDA.map { _ in .nan })
                lengths.withUnsafeBufferPointer { pl in
                    WideKernels.lstmBackwardRows(rows: b, h: h, step: t, lengths: pl.baseAddress!, gates: pg + t * g,
                                                 gatesLD: steps * g, tanhCell: ptc + t * h, cellIn: pc + t * h,
                                                 dH: pdH + t * h, stateLD: steps * h, dhRec: pdh, dcRec: pdc,
                                                 da: pda + t * g, daLD: steps * g, isa: isa)
                }
                // Rows of other steps stay untouched (NaN) in both.
                let dc = Array(UnsafeBufferPointer(start: pdc, count: b * h))
                let da = Array(UnsafeBufferPointer(start: pda, count: n * g))
                XCTAssertEqual(dc.map(\.bitPattern), twinDc.map(\.bitPattern), "\(isa), H = \(h): dc")
                XCTAssertEqual(da.map(\.bitPattern), twinDA.map(\.bitPattern), "\(isa), H = \(h): da")
            }
        }
    }

    /// Float `LSTM.backward` (the C kernel on the active level) against Double (the Swift loop) on both
    /// directions, H = 19 (lanes plus a tail), lengths [3, 1, 2]: weight gradients and dX agree to Float rounding.
    func testFloatBackwardMatchesDouble() {
        let lengths = [3, 1, 2], (steps, d, h) = (3, 4, 19)
        for reversed in [false, true] {
            var layout = ParameterLayout()
            let lstm = LSTM("l", inputSize: d, hiddenSize: h, reversed: reversed, layout: &layout)
            var pd = makeParameters(layout, seed: 90) { lstm.initialize(&$0, rng: &$1) }
            var pf = Parameters<Float>(layout: layout)
            pf.values = pd.values.map(Float.init)
            let x = randomMatrixD(rows: 3 * steps, columns: d, seed: 91)
            let r = randomValues(3 * steps * h, seed: 92)
            let (_, cd) = lstm.forward(x, lengths: lengths, parameters: pd.values)
            let dXd = lstm.backward(Matrix(rows: 9, columns: h, values: r), cd, parameters: pd.values, into: &pd.grads)
            let xf = Matrix(rows: 9, columns: d, values: x.values.map(Float.init))
            let (_, cf) = lstm.forward(xf, lengths: lengths, parameters: pf.values)
            let dXf = lstm.backward(Matrix(rows: 9, columns: h, values: r.map(Float.init)), cf, parameters: pf.values,
                                    into: &pf.grads)
            assertClose(pf.grads, pd.grads.map(Float.init), rtol: 1e-4, atol: 1e-5, label: "dθ reversed=\(reversed)")
            assertClose(dXf.values, dXd.values.map(Float.init), rtol: 1e-4, atol: 1e-5, label: "dX reversed=\(reversed)")
            XCTAssertGreaterThan(pf.grads.map(abs).max() ?? 0, 0.01, "a non-trivial gradient")
        }
    }
}
