import Core
import Foundation
import LinearAlgebra
@testable import NeuralNets
import TestSupport
import XCTest

/// `WideKernels.lstmRow` on EVERY ISA level this CPU supports (`KernelISA.supported`), against the naive twin (the
/// LSTM cell equations in Double, libm), bit for bit against the baseline level and against the Swift
/// `GateLanes.lstmRow`, in place, and sharded over 1/2/3 ranks; and the `TRIBUTARY_ISA` resolution rules.
final class WideKernelsTests: XCTestCase {
    /// Widths around the block sizes: below 8, one 8 block, one 16 block, 16 + 8, 16 + 8 + tail, H = 128 (W7).
    let widths = [1, 3, 7, 8, 9, 15, 16, 17, 24, 29, 37, 128]

    /// Pre-activations of a row (4H) and c_prev (H): mostly in (−6, 6), plus the tails the clamp must handle
    /// (±100, ±88.5, ±87.5 and 0) at fixed columns.
    func row(_ h: Int, seed: UInt64) -> (gates: [Float], cellIn: [Float]) {
        var rng = SeededRandom(seed: seed)
        var gates = (0 ..< 4 * h).map { _ in Float(rng.uniform(-6, 6)) }
        let extremes: [Float] = [100, -100, 88.5, -88.5, 87.5, -87.5, 0, -0.0]
        for (k, e) in extremes.enumerated() where 5 * k < 4 * h { gates[5 * k] = e }
        let cellIn = (0 ..< h).map { _ in Float(rng.uniform(-2, 2)) }
        return (gates, cellIn)
    }

    /// Runs `body` (the kernel) on copies and returns (activations 4H, c, tanh c, h).
    func apply(_ gates: [Float], _ cellIn: [Float],
               _ body: (UnsafeMutablePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>,
                        UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) -> Void)
        -> [[Float]] {
        let h = cellIn.count
        var (a, c, tc, hid) = (gates, [Float](repeating: .nan, count: h), [Float](repeating: .nan, count: h),
                               [Float](repeating: .nan, count: h))
        a.withUnsafeMutableBufferPointer { pa in cellIn.withUnsafeBufferPointer { pin in
            c.withUnsafeMutableBufferPointer { pc in tc.withUnsafeMutableBufferPointer { ptc in
                hid.withUnsafeMutableBufferPointer { ph in
                    body(pa.baseAddress!, pin.baseAddress!, pc.baseAddress!, ptc.baseAddress!, ph.baseAddress!)
                } } } } }
        return [a, c, tc, hid]
    }

    /// The naive twin: the cell equations in Double with libm's exp and tanh.
    func naive(_ gates: [Float], _ cellIn: [Float]) -> [[Double]] {
        let h = cellIn.count
        func sigma(_ x: Float) -> Double { 1 / (1 + Foundation.exp(-Double(x))) }
        var act = [Double](repeating: 0, count: 4 * h), c = act[0 ..< h].map { $0 }, tc = c, hid = c
        for j in 0 ..< h {
            act[j] = sigma(gates[j]); act[h + j] = sigma(gates[h + j])
            act[2 * h + j] = Foundation.tanh(Double(gates[2 * h + j])); act[3 * h + j] = sigma(gates[3 * h + j])
            c[j] = act[h + j] * Double(cellIn[j]) + act[j] * act[2 * h + j]
            tc[j] = Foundation.tanh(c[j]); hid[j] = act[3 * h + j] * tc[j]
        }
        return [act, c, tc, hid]
    }

    func testEveryLevelMatchesTheNaiveTwinAndTheOthersBitForBit() {
        let levels = KernelISA.supported
        XCTAssertEqual(levels.first, .baseline)
        XCTAssertTrue(levels.contains(KernelISA.active))
        for h in widths {
            let (gates, cellIn) = row(h, seed: UInt64(100 + h))
            let expected = naive(gates, cellIn)
            let swiftTwin = apply(gates, cellIn) { GateLanes.lstmRow(gates: $0, cellIn: $1, cell: $2, tanhCell: $3, hidden: $4, h: h) }
            for isa in levels {
                let got = apply(gates, cellIn) {
                    WideKernels.lstmRow(gates: $0, cellIn: $1, cell: $2, tanhCell: $3, hidden: $4, h: h, isa: isa)
                }
                for (k, name) in ["i f g o", "c", "tanh c", "h"].enumerated() {
                    // σ, tanh: |error| ≲ 3e-7 (GateLanes); c and h add a few roundings on |c| < 3.
                    let worst = zip(got[k], expected[k]).map { abs(Double($0) - $1) }.max()!
                    XCTAssertLessThan(worst, 2e-6, "\(isa) H=\(h) \(name) vs the naive twin")
                    XCTAssertEqual(got[k].map(\.bitPattern), swiftTwin[k].map(\.bitPattern),
                                   "\(isa) H=\(h) \(name) vs GateLanes.lstmRow, bit for bit")
                }
                // The tails saturate, never NaN: σ(100) = 1 exactly; σ(−100) is tiny but ≥ 0 (1/(1 + e^87.3) in the
                // lanes, e^−100/(1 + e^−100) in the scalar tail).
                if h >= 2 {
                    XCTAssertEqual(got[0][0], 1, "\(isa) σ(100)")
                    XCTAssertTrue(got[0][5] >= 0 && got[0][5] < 1e-37, "\(isa) σ(−100) = \(got[0][5])")
                }
                XCTAssertFalse(got.joined().contains { $0.isNaN }, "\(isa) H=\(h) NaN")
            }
        }
    }

