import Datasets
import XCTest

/// Y = 0.299 R + 0.587 G + 0.114 B on the stored values.
final class GrayscaleTests: XCTestCase {
    func testLumaFormulaPerPixel() {
        let pixels: [Float] = [1, 0, 0, 0, 1, 0, 0, 0, 1, 0.2, 0.4, 0.6]
        let gray = RGBImage(width: 2, height: 2, pixels: pixels).grayscale()
        XCTAssertEqual(gray.width, 2)
        XCTAssertEqual(gray.height, 2)
        XCTAssertEqual(gray.pixels[0], 0.299, accuracy: 1e-7)
        XCTAssertEqual(gray.pixels[1], 0.587, accuracy: 1e-7)
        XCTAssertEqual(gray.pixels[2], 0.114, accuracy: 1e-7)
        XCTAssertEqual(gray.pixels[3], 0.299 * 0.2 + 0.587 * 0.4 + 0.114 * 0.6, accuracy: 1e-6)
        XCTAssertEqual(gray[1, 1], gray.pixels[3])
    }

    func testGrayPixelsKeepTheirValue() {
        let values: [Float] = [0, 0.25, 0.5, 1]
        let image = RGBImage(width: 4, height: 1, pixels: values.flatMap { [$0, $0, $0] })
        let gray = image.grayscale().pixels
        for (got, want) in zip(gray, values) { XCTAssertEqual(got, want, accuracy: 1e-6) }
    }

    func testRowMajorOrder() {
        // 3 wide × 2 high: pixel (x, y) has red = x + 10·y; luma order must follow.
        var pixels: [Float] = []
        for y in 0 ..< 2 { for x in 0 ..< 3 { pixels += [Float(x + 10 * y) / 100, 0, 0] } }
        let gray = RGBImage(width: 3, height: 2, pixels: pixels).grayscale()
        for y in 0 ..< 2 {
            for x in 0 ..< 3 { XCTAssertEqual(gray[x, y], 0.299 * Float(x + 10 * y) / 100, accuracy: 1e-7) }
        }
    }
}
