import Foundation
import Stages
import TestSupport
import XCTest

/// The report figures' data files against values computed by hand (the PNGs themselves are gnuplot's).
final class ReportFigureTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws { folder = try makeTemporaryDirectory("figures") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    private func read(_ name: String) throws -> String {
        try String(contentsOfFile: folder.appendingPathComponent(name).path, encoding: .utf8)
    }

    func testConfusionRowsAreNormalisedByTheirTrueClassCount() {
        // Row 0: 3 + 1 = 4 items; row 1: none (stays zero, no division by 0); row 2: 2 + 2 + 4 = 8.
        XCTAssertEqual(ConfusionFigure.rowNormalised([[3, 1, 0], [0, 0, 0], [2, 2, 4]]),
                       [[0.75, 0.25, 0], [0, 0, 0], [0.25, 0.25, 0.5]])
    }

    func testConfusionDataFilesHoldCountsRatesAndCells() throws {
        let png = folder.appendingPathComponent("confusion.png").path
        let markdown = try ConfusionFigure.write(counts: [[3, 1, 0], [0, 0, 0], [2, 2, 4]], classes: ["cat", "dog", "eel"],
                                                 png: png, link: "stage/confusion.png", title: "Confusion")
        XCTAssertEqual(try read("confusion.dat"),
                       "true\\predicted\tcat\tdog\teel\ncat\t3\t1\t0\ndog\t0\t0\t0\neel\t2\t2\t4\n")
        XCTAssertEqual(try read("confusion-normalised.dat"),
                       "true\\predicted\tcat\tdog\teel\ncat\t0.7500\t0.2500\t0.0000\ndog\t0.0000\t0.0000\t0.0000\n"
                       + "eel\t0.2500\t0.2500\t0.5000\n")
        // Cells: predicted (x), true (y), rate, count; one scan line per true class.
        let cells = try read("confusion-cells.dat").split(separator: "\n\n").map { $0.split(separator: "\n").map(String.init) }
        XCTAssertEqual(cells.count, 3)
        XCTAssertEqual(cells[0], ["0\t0\t0.7500\t3", "1\t0\t0.2500\t1", "2\t0\t0.0000\t0"])
        XCTAssertEqual(cells[2][2], "2\t2\t0.5000\t4")
        XCTAssertTrue(try read("confusion.gp").contains("\"eel\" 2"))
        if RunnerPlot.executable("gnuplot") != nil {
            XCTAssertEqual(markdown, "![Confusion](stage/confusion.png)\n")
            XCTAssertTrue(FileManager.default.fileExists(atPath: png))
        } else {
            XCTAssertTrue(markdown.contains("not drawn"))
        }
    }

    func testPrecisionRecallStepsAtEachDistinctScore() {
        // Sorted: 0.9 (+), 0.8 (−), 0.8 (+) tie → one step, 0.3 (−). P = 2.
        let curve = PrecisionRecallFigure.curve(scores: [0.8, 0.3, 0.9, 0.8], relevant: [false, false, true, true])
        XCTAssertEqual(curve.map(\.recall), [0.5, 1, 1])
        XCTAssertEqual(curve.map(\.precision), [1, 2.0 / 3, 0.5])
        XCTAssertEqual(curve.map(\.threshold), [0.9, 0.8, 0.3])
        XCTAssertEqual(PrecisionRecallFigure.curve(scores: [1, 2], relevant: [false, false]), [])
    }

    func testPrecisionRecallDataHasOneBlockPerRun() throws {
        let a = PrecisionRecallFigure.curve(scores: [2, 1], relevant: [true, false])
        let b = PrecisionRecallFigure.curve(scores: [2, 1], relevant: [false, true])
        _ = try PrecisionRecallFigure.write(runs: [("a", a), ("b", b)], png: folder.appendingPathComponent("pr.png").path,
                                           link: "s/pr.png", title: "PR")
        XCTAssertEqual(try read("pr.dat"),
                       "1.000000\t1.000000\t2\n1.000000\t0.500000\t1\n\n\n0.000000\t0.000000\t2\n1.000000\t0.500000\t1\n")
        XCTAssertTrue(try read("pr.gp").contains("titles = \"a b\""))
    }

    func testLinePlotDataCountsFromTheFirstX() throws {
        let png = folder.appendingPathComponent("em.png").path
        _ = RunnerPlot.line([-5, -4.5], png: png, title: "EM", ylabel: "ORH", second: ([-2, -1.5], "COL"),
                            xlabel: "EM iteration", first: 0)
        XCTAssertEqual(try read("em.dat"), "0\t-5.0\t-2.0\n1\t-4.5\t-1.5\n")
        XCTAssertTrue(try read("em.gp").contains("set xrange [-0.5:1.5]"))
    }
}