    /// c_prev may be the c buffer (`forwardInference` updates its state in place).
    func testInPlaceCellMatchesSeparateBuffers() {
        let h = 29
        let (gates, cellIn) = row(h, seed: 7)
        for isa in KernelISA.supported {
            let separate = apply(gates, cellIn) {
                WideKernels.lstmRow(gates: $0, cellIn: $1, cell: $2, tanhCell: $3, hidden: $4, h: h, isa: isa)
            }
            let inPlace = apply(gates, cellIn) { a, _, c, tc, hid in
                for j in 0 ..< h { c[j] = cellIn[j] }
                WideKernels.lstmRow(gates: a, cellIn: c, cell: c, tanhCell: tc, hidden: hid, h: h, isa: isa)
            }
            XCTAssertEqual(inPlace.map { $0.map(\.bitPattern) }, separate.map { $0.map(\.bitPattern) }, "\(isa)")
        }
    }

    /// The Float LSTM forward (which runs the active level) over a batch of 6 rows split over 1, 2 and 3 ranks:
    /// each rank's rows are bit-identical to the one-rank result.
    func testLSTMForwardIsBitIdenticalAcrossRankCounts() throws {
        var layout = ParameterLayout()
        let (b, steps, d, h) = (6, 4, 5, 37)
        let lstm = LSTM("l", inputSize: d, hiddenSize: h, layout: &layout)
        var rng = SeededRandom(seed: 3)
        let theta = (0 ..< layout.count).map { _ in Float(rng.uniform(-0.8, 0.8)) }
        let x = (0 ..< b * steps * d).map { _ in Float(rng.uniform(-2, 2)) }
        let lengths = [4, 1, 3, 4, 2, 4]
        // Rows are (B, T, ·): sample s holds rows s·T ..< (s+1)·T, in and out.
        @Sendable func forward(_ samples: [Int]) -> [Float] {
            let values = samples.flatMap { x[($0 * steps * d) ..< (($0 + 1) * steps * d)] }
            return lstm.forward(Matrix(rows: samples.count * steps, columns: d, values: values),
                                lengths: samples.map { lengths[$0] }, parameters: theta).0.values
        }
        let whole = forward(Array(0 ..< b))
        for size in 1 ... 3 {
            let gathered = try ThreadedWorld.run(size: size) { comm in
                let mine = Array(stride(from: comm.rank, to: b, by: comm.size))
                return (mine, forward(mine))
            }
            for (samples, rows) in gathered {
                for (k, s) in samples.enumerated() {
                    let got = rows[(k * steps * h) ..< ((k + 1) * steps * h)].map(\.bitPattern)
                    let want = whole[(s * steps * h) ..< ((s + 1) * steps * h)].map(\.bitPattern)
                    XCTAssertEqual(got, want, "\(size) rank(s), sample \(s)")
                }
            }
        }
    }

    func testLevelResolution() throws {
        XCTAssertEqual(try KernelISA.resolve(nil), KernelISA.supported.last)
        XCTAssertEqual(try KernelISA.resolve(""), KernelISA.supported.last)
        XCTAssertEqual(try KernelISA.resolve("BASELINE"), .baseline)
        XCTAssertThrowsError(try KernelISA.resolve("avx1024")) { error in
            XCTAssertEqual(error as? KernelISAError, .unknown("avx1024"))
            XCTAssertTrue("\(error)".contains("TRIBUTARY_ISA=avx1024"), "\(error)")
            XCTAssertTrue("\(error)".contains("set it to one of baseline, avx2, avx512"), "\(error)")
        }
        for isa in KernelISA.allCases {
            if isa.isSupported {
                XCTAssertEqual(try KernelISA.resolve(isa.rawValue), isa)
            } else {
                XCTAssertThrowsError(try KernelISA.resolve(isa.rawValue)) { error in
                    XCTAssertEqual(error as? KernelISAError, .unsupported(isa, supported: KernelISA.supported))
                }
            }
        }
        // The message for a level the CPU lacks names the levels it has.
        let lacking = KernelISAError.unsupported(.avx512, supported: [.baseline, .avx2])
        XCTAssertTrue("\(lacking)".contains("set it to one of baseline, avx2"), "\(lacking)")
    }
}
