import Features
import TestSupport
import XCTest

final class DenseGridTests: XCTestCase {
    /// The paper geometry on 500×375: the scale sizes of the W3 benchmark and n = (⌊(W_s − 32)/16⌋ + 1)·(…).
    func testPaperGridCountsOn500x375() {
        let levels = DenseGrid.paper.levels(width: 500, height: 375)
        XCTAssertEqual(levels.map { [$0.width, $0.height] },
                       [[500, 375], [354, 265], [250, 188], [177, 133], [125, 94]])
        XCTAssertEqual(levels.map(\.columns), [30, 21, 14, 10, 6])
        XCTAssertEqual(levels.map(\.rows), [22, 15, 10, 7, 4])
        XCTAssertEqual(levels.map(\.count), [660, 315, 140, 70, 24])
        XCTAssertEqual(DenseGrid.paper.descriptorCount(width: 500, height: 375), 1209)
    }

    /// The extractor emits, per scale, exactly the formula's number of descriptors, in scale order.
    func testDescriptorsPerScaleMatchTheFormula() throws {
        let grid = try DenseGrid(patchSize: 16, step: 6, scales: 4)
        let image = TestImages.texture(width: 77, height: 61, seed: 41)
        let set = try DenseExtractor(grid: grid).extract(image)
        for level in grid.levels(width: 77, height: 61) {
            let formula = level.width >= 16 && level.height >= 16
                ? ((level.width - 16) / 6 + 1) * ((level.height - 16) / 6 + 1) : 0
            XCTAssertEqual(set.scale.filter { $0 == Int32(level.scale) }.count, formula, "scale \(level.scale)")
        }
        XCTAssertEqual(set.scale, set.scale.sorted())
        XCTAssertEqual(set.count, grid.descriptorCount(width: 77, height: 61))
        XCTAssertEqual(set.orh.count, set.count * 128)
        XCTAssertEqual(set.col.count, set.count * 96)
        XCTAssertEqual(set.x.count, set.count)
        XCTAssertEqual(set.y.count, set.count)
    }

    /// Hand-computed centres: W = 100, P = 32, step 16 → 5 patches, leftover 4, offset 2, centres 18 … 82
    /// (symmetric about W/2). Scale 1 with factor ½: W_1 = 50, 2 patches, offset 1, centres (1 + 16)·2 = 34, 66.
    func testCentresInOriginalCoordinates() throws {
        let grid = try DenseGrid(patchSize: 32, step: 16, scales: 3, scaleFactor: 0.5)
        let set = try DenseExtractor(grid: grid).extract(TestImages.texture(width: 100, height: 100, seed: 1))
        let xs0 = zip(set.x, set.scale).filter { $0.1 == 0 }.map(\.0)
        XCTAssertEqual(Array(Set(xs0)).sorted(), [18, 34, 50, 66, 82])
        let ys1 = zip(set.y, set.scale).filter { $0.1 == 1 }.map(\.0)
        XCTAssertEqual(Array(Set(ys1)).sorted(), [34, 66])
        XCTAssertEqual(set.scale.filter { $0 == 2 }.count, 0)  // 25×25 < 32: no patch at scale 2
        // Row-major order within a scale: x varies fastest.
        XCTAssertEqual(Array(set.x[0 ..< 5]), [18, 34, 50, 66, 82])
        XCTAssertEqual(Array(set.y[0 ..< 5]), [18, 18, 18, 18, 18])
    }

    /// End to end: R = (x + ½)/W and G = (y + ½)/H are linear ramps, which area averaging preserves, so the mean
    /// red (green) over a patch at any scale is its centre x/W (y/H) in ORIGINAL coordinates — up to the staircase
    /// of pixel values (a few thousandths of a pixel); a half-pixel convention error would be off by ≥ 0.5 px.
    func testCentresAgreeWithPatchContentAtEveryScale() throws {
        let w = 123, h = 97
        var rgb = [Float](repeating: 0, count: w * h * 3)
        for y in 0 ..< h {
            for x in 0 ..< w {
                rgb[(y * w + x) * 3] = (Float(x) + 0.5) / Float(w)
                rgb[(y * w + x) * 3 + 1] = (Float(y) + 0.5) / Float(h)
            }
        }
        let grid = try DenseGrid(patchSize: 16, step: 8, scales: 4)
        let set = try DenseExtractor(grid: grid, kinds: .color).extract(try ImagePlanes(width: w, height: h, rgb: rgb))
        XCTAssertEqual(Set(set.scale), [0, 1, 2, 3])
        for n in 0 ..< set.count {
            let d = set.col(n)
            var meanR: Float = 0, meanG: Float = 0
            for c in 0 ..< 16 { meanR += d[d.startIndex + c * 6] / 16; meanG += d[d.startIndex + c * 6 + 1] / 16 }
            XCTAssertEqual(meanR * Float(w), set.x[n], accuracy: 0.02, "descriptor \(n), scale \(set.scale[n])")
            XCTAssertEqual(meanG * Float(h), set.y[n], accuracy: 0.02, "descriptor \(n), scale \(set.scale[n])")
        }
    }

    /// 28×28 (Fashion-MNIST) with P = 12, step 4, 2 scales: 5×5 at 28 px, 3×3 at round(28/√2) = 20 px.
    func testFashionMNISTGeometry() throws {
        let grid = try DenseGrid(patchSize: 12, step: 4, scales: 2)
        XCTAssertEqual(grid.levels(width: 28, height: 28).map(\.count), [25, 9])
        let set = try DenseExtractor(grid: grid).extract(TestImages.texture(width: 28, height: 28, seed: 2))
        XCTAssertEqual(set.count, 34)
    }

    /// A scale smaller than one patch contributes nothing; scale 0 smaller than one patch is an error naming the fix.
    func testTooSmallImages() throws {
        let fortyPx = try DenseExtractor().extract(TestImages.texture(width: 40, height: 40, seed: 3))
        XCTAssertEqual(fortyPx.count, 1)  // 40 px: one patch at scale 0; 28 px < 32 at scale 1
        XCTAssertEqual(fortyPx.x, [20])
        XCTAssertThrowsError(try DenseExtractor().extract(TestImages.texture(width: 20, height: 50, seed: 4))) { error in
            XCTAssertEqual(error as? FeatureError, .imageTooSmall(width: 20, height: 50, patch: 32))
            let message = String(describing: error)
            XCTAssertTrue(message.contains("--patch-size"), message)
            XCTAssertTrue(message.contains("20×50"), message)
        }
    }

    func testInvalidGeometryIsRejected() {
        XCTAssertThrowsError(try DenseGrid(patchSize: 10)) { XCTAssertTrue("\($0)".contains("multiple of 4")) }
        XCTAssertThrowsError(try DenseGrid(step: 0))
        XCTAssertThrowsError(try DenseGrid(scales: 0))
        XCTAssertThrowsError(try DenseGrid(scaleFactor: 1.5))
        XCTAssertThrowsError(try ImagePlanes(width: 2, height: 2, rgb: [0, 0, 0]))
    }
}
