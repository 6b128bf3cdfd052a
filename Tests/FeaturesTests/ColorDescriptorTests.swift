import Features
import TestSupport
import XCTest

final class ColorDescriptorTests: XCTestCase {
    /// Layout: per cell (l, k) row-major, [μ_R, μ_G, μ_B, s_R, s_G, s_B].
    private func cell(_ d: ArraySlice<Float>, _ l: Int, _ k: Int) -> [Float] {
        let start = d.startIndex + (l * 4 + k) * 6
        return Array(d[start ..< start + 6])
    }

    func testConstantColourIsExactlyTheColourWithZeroDeviation() throws {
        let image = TestImages.constant(width: 32, height: 32, r: 0.2, g: 0.55, b: 0.9)
        let set = try TestImages.singleScale(patch: 32, step: 16).extract(image)
        XCTAssertEqual(set.count, 1)
        for l in 0 ..< 4 { for k in 0 ..< 4 { XCTAssertEqual(cell(set.col(0), l, k), [0.2, 0.55, 0.9, 0, 0, 0]) } }
    }

    /// Left half red, right half blue: the two left cell columns are (1, 0, 0 | 0, 0, 0), the two right (0, 0, 1 | 0…).
    func testRedLeftBlueRightGivesPerCellMeans() throws {
        let image = halves(width: 32, height: 32, boundary: 16)
        let d = try TestImages.singleScale(patch: 32, step: 16).extract(image).col(0)
        for l in 0 ..< 4 {
            XCTAssertEqual(cell(d, l, 0), [1, 0, 0, 0, 0, 0])
            XCTAssertEqual(cell(d, l, 1), [1, 0, 0, 0, 0, 0])
            XCTAssertEqual(cell(d, l, 2), [0, 0, 1, 0, 0, 0])
            XCTAssertEqual(cell(d, l, 3), [0, 0, 1, 0, 0, 0])
        }
    }

    /// A boundary through the middle of cell column 1 (x = 12; cells are 8 px): half red, half blue there, so
    /// μ_R = μ_B = ½ and s_R = s_B = ½ (population deviation of a 0/1 variable with p = ½).
    func testSplitCellHasHalfMeansAndHalfDeviations() throws {
        let image = halves(width: 32, height: 32, boundary: 12)
        let d = try TestImages.singleScale(patch: 32, step: 16).extract(image).col(0)
        for l in 0 ..< 4 {
            XCTAssertEqual(cell(d, l, 0), [1, 0, 0, 0, 0, 0])
            assertClose(cell(d, l, 1), [0.5, 0, 0.5, 0.5, 0, 0.5], rtol: 0, atol: 1e-7, label: "split cell")
            XCTAssertEqual(cell(d, l, 2), [0, 0, 1, 0, 0, 0])
        }
    }

    /// Every descriptor of every scale against a two-pass Double computation over the hard cells.
    func testMatchesTwoPassReference() throws {
        let image = TestImages.texture(width: 60, height: 44, seed: 31)
        let grid = try DenseGrid(patchSize: 16, step: 6, scales: 2)
        let set = try DenseExtractor(grid: grid, kinds: .color).extract(image)
        XCTAssertTrue(set.orh.isEmpty)
        var n = 0
        for level in grid.levels(width: 60, height: 44) {
            let scaled = AreaRescale.rescale(image, width: level.width, height: level.height)
            for ky in 0 ..< level.rows {
                for kx in 0 ..< level.columns {
                    var expected: [Float] = []
                    for l in 0 ..< 4 {
                        for k in 0 ..< 4 {
                            var values: [[Double]] = [[], [], []]
                            for j in 0 ..< 4 {
                                for i in 0 ..< 4 {
                                    let x = level.originX(kx) + k * 4 + i, y = level.originY(ky) + l * 4 + j
                                    for c in 0 ..< 3 { values[c].append(Double(scaled.rgb[(y * level.width + x) * 3 + c])) }
                                }
                            }
                            var means: [Double] = [], sds: [Double] = []
                            for c in 0 ..< 3 {
                                let mean: Double = values[c].reduce(0, +) / 16
                                var squares = 0.0
                                for v in values[c] { squares += (v - mean) * (v - mean) }
                                means.append(mean)
                                sds.append((squares / 16).squareRoot())
                            }
                            expected += (means + sds).map { Float($0) }
                        }
                    }
                    assertClose(Array(set.col(n)), expected, rtol: 0, atol: 1e-6, label: "COL \(n)")
                    n += 1
                }
            }
        }
        XCTAssertEqual(n, set.count)
    }

    /// When the step is a multiple of the cell size, cells are computed once on a shared lattice: the result must be
    /// bit-identical to computing every patch on its own.
    func testSharedCellLatticeEqualsPerPatchComputation() throws {
        let image = TestImages.texture(width: 70, height: 52, seed: 32)
        for (patch, step) in [(16, 8), (16, 4), (32, 16), (12, 3)] {
            let grid = try DenseGrid(patchSize: patch, step: step, scales: 2)
            let set = try DenseExtractor(grid: grid, kinds: .color).extract(image)
            var n = 0
            for level in grid.levels(width: 70, height: 52) {
                let scaled = AreaRescale.rescale(image, width: level.width, height: level.height)
                for ky in 0 ..< level.rows {
                    for kx in 0 ..< level.columns {
                        let single = ColorDescriptor.descriptor(of: scaled, x0: level.originX(kx), y0: level.originY(ky),
                                                                patchSize: patch)
                        XCTAssertEqual(Array(set.col(n)), single, "P \(patch) step \(step) descriptor \(n)")
                        n += 1
                    }
                }
            }
            XCTAssertEqual(n, set.count)
        }
    }

    /// A constant image stays constant through the area rescale: (colour, 0) at every scale.
    func testConstantColourAtEveryScale() throws {
        let image = TestImages.constant(width: 90, height: 70, r: 0.7, g: 0.1, b: 0.35)
        let set = try DenseExtractor(grid: try DenseGrid(patchSize: 16, step: 8, scales: 4)).extract(image)
        XCTAssertEqual(Set(set.scale), [0, 1, 2, 3])
        for n in 0 ..< set.count {
            for l in 0 ..< 4 {
                for k in 0 ..< 4 {
                    assertClose(cell(set.col(n), l, k), [0.7, 0.1, 0.35, 0, 0, 0], rtol: 0, atol: 1e-5,
                                label: "descriptor \(n) scale \(set.scale[n])")
                }
            }
        }
    }

    /// Red for x < boundary, blue from there on.
    private func halves(width: Int, height: Int, boundary: Int) -> ImagePlanes {
        var rgb = [Float](repeating: 0, count: width * height * 3)
        for y in 0 ..< height { for x in 0 ..< width { rgb[(y * width + x) * 3 + (x < boundary ? 0 : 2)] = 1 } }
        return try! ImagePlanes(width: width, height: height, rgb: rgb)
    }
}
