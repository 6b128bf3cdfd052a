import Core
import Foundation
import InstanceInfusion
import LinearAlgebra
import Stages
import TestSupport
import XCTest

/// `train-infused --latent-figure` (Instance Infusion Fig. 3): the t-SNE map of c_t and z_s and its files.
final class LatentFigureTests: XCTestCase {
    /// Two well-separated groups of documents whose fused vectors sit next to their c_t: the data file holds one
    /// row per vector (c_t first, kind 0, then z_s, kind 1) with the document's class, the map keeps neighbours
    /// (T(5) > 0.9), and the PNG is drawn when gnuplot is installed.
    func testWritesOneRowPerVectorAndKeepsNeighbours() throws {
        let directory = try makeTemporaryDirectory("latent-figure")
        defer { try? FileManager.default.removeItem(at: directory) }
        var rng = SeededRandom(seed: 7)
        let n = 20, m = 6
        let classes = (0 ..< n).map { $0 % 2 }
        let c = Matrix<Float>(rows: n, columns: m, values: (0 ..< n * m).map { Float(10 * (classes[$0 / m] == 0 ? 1 : -1)) + Float(rng.normal()) })
        let z = Matrix<Float>(rows: n, columns: m, values: c.values.map { $0 + 0.1 * Float(rng.normal()) })
        let png = directory.appendingPathComponent("latent.png").path
        let summary = try LatentFigure.write(context: c, fused: z, classes: classes, png: png, title: "test")
        XCTAssertEqual(summary.documents, n)
        XCTAssertEqual(summary.perplexity, min(30, Double(2 * n - 2) / 3 - 1))
        XCTAssertGreaterThan(summary.trustworthiness, 0.9)
        let rows = try String(contentsOfFile: directory.appendingPathComponent("latent.dat").path, encoding: .utf8)
            .split(separator: "\n").map { $0.split(separator: "\t") }
        XCTAssertEqual(rows.count, 2 * n)
        XCTAssertEqual(rows.map { Int($0[2])! }, [Int](repeating: 0, count: n) + [Int](repeating: 1, count: n))
        XCTAssertEqual(rows.map { Int($0[3])! }, classes + classes)
        XCTAssertEqual(summary.rendered, RunnerPlot.executable("gnuplot") != nil)
        if summary.rendered { XCTAssertTrue(FileManager.default.fileExists(atPath: png)) }
    }

    /// Too few test documents for t-SNE is the typed error, naming the perplexity.
    func testTooFewDocumentsIsATypedError() throws {
        let c = Matrix<Float>(rows: 1, columns: 3, values: [1, 2, 3])
        XCTAssertThrowsError(try LatentFigure.write(context: c, fused: c, classes: [0], png: "/nonexistent/x.png", title: "t"))
    }
}
