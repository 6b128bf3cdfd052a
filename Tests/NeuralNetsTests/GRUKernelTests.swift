import Core
import Foundation
import LinearAlgebra
@testable import NeuralNets
import TestSupport
import XCTest

/// `WideKernels.gruRows` (the GRU gate update fused with the b_h add, C in gru.c) on EVERY ISA level this CPU
/// supports: against a naive Double twin (libm), bit for bit across levels, with strided rows and with/without
/// `hNext`; then the Float GRU forward (which runs it) against the Double forward (libm), its backward on the
/// kernel's cache against the Double backward, and its bits over 1/2/3 ranks.
final class GRUKernelTests: XCTestCase {
    /// Widths around the block sizes (8 and 16 lanes, the scalar tail) and H = 256 (W8).
    let widths = [1, 3, 7, 8, 9, 15, 16, 17, 24, 29, 37, 256]

    /// One step's inputs for `rows` rows of width H, with leading dimensions wider than the rows (as inside
    /// (B, T, ·) tensors): xa, hw in (−4, 4), plus the saturating tails ±100, ±88.5 at fixed columns of xa;
    /// b_h in (−1, 1), h_{t−1} in (−1, 1).
    struct Step {
        let rows: Int, h: Int
        var gates: [Float], hw: [Float], bias: [Float], hPrev: [Float]
        var gatesLD: Int { 3 * h + 5 }
        var hwLD: Int { 3 * h + 2 }
        var stateLD: Int { h + 3 }

        init(rows: Int, h: Int, seed: UInt64) {
            self.rows = rows
            self.h = h
            var rng = SeededRandom(seed: seed)
            gates = (0 ..< rows * (3 * h + 5)).map { _ in Float(rng.uniform(-4, 4)) }
            hw = (0 ..< rows * (3 * h + 2)).map { _ in Float(rng.uniform(-4, 4)) }
            bias = (0 ..< 3 * h).map { _ in Float(rng.uniform(-1, 1)) }
            hPrev = (0 ..< rows * (h + 3)).map { _ in Float(rng.uniform(-1, 1)) }
            for (k, e) in [Float(100), -100, 88.5, -88.5].enumerated() where 4 * k < 3 * h { gates[4 * k] = e }
        }

        /// Runs the kernel on `isa` and returns (r z n per row, ha_n, h_t, h_next) as flat arrays of the used
        /// columns only (padding dropped).
        func run(_ isa: KernelISA, withNext: Bool) -> [[Float]] {
            var (a, han, out, next) = (gates, [Float](repeating: .nan, count: rows * stateLD),
                                       [Float](repeating: .nan, count: rows * stateLD),
                                       [Float](repeating: .nan, count: rows * stateLD))
            a.withUnsafeMutableBufferPointer { pa in han.withUnsafeMutableBufferPointer { phan in
                out.withUnsafeMutableBufferPointer { po in next.withUnsafeMutableBufferPointer { pn in
                    WideKernels.gruRows(
                        rows: rows, h: h, gates: pa.baseAddress!, gatesLD: gatesLD, hw: hw, hwLD: hwLD, biasH: bias,
                        hPrev: hPrev, hPrevLD: stateLD, haN: phan.baseAddress!, haNLD: stateLD,
                        hOut: po.baseAddress!, hOutLD: stateLD, hNext: withNext ? pn.baseAddress! : nil,
                        hNextLD: stateLD, isa: isa)
                } } } }
            func used(_ v: [Float], ld: Int, width: Int) -> [Float] {
                (0 ..< rows).flatMap { v[($0 * ld) ..< ($0 * ld + width)] }
            }
            return [used(a, ld: gatesLD, width: 3 * h), used(han, ld: stateLD, width: h),
                    used(out, ld: stateLD, width: h), used(next, ld: stateLD, width: h)]
        }

