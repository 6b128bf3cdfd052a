import Foundation
import XCTest

/// The pixel tables that `Fixtures/make_fixtures.py` wrote into the fixture files; change both together.
enum FixturePixels {
    static let width = 4, height = 3

    static let rgb: [(UInt8, UInt8, UInt8)] = [
        (255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255),
        (10, 20, 30), (40, 50, 60), (70, 80, 90), (100, 110, 120),
        (0, 0, 0), (128, 128, 128), (1, 2, 3), (254, 253, 252),
    ]
    static let gray: [UInt8] = (0 ..< 12).map { UInt8(17 * $0) }
    static let palette: [(UInt8, UInt8, UInt8)] = [(200, 30, 40), (20, 180, 90), (30, 60, 220), (250, 240, 10)]
    static let paletteIndices = [0, 1, 2, 3, 3, 2, 1, 0, 1, 1, 2, 2]

    /// rgb.jpg (16×16): 8×8 quadrants TL, TR, BL, BR.
    static let jpegQuadrants: [(UInt8, UInt8, UInt8)] = [(200, 40, 40), (40, 180, 60), (50, 70, 200), (230, 230, 230)]
    /// gray.jpg (16×16): 8×8 quadrants TL, TR, BL, BR.
    static let jpegGrays: [UInt8] = [30, 90, 160, 230]
    /// progressive.jpg (24×16): 8×8 blocks, 3 per block row.
    static let jpegSix: [(UInt8, UInt8, UInt8)] = [
        (220, 120, 30), (30, 120, 220), (120, 220, 30), (90, 90, 90), (250, 200, 200), (20, 60, 40),
    ]

    /// (H, W, 3) floats v / 255 of an RGB table.
    static func unit(_ table: [(UInt8, UInt8, UInt8)]) -> [Float] {
        table.flatMap { [Float($0.0) / 255, Float($0.1) / 255, Float($0.2) / 255] }
    }

    /// (H, W, 3) floats of a gray table expanded to R = G = B.
    static func unitGray(_ table: [UInt8]) -> [Float] {
        table.flatMap { v in [Float](repeating: Float(v) / 255, count: 3) }
    }

    /// The colour of the 8×8 block holding (x, y), for block-colour JPEG fixtures.
    static func block<T>(_ table: [T], perRow: Int, x: Int, y: Int) -> T { table[(y / 8) * perRow + x / 8] }
}

/// The absolute path of a fixture file in the test bundle.
func fixture(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
    let folder = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures", withExtension: nil),
                               "Fixtures folder missing from the test bundle", file: file, line: line)
    let path = folder.appendingPathComponent(name).path
    XCTAssertTrue(FileManager.default.fileExists(atPath: path), "fixture \(name) missing; run make_fixtures.py",
                  file: file, line: line)
    return path
}
