import Core
@testable import Features
import LinearAlgebra
import XCTest

/// The ORH histogram binning in C (`WideKernels.orientationHistograms`, orh.c, issue 18) on EVERY ISA level this
/// CPU supports, bit for bit against its Swift twin `OrientationHistogram.describeLanes`, and close to the naive
/// Double descriptor. Patch sizes 16 and 24 give runs of different lengths (cells of 4 and 6 pixels).
final class ORHKernelTests: XCTestCase {
    func testEveryLevelMatchesTheSwiftLanesBitForBit() throws {
        var rng = SeededRandom(seed: 12)
        let (width, height) = (71, 53)
        // A ramp plus noise: every orientation bin and the ±π wrap occur; a flat square gives zero descriptors.
        var gray = (0 ..< width * height).map { i in Float(i % width) * 0.01 + Float(rng.uniform(0, 0.3)) }
        for y in 0 ..< 20 { for x in 0 ..< 20 { gray[y * width + x] = 0.5 } }
        let gradients = OrientationHistogram.Gradients(gray: gray, width: width, height: height)
        for (patch, step) in [(16, 5), (24, 7)] {
            let grid = try DenseGrid(patchSize: patch, step: step, scales: 1)
            let level = grid.levels(width: width, height: height)[0]
            let tables = OrientationHistogram.PatchTables(patchSize: patch)
            let n = level.count * OrientationHistogram.dimension
            var twin = [Float](repeating: .nan, count: n)
            OrientationHistogram.describeLanes(gradients, level: level, tables: tables, into: &twin)
            XCTAssertTrue(twin.contains { $0 > 0 } && twin.allSatisfy(\.isFinite), "P = \(patch)")
            for isa in KernelISA.supported {
                var out = [Float](repeating: .nan, count: n)
                OrientationHistogram.describe(gradients, level: level, tables: tables, into: &out, isa: isa)
                XCTAssertEqual(out.map(\.bitPattern), twin.map(\.bitPattern), "\(isa), P = \(patch)")
            }
            // Against the per-patch Double reference (the twin's own accuracy, as DenseExtractorTests state it).
            let kx = level.columns - 1, ky = level.rows / 2
            let naive = OrientationHistogram.naiveDescriptor(gray: gray, width: width, height: height,
                                                             x0: level.originX(kx), y0: level.originY(ky), patchSize: patch)
            let start = (ky * level.columns + kx) * OrientationHistogram.dimension
            for (a, b) in zip(twin[start ..< start + OrientationHistogram.dimension], naive) {
                XCTAssertEqual(Double(a), Double(b), accuracy: 1e-5, "P = \(patch), patch (\(kx), \(ky))")
            }
        }
    }
}