        /// The naive twin: the step's equations in Double with libm (r z n, ha_n, h_t).
        func naive() -> [[Double]] {
            var act = [Double](), han = [Double](), out = [Double]()
            func sigma(_ x: Double) -> Double { 1 / (1 + Foundation.exp(-x)) }
            for s in 0 ..< rows {
                let a = gates[(s * gatesLD)...], w = hw[(s * hwLD)...], hp = hPrev[(s * stateLD)...]
                func ha(_ k: Int) -> Double { Double(w[w.startIndex + k]) + Double(bias[k]) }
                func xa(_ k: Int) -> Double { Double(a[a.startIndex + k]) }
                var r = [Double](), z = [Double](), n = [Double]()
                for j in 0 ..< h {
                    r.append(sigma(xa(j) + ha(j)))
                    z.append(sigma(xa(h + j) + ha(h + j)))
                    n.append(Foundation.tanh(xa(2 * h + j) + r[j] * ha(2 * h + j)))
                    han.append(ha(2 * h + j))
                    out.append((1 - z[j]) * n[j] + z[j] * Double(hp[hp.startIndex + j]))
                }
                act += r + z + n
            }
            return [act, han, out]
        }
    }

    func testEveryLevelMatchesTheNaiveTwinAndTheOthersBitForBit() {
        let levels = KernelISA.supported
        XCTAssertEqual(levels.first, .baseline)
        for h in widths {
            let step = Step(rows: 3, h: h, seed: UInt64(500 + h))
            let expected = step.naive()
            let reference = step.run(.baseline, withNext: true)
            for isa in levels {
                let got = step.run(isa, withNext: true)
                for (k, name) in ["r z n", "ha_n", "h_t"].enumerated() {
                    // σ, tanh lanes: |error| ≲ 3e-7; their Float arguments (xa + hw + b_h, |·| < 10, and r·ha_n)
                    // add ≲ 1e-6 of rounding, which σ' ≤ ¼ and tanh' ≤ 1 pass on; h_t mixes two of them.
                    let worst = zip(got[k], expected[k]).map { abs(Double($0) - $1) }.max()!
                    XCTAssertLessThan(worst, 3e-6, "\(isa) H=\(h) \(name) vs the naive twin")
                }
                XCTAssertEqual(got.map { $0.map(\.bitPattern) }, reference.map { $0.map(\.bitPattern) },
                               "\(isa) H=\(h) vs baseline, bit for bit")
                XCTAssertEqual(got[3].map(\.bitPattern), got[2].map(\.bitPattern), "\(isa) H=\(h) h_next = h_t")
                XCTAssertFalse(got.joined().contains { $0.isNaN }, "\(isa) H=\(h) NaN")
                // Saturation, not NaN: r at xa = 100 is exactly 1; at xa = −100 it is ≥ 0 and tiny.
                if h >= 2 {
                    XCTAssertEqual(got[0][0], 1, "\(isa) σ(100 + ha)")
                    XCTAssertTrue(got[0][4] >= 0 && got[0][4] < 1e-30, "\(isa) σ(−100 + ha) = \(got[0][4])")
                }
                // Without h_next the other outputs are unchanged and the h_next buffer is untouched.
                let without = step.run(isa, withNext: false)
                XCTAssertEqual(without[0 ..< 3].map { $0.map(\.bitPattern) }, got[0 ..< 3].map { $0.map(\.bitPattern) })
                XCTAssertTrue(without[3].allSatisfy(\.isNaN), "\(isa) H=\(h) wrote h_next = nil")
            }
        }
    }

    /// A Float GRU and a Double GRU with the same parameters (Float-representable values).
    func pair(b: Int, steps: Int, d: Int, h: Int, seed: UInt64) -> (GRU, [Float], Matrix<Float>, Matrix<Float>) {
        var layout = ParameterLayout()
        let gru = GRU("g", inputSize: d, hiddenSize: h, layout: &layout)
        var rng = SeededRandom(seed: seed)
        let theta = (0 ..< layout.count).map { _ in Float(rng.uniform(-0.6, 0.6)) }
        let x = Matrix(rows: b * steps, columns: d, values: (0 ..< b * steps * d).map { _ in Float(rng.uniform(-2, 2)) })
        let h0 = Matrix(rows: b, columns: h, values: (0 ..< b * h).map { _ in Float(rng.uniform(-1, 1)) })
        return (gru, theta, x, h0)
    }

