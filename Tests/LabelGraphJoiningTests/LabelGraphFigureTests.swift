import Foundation
import LabelGraphJoining
import LabelGraphs
import Stages
import TestSupport
import XCTest

/// `LabelGraphFigure`: the layered layout and the edge counts of the decoded paths, worked out by hand.
final class LabelGraphFigureTests: XCTestCase {
    /// r → a, b; a → c, e; b → e (e has two parents).
    private let graph = try! LabelGraph(parsing: """
        node r root "r"
        node a augmented "a"
        node b label datasets=d "b"
        node c label datasets=d "c"
        node e label datasets=d "e"
        edge r a b
        edge a c e
        edge b e
        """)

    func testLayersAreLongestPathDepthsOrderedByParentBarycentre() {
        // Depths 0, 1, 1, 2, 2. Layer 1: a, b (tie at the root's x = 0, file order) → −0.5, 0.5.
        // Layer 2: c under a (barycentre −0.5), e under a and b (0) → c −0.5, e 0.5.
        let positions = LabelGraphFigure.layout(graph)
        XCTAssertEqual(positions.map(\.depth), [0, 1, 1, 2, 2])
        XCTAssertEqual(positions.map(\.x), [0, -0.5, 0.5, -0.5, 0.5])
    }

    func testEdgeUseCountsConsecutiveStepsAlongEdgesOnly() throws {
        let paths = [["r", "a", "c"], ["r", "b", "e"], ["r", "a", "c"], ["r", "c"], []]  // r → c is no edge: ignored
        let use = LabelGraphFigure.edgeUse(paths, graph: graph)
        XCTAssertEqual(use, [[0, 1]: 2, [1, 3]: 2, [0, 2]: 1, [2, 4]: 1])
        let folder = try makeTemporaryDirectory("label-graph-figure")
        defer { try? FileManager.default.removeItem(at: folder) }
        let markdown = try LabelGraphFigure.write(graph, paths: paths, png: folder.path + "/g.png", link: "s/g.png")
        XCTAssertEqual(try String(contentsOfFile: folder.path + "/g-edges.dat", encoding: .utf8),
                       "0.00\t0\t-0.50\t1\t2\n0.00\t0\t0.50\t1\t1\n-0.50\t1\t0.00\t1\t2\n-0.50\t1\t1.00\t1\t0\n0.50\t1\t0.00\t1\t1\n")
        XCTAssertEqual(try String(contentsOfFile: folder.path + "/g-nodes.dat", encoding: .utf8),
                       "0.00\t0\t0\t\"r\"\n-0.50\t1\t1\t\"a\"\n0.50\t1\t2\t\"b\"\n-0.50\t2\t2\t\"c\"\n0.50\t2\t2\t\"e\"\n")
        if RunnerPlot.executable("gnuplot") != nil {
            XCTAssertEqual(markdown, "\n![label graph with the decoded paths](s/g.png)\n")
        }
    }
}
