import Datasets
import LabelGraphJoining
import XCTest

final class PathFigureTests: XCTestCase {
    /// The figure's PNG (libpng's writer) decodes with libpng (the Datasets decoder) to exactly the pixels written.
    func testPNGRoundTripsThroughLibpng() throws {
        for (width, height) in [(3, 2), (160, 140)] {
            let rgb: [UInt8] = (0 ..< width * height * 3).map { (i: Int) -> UInt8 in UInt8(truncatingIfNeeded: i &* 37 &+ i / 7) }
            let decoded = try ImageDecoder.decode(try PathFigure.png(width: width, height: height, rgb: rgb), name: "figure.png")
            XCTAssertEqual(decoded.width, width)
            XCTAssertEqual(decoded.height, height)
            XCTAssertEqual(decoded.pixels.map { UInt8(($0 * 255).rounded()) }, rgb, "\(width)×\(height)")
        }
    }

    /// Rows hold only predictions whose path passes through the row's node, both kinds interleaved, and the
    /// tile frames carry the kind's colour.
    func testRowsAndFrames() throws {
        func p(_ id: String, _ path: [String], _ det: Bool) -> PathDecodeStage.Prediction {
            PathDecodeStage.Prediction(id: id, row: 0, path: path, prediction: path.last, truth: nil, deterministic: det)
        }
        let predictions = [p("a", ["r", "x", "l"], true), p("b", ["r", "y", "l"], true), p("c", ["r", "x", "m"], false),
                           p("d", ["r", "x", "l"], true), p("e", ["r", "x", "m"], false)]
        let rows = PathFigure.rows(predictions, nodes: ["x", "y"], perRow: 3)
        XCTAssertEqual(rows[0].predictions.map(\.id), ["a", "c", "d"])
        XCTAssertEqual(rows[1].predictions.map(\.id), ["b"])
        let figure = try PathFigure.render(rows, perRow: 3, scale: 1, border: 2) { _ in
            PathFigure.Gray(width: 4, height: 4, pixels: [UInt8](repeating: 128, count: 16))
        }
        func pixel(_ x: Int, _ y: Int) -> [UInt8] { Array(figure.rgb[(y * figure.width + x) * 3 ..< (y * figure.width + x) * 3 + 3]) }
        XCTAssertEqual(pixel(2, 2), [0, 90, 255], "first tile: deterministic, blue frame")
        XCTAssertEqual(pixel(2 + 10, 2), [0, 170, 60], "second tile: nondeterministic, green frame")
        XCTAssertEqual(pixel(2 + 3, 2 + 3), [128, 128, 128], "the image inside the frame")
    }
}
