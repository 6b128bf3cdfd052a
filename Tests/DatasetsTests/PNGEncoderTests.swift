import Datasets
import XCTest

final class PNGEncoderTests: XCTestCase {
    /// Encode → decode gives the pixels back, and a flat figure is compressed (the hand-made encoder it
    /// replaces stored every row raw: 3·W·H bytes and more).
    func testRoundTripAndCompression() throws {
        let (width, height) = (160, 140)
        let noise: [UInt8] = (0 ..< width * height * 3).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
        let decoded = try ImageDecoder.decode(try PNGEncoder.encode(rgb: noise, width: width, height: height, name: "n.png"),
                                              name: "n.png")
        XCTAssertEqual(decoded.pixels.map { UInt8(($0 * 255).rounded()) }, noise)
        let flat = [UInt8](repeating: 200, count: width * height * 3)
        let bytes = try PNGEncoder.encode(rgb: flat, width: width, height: height, name: "flat.png")
        XCTAssertLessThan(bytes.count, flat.count / 50, "a flat image compresses")
        XCTAssertEqual(try ImageDecoder.decode(bytes, name: "flat.png").pixels.map { UInt8(($0 * 255).rounded()) }, flat)
    }

    func testAShapeThatDoesNotMatchTheBytesIsAnErrorNamingTheFile() {
        XCTAssertThrowsError(try PNGEncoder.encode(rgb: [1, 2, 3], width: 2, height: 1, name: "grid.png")) { error in
            XCTAssertTrue("\(error)".contains("grid.png"), "\(error)")
        }
    }
}
