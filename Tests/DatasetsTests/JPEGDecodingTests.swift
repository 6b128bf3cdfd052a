import Datasets
import Foundation
import XCTest

/// JPEG fixtures hold flat 8×8 blocks at quality 100, 4:4:4: each pixel decodes within 2/255 of its block colour.
final class JPEGDecodingTests: XCTestCase {
    private let tolerance: Float = 2.0 / 255 + 1e-6

    private func assertBlocks(_ image: RGBImage, _ table: [(UInt8, UInt8, UInt8)], perRow: Int,
                              file: StaticString = #filePath, line: UInt = #line) {
        var worst: Float = 0
        for y in 0 ..< image.height {
            for x in 0 ..< image.width {
                let want = FixturePixels.block(table, perRow: perRow, x: x, y: y)
                let got = image[x, y]
                worst = max(worst, abs(got.red - Float(want.0) / 255), abs(got.green - Float(want.1) / 255),
                            abs(got.blue - Float(want.2) / 255))
            }
        }
        XCTAssertLessThanOrEqual(worst, tolerance, "max |decoded − block colour| = \(worst * 255)/255",
                                 file: file, line: line)
    }

    func testBaselineRGB() throws {
        let image = try ImageDecoder.decode(contentsOfFile: try fixture("rgb.jpg"))
        XCTAssertEqual(image.width, 16)
        XCTAssertEqual(image.height, 16)
        XCTAssertEqual(image.pixels.count, 16 * 16 * 3)
        assertBlocks(image, FixturePixels.jpegQuadrants, perRow: 2)
    }

    func testGrayExpandsToEqualChannels() throws {
        let image = try ImageDecoder.decode(contentsOfFile: try fixture("gray.jpg"))
        XCTAssertEqual(image.width, 16)
        XCTAssertEqual(image.height, 16)
        assertBlocks(image, FixturePixels.jpegGrays.map { ($0, $0, $0) }, perRow: 2)
        for p in 0 ..< 16 * 16 {
            XCTAssertEqual(image.pixels[3 * p], image.pixels[3 * p + 1])
            XCTAssertEqual(image.pixels[3 * p], image.pixels[3 * p + 2])
        }
    }

    func testProgressive() throws {
        let image = try ImageDecoder.decode(contentsOfFile: try fixture("progressive.jpg"))
        XCTAssertEqual(image.width, 24)
        XCTAssertEqual(image.height, 16)
        assertBlocks(image, FixturePixels.jpegSix, perRow: 3)
    }

    func testFormatComesFromContentNotExtension() throws {
        // A JPEG saved under a .png name still decodes as JPEG.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("datasets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let misnamed = folder.appendingPathComponent("photo.png")
        try FileManager.default.copyItem(atPath: try fixture("rgb.jpg"), toPath: misnamed.path)
        let image = try ImageDecoder.decode(contentsOfFile: misnamed.path)
        assertBlocks(image, FixturePixels.jpegQuadrants, perRow: 2)
        XCTAssertEqual(ImageFormat.detect(try Data(contentsOf: misnamed)), .jpeg)
    }
}
