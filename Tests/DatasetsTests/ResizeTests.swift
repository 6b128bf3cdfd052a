import Datasets
import XCTest

/// Bilinear when enlarging, area averaging when shrinking (formulas in RGBImage+Resize.swift).
final class ResizeTests: XCTestCase {
    private func ramp(width: Int, height: Int) -> RGBImage {
        var pixels: [Float] = []
        for y in 0 ..< height {
            for x in 0 ..< width { pixels += [Float(x) / Float(width), Float(y) / Float(height), 0.5] }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    func testConstantStaysConstant() {
        let image = RGBImage(width: 7, height: 5, red: 0.3, green: 0.6, blue: 0.9)
        for (w, h) in [(3, 2), (14, 11), (7, 1), (1, 5), (10, 3), (2, 9)] {
            let out = image.resized(width: w, height: h)
            XCTAssertEqual(out.width, w)
            XCTAssertEqual(out.height, h)
            for p in 0 ..< w * h {
                XCTAssertEqual(out.pixels[3 * p], 0.3, accuracy: 1e-6)
                XCTAssertEqual(out.pixels[3 * p + 1], 0.6, accuracy: 1e-6)
                XCTAssertEqual(out.pixels[3 * p + 2], 0.9, accuracy: 1e-6)
            }
        }
    }

    func testTwoByTwoToOneIsTheMean() {
        let image = RGBImage(width: 2, height: 2, pixels: [0, 0, 0, 1, 0.5, 0, 0, 1, 0.25, 1, 1, 1])
        let out = image.resized(width: 1, height: 1)
        XCTAssertEqual(out.pixels[0], 0.5, accuracy: 1e-7)
        XCTAssertEqual(out.pixels[1], 0.625, accuracy: 1e-7)
        XCTAssertEqual(out.pixels[2], 0.3125, accuracy: 1e-7)
    }

    func testAreaAveragingUsesEveryPixel() {
        // 6 → 2: outputs are the means of pixels 0–2 and 3–5; bilinear would read only pixels 1 and 4 (0.9, 0.0).
        let values: [Float] = [0, 0.9, 0.3, 0.6, 0.0, 0.3]
        let image = RGBImage(width: 6, height: 1, pixels: values.flatMap { [$0, 0, 0] })
        let out = image.resized(width: 2, height: 1)
        XCTAssertEqual(out.pixels[0], 0.4, accuracy: 1e-6)
        XCTAssertEqual(out.pixels[3], 0.3, accuracy: 1e-6)
    }

    func testFractionalAreaWeights() {
        // 3 → 2: output 0 covers [0, 1.5): (1·a + 0.5·b) / 1.5.
        let image = RGBImage(width: 1, height: 3, pixels: [0.3, 0, 0, 0.6, 0, 0, 0.9, 0, 0])
        let out = image.resized(width: 1, height: 2)
        XCTAssertEqual(out.pixels[0], (0.3 + 0.5 * 0.6) / 1.5, accuracy: 1e-6)
        XCTAssertEqual(out.pixels[3], (0.5 * 0.6 + 0.9) / 1.5, accuracy: 1e-6)
    }

    func testBilinearEnlargement() {
        // 2 → 4: centres at u = (j + ½)/2 − ½ = −¼ (clamped to 0), ¼, ¾, 1¼ (clamped to 1).
        let image = RGBImage(width: 2, height: 1, pixels: [0, 0, 0, 1, 1, 1])
        let red = stride(from: 0, to: 12, by: 3).map { image.resized(width: 4, height: 1).pixels[$0] }
        XCTAssertEqual(red, [0, 0.25, 0.75, 1])
    }

    func testSameSizeReturnsSamePixels() {
        let image = ramp(width: 5, height: 4)
        XCTAssertEqual(image.resized(width: 5, height: 4), image)
    }

    func testMixedDirectionsAndLinearRamp() {
        // Shrink x, enlarge y; a ramp stays monotone and within range.
        let out = ramp(width: 8, height: 3).resized(width: 3, height: 7)
        XCTAssertEqual(out.pixels.count, 3 * 7 * 3)
        for y in 0 ..< 7 {
            XCTAssertLessThan(out[0, y].red, out[1, y].red)
            XCTAssertLessThan(out[1, y].red, out[2, y].red)
            XCTAssertEqual(out[1, y].blue, 0.5, accuracy: 1e-6)
        }
        XCTAssertTrue(out.pixels.allSatisfy { $0 >= 0 && $0 <= 1 })
    }
}
