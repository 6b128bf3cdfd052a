import Features
import TestSupport
import XCTest

final class AreaRescaleTests: XCTestCase {
    func testConstantImageStaysConstant() {
        let image = TestImages.constant(width: 500, height: 375, r: 0.3, g: 0.8, b: 0.05)
        for factor in [Double(0.5).squareRoot(), 0.5, 0.3, 0.77] {
            let (w, h) = AreaRescale.size(width: 500, height: 375, factor: factor)
            let out = AreaRescale.rescale(image, width: w, height: h)
            XCTAssertEqual(out.rgb.count, w * h * 3)
            var expected = [Float](repeating: 0, count: w * h * 3)
            for i in 0 ..< w * h { expected[3 * i] = 0.3; expected[3 * i + 1] = 0.8; expected[3 * i + 2] = 0.05 }
            assertClose(out.rgb, expected, rtol: 0, atol: 1e-6, label: "factor \(factor)")
        }
    }

    /// An integer ratio of 2 is the mean of each 2×2 block.
    func testHalvingAveragesTwoByTwoBlocks() {
        let image = TestImages.texture(width: 8, height: 6, seed: 9)
        let out = AreaRescale.rescale(image, width: 4, height: 3)
        for y in 0 ..< 3 {
            for x in 0 ..< 4 {
                for c in 0 ..< 3 {
                    var sum: Float = 0
                    for dy in 0 ..< 2 { for dx in 0 ..< 2 { sum += image.rgb[((2 * y + dy) * 8 + 2 * x + dx) * 3 + c] } }
                    XCTAssertEqual(out.rgb[(y * 4 + x) * 3 + c], sum / 4, accuracy: 1e-6)
                }
            }
        }
    }

    /// Area averaging preserves the image mean for any ratio (each input pixel's area is distributed exactly once).
    func testMeanIsPreservedForNonIntegerRatios() {
        let image = TestImages.texture(width: 101, height: 67, seed: 10)
        let out = AreaRescale.rescale(image, width: 71, height: 47)
        func mean(_ v: [Float]) -> Double { v.reduce(0) { $0 + Double($1) } / Double(v.count) }
        XCTAssertEqual(mean(out.rgb), mean(image.rgb), accuracy: 1e-6)
        XCTAssertEqual(mean(out.gray), mean(image.gray), accuracy: 1e-6)
    }

    /// The gray plane of the result is the luma of its RGB.
    func testGrayIsLumaOfRescaledRGB() {
        let out = AreaRescale.rescale(TestImages.texture(width: 30, height: 20, seed: 8), width: 21, height: 14)
        for i in 0 ..< 21 * 14 {
            XCTAssertEqual(out.gray[i], 0.299 * out.rgb[3 * i] + 0.587 * out.rgb[3 * i + 1] + 0.114 * out.rgb[3 * i + 2],
                           accuracy: 1e-6)
        }
    }

    func testSizesRoundToNearest() {
        XCTAssertTrue(AreaRescale.size(width: 500, height: 375, factor: 0.5) == (250, 188))
        XCTAssertTrue(AreaRescale.size(width: 28, height: 28, factor: Double(0.5).squareRoot()) == (20, 20))
        XCTAssertTrue(AreaRescale.size(width: 3, height: 3, factor: 0.01) == (1, 1))
    }
}
