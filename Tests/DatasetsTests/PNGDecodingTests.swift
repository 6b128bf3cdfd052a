import Datasets
import XCTest

/// Every PNG colour type decodes to exactly v / 255 per channel, alpha dropped (not composited).
final class PNGDecodingTests: XCTestCase {
    private func decode(_ name: String) throws -> RGBImage {
        let image = try ImageDecoder.decode(contentsOfFile: try fixture(name))
        XCTAssertEqual(image.width, FixturePixels.width, name)
        XCTAssertEqual(image.height, FixturePixels.height, name)
        XCTAssertEqual(image.pixels.count, FixturePixels.width * FixturePixels.height * 3, name)
        return image
    }

    func testRGB() throws {
        XCTAssertEqual(try decode("rgb.png").pixels, FixturePixels.unit(FixturePixels.rgb))
    }

    func testRowMajorInterleavedLayout() throws {
        let image = try decode("rgb.png")
        // Row 1, column 2 is (70, 80, 90): offset (1·4 + 2)·3 = 18.
        XCTAssertEqual(Array(image.pixels[18 ..< 21]), [70, 80, 90].map { Float($0) / 255 })
        XCTAssertEqual(image[2, 1].red, Float(70) / 255)
        XCTAssertEqual(image[3, 2].blue, Float(252) / 255)
    }

    func testRGBAKeepsColourUnderZeroAlpha() throws {
        // rgba.png has alpha 0 at (0,0) (red), (2,1) and (2,2); compositing on black would zero those.
        XCTAssertEqual(try decode("rgba.png").pixels, FixturePixels.unit(FixturePixels.rgb))
    }

    func testGrayExpandsToEqualChannels() throws {
        XCTAssertEqual(try decode("gray.png").pixels, FixturePixels.unitGray(FixturePixels.gray))
    }

    func testGrayAlphaDropsAlpha() throws {
        XCTAssertEqual(try decode("gray_alpha.png").pixels, FixturePixels.unitGray(FixturePixels.gray))
    }

    func testPaletteWithTransparency() throws {
        let expected = FixturePixels.paletteIndices.map { FixturePixels.palette[$0] }
        XCTAssertEqual(try decode("palette.png").pixels, FixturePixels.unit(expected))
    }

    func testSixteenBitIsScaledNotGammaCorrected() throws {
        // Samples are v·257: the 8-bit value must be v. Treating the file as linear light would turn 128 into ~188.
        XCTAssertEqual(try decode("rgb16.png").pixels, FixturePixels.unit(FixturePixels.rgb))
    }

    func testDecodeFromBytesMatchesFile() throws {
        let path = try fixture("palette.png")
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        XCTAssertEqual(try ImageDecoder.decode(bytes, name: "mem.png"), try ImageDecoder.decode(contentsOfFile: path))
    }

    func testValuesStayInUnitRange() throws {
        for name in ["rgb.png", "rgba.png", "gray.png", "gray_alpha.png", "palette.png", "rgb16.png"] {
            let pixels = try decode(name).pixels
            XCTAssertTrue(pixels.allSatisfy { $0 >= 0 && $0 <= 1 }, name)
        }
    }
}
