import Bench
import Features
import TestSupport
import XCTest

/// The fast ORH path (per-scale gradient planes, per-geometry tables, SIMD row accumulation) against the per-patch
/// naive twin, at every scale, on every patch.
final class FastVersusNaiveTests: XCTestCase {
    private func check(_ image: ImagePlanes, grid: DenseGrid, file: StaticString = #filePath, line: UInt = #line) throws {
        let set = try DenseExtractor(grid: grid, kinds: .orientationHistogram).extract(image)
        XCTAssertTrue(set.col.isEmpty)
        var n = 0
        var maxDiff: Float = 0
        for level in grid.levels(width: image.width, height: image.height) where level.count > 0 {
            let scaled = AreaRescale.rescale(image, width: level.width, height: level.height)
            for ky in 0 ..< level.rows {
                for kx in 0 ..< level.columns {
                    let naive = OrientationHistogram.naiveDescriptor(
                        gray: scaled.gray, width: level.width, height: level.height,
                        x0: level.originX(kx), y0: level.originY(ky), patchSize: grid.patchSize)
                    let fast = Array(set.orh(n))
                    for i in 0 ..< 128 { maxDiff = max(maxDiff, abs(fast[i] - naive[i])) }
                    assertClose(fast, naive, rtol: 0, atol: 1e-5, label: "scale \(level.scale) patch (\(kx), \(ky))",
                                file: file, line: line)
                    n += 1
                }
            }
        }
        XCTAssertEqual(n, set.count, file: file, line: line)
        print("fast vs naive ORH: \(n) descriptors, maxdiff = \(maxDiff)")
    }

    func testSmallGeometryTwoScales() throws {
        try check(TestImages.texture(width: 64, height: 56, seed: 21), grid: try DenseGrid(patchSize: 16, step: 8, scales: 2))
    }

    func testPaperGeometryThreeScales() throws {
        let image = DenseExtractor.benchmarkImage(width: 110, height: 90, seed: 3)
        try check(image, grid: try DenseGrid(patchSize: 32, step: 16, scales: 3))
    }

    func testFashionMNISTGeometry() throws {
        try check(TestImages.texture(width: 28, height: 28, seed: 22), grid: try DenseGrid(patchSize: 12, step: 4, scales: 2))
    }

    /// Patches touching the image border use one-sided differences there.
    func testPatchesAtTheImageBorder() throws {
        try check(TestImages.texture(width: 20, height: 20, seed: 23), grid: try DenseGrid(patchSize: 20, step: 4, scales: 1))
    }
}
