import Core
import LinearAlgebra
@testable import NeuralNets
import TestSupport
import XCTest

/// `WideKernels.gruBackwardRows` (the GRU backward gate loop in C, gru_backward.c, issue 18) on EVERY ISA level
/// this CPU supports, bit for bit against the Swift loop `GRU.gateGradientsLoop` it replaces for Float, on step
/// t = 1 of a (B, T = 3, ·) layout (strided rows) for widths around 4, 8 and 16 lanes; and against the formulas
/// evaluated by hand in Double. The Float GRU's gradient checks (`GRUKernelTests`, `GRUTests`) run it end to end.
final class GRUBackwardKernelTests: XCTestCase {
    func testEveryLevelMatchesTheSwiftLoopBitForBit() {
        let (b, steps, t) = (3, 3, 1)
        for h in [1, 3, 4, 7, 8, 9, 15, 16, 17, 33, 256] {
            var layout = ParameterLayout()
            let gru = GRU("g", inputSize: 2, hiddenSize: h, layout: &layout)
            let g = 3 * h, n = b * steps
            var rng = SeededRandom(seed: UInt64(h))
            func values(_ count: Int, _ lo: Double, _ hi: Double) -> [Float] { (0 ..< count).map { _ in Float(rng.uniform(lo, hi)) } }
            let gates = values(n * g, 0, 1), han = values(n * h, -3, 3), hIn = values(n * h, -1, 1), dH = values(n * h, -2, 2)
            let rec0 = values(b * h, -1, 1)
            var twinRec = rec0, twinDxa = [Float](repeating: .nan, count: n * g), twinDha = twinDxa
            gru.gateGradientsLoop(step: t, b: b, steps: steps, gates: gates, han: han, hIn: hIn, dH: dH, rec: &twinRec,
                                  dxa: &twinDxa, dha: &twinDha)
            // By hand, Double, for the last column of sample 2 (row 2·T + t).
            let row = 2 * steps + t, j = h - 1
            let r = Double(gates[row * g + j]), z = Double(gates[row * g + h + j]), nn = Double(gates[row * g + 2 * h + j])
            let dh = Double(dH[row * h + j]) + Double(rec0[2 * h + j])
            let dan = dh * (1 - z) * (1 - nn * nn)
            XCTAssertEqual(Double(twinDxa[row * g + j]), dan * Double(han[row * h + j]) * r * (1 - r), accuracy: 1e-5)
            XCTAssertEqual(Double(twinDxa[row * g + h + j]), dh * (Double(hIn[row * h + j]) - nn) * z * (1 - z), accuracy: 1e-5)
            XCTAssertEqual(Double(twinDha[row * g + 2 * h + j]), dan * r, accuracy: 1e-5)
            XCTAssertEqual(Double(twinRec[2 * h + j]), dh * z, accuracy: 1e-5)
            // The kernel reads and writes raw buffers: copies that live for the whole comparison.
            let buffers = KernelBuffers()
            defer { withExtendedLifetime(buffers) {} }
            let buffer = buffers.copy
            let (pg, pHan, pHIn, pdH) = (buffer(gates), buffer(han), buffer(hIn), buffer(dH))
            for isa in KernelISA.supported {
                let pRec = buffer(rec0), pDxa = buffer(twinDxa.map { _ in .nan }), pDha = buffer(twinDha.map { _ in .nan })
                WideKernels.gruBackwardRows(rows: b, h: h, gates: pg + t * g, gatesLD: steps * g, hPrev: pHIn + t * h,
                                            hPrevLD: steps * h, dH: pdH + t * h, dHLD: steps * h, haN: pHan + t * h,
                                            haNLD: steps * h, rec: pRec, recLD: h, dxa: pDxa + t * g, dxaLD: steps * g,
                                            dha: pDha + t * g, dhaLD: steps * g, isa: isa)
                let rec = Array(UnsafeBufferPointer(start: pRec, count: b * h))
                let dxa = Array(UnsafeBufferPointer(start: pDxa, count: n * g))
                let dha = Array(UnsafeBufferPointer(start: pDha, count: n * g))
                XCTAssertEqual(rec.map(\.bitPattern), twinRec.map(\.bitPattern), "\(isa), H = \(h): rec")
                XCTAssertEqual(dxa.map(\.bitPattern), twinDxa.map(\.bitPattern), "\(isa), H = \(h): d(xa)")
                XCTAssertEqual(dha.map(\.bitPattern), twinDha.map(\.bitPattern), "\(isa), H = \(h): d(ha)")
            }
        }
    }
}