    func double(_ m: Matrix<Float>) -> Matrix<Double> {
        Matrix(rows: m.rows, columns: m.columns, values: m.values.map(Double.init))
    }

    /// The Float forward (kernel) against the Double forward (libm, b_h copied then GEMM β = 1), and the backward
    /// on each one's cache: the kernel's r z n and ha_n in the cache give the Double gradients to Float accuracy.
    func testFloatForwardAndBackwardMatchDouble() {
        let (b, steps, d, h) = (3, 4, 6, 37)
        let (gru, theta, x, h0) = pair(b: b, steps: steps, d: d, h: h, seed: 21)
        let (outF, cacheF) = gru.forward(x, initialState: h0, parameters: theta)
        let (outD, cacheD) = gru.forward(double(x), initialState: double(h0), parameters: theta.map(Double.init))
        assertClose(outF.values.map(Double.init), outD.values, rtol: 0, atol: 1e-5, label: "h_t Float vs Double")
        var rng = SeededRandom(seed: 22)
        let dH = Matrix(rows: b * steps, columns: h, values: (0 ..< b * steps * h).map { _ in Float(rng.uniform(-1, 1)) })
        var gradsF = [Float](repeating: 0, count: theta.count), gradsD = [Double](repeating: 0, count: theta.count)
        let (dXF, dH0F) = gru.backward(dH, cacheF, parameters: theta, into: &gradsF)
        let (dXD, dH0D) = gru.backward(double(dH), cacheD, parameters: theta.map(Double.init), into: &gradsD)
        assertClose(gradsF.map(Double.init), gradsD, rtol: 0, atol: 1e-4, label: "dθ Float vs Double")
        assertClose(dXF.values.map(Double.init), dXD.values, rtol: 0, atol: 1e-4, label: "dX Float vs Double")
        assertClose(dH0F.values.map(Double.init), dH0D.values, rtol: 0, atol: 1e-4, label: "dh0 Float vs Double")
    }

    /// The Float forward over 6 samples split over 1, 2 and 3 ranks: every rank's rows are bit-identical to
    /// the one-rank result (each row of a step goes through the kernel on its own).
    func testFloatForwardIsBitIdenticalAcrossRankCounts() throws {
        let (b, steps, d, h) = (6, 3, 5, 29)
        let (gru, theta, x, h0) = pair(b: b, steps: steps, d: d, h: h, seed: 31)
        @Sendable func forward(_ samples: [Int]) -> [Float] {
            let xs = samples.flatMap { x.values[($0 * steps * d) ..< (($0 + 1) * steps * d)] }
            let hs = samples.flatMap { h0.values[($0 * h) ..< (($0 + 1) * h)] }
            return gru.forward(Matrix(rows: samples.count * steps, columns: d, values: xs),
                               initialState: Matrix(rows: samples.count, columns: h, values: hs),
                               parameters: theta).0.values
        }
        let whole = forward(Array(0 ..< b))
        for size in 1 ... 3 {
            let gathered = try ThreadedWorld.run(size: size) { comm in
                let mine = Array(stride(from: comm.rank, to: b, by: comm.size))
                return (mine, forward(mine))
            }
            for (samples, rows) in gathered {
                for (k, s) in samples.enumerated() {
                    XCTAssertEqual(rows[(k * steps * h) ..< ((k + 1) * steps * h)].map(\.bitPattern),
                                   whole[(s * steps * h) ..< ((s + 1) * steps * h)].map(\.bitPattern),
                                   "\(size) rank(s), sample \(s)")
                }
            }
        }
    }
}
