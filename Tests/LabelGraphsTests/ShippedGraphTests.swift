import Foundation
import LabelGraphs
import XCTest

final class ShippedGraphTests: XCTestCase {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../data/label-graphs").standardized

    func load(_ name: String) throws -> LabelGraph {
        let url = Self.directory.appendingPathComponent(name)
        return try LabelGraph(parsing: String(contentsOf: url, encoding: .utf8), file: url.path)
    }

    func testFashionMNISTGraph() throws {
        let g = try load("fashion-mnist.graph")
        let classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
        XCTAssertEqual(g.labels(in: "fashion-mnist").map { g.nodes[$0].name }.sorted(), classes.sorted())
        XCTAssertEqual(g.labels(in: "fashion-coarse").map { g.nodes[$0].id }.sorted(), ["bags", "bottoms", "footwear", "tops"])
        let paths = PredictionPaths(graph: g)
        for label in g.labels(in: "fashion-mnist") {
            let truth = try paths.groundTruth(label: label, dataset: "fashion-mnist")
            XCTAssertEqual(truth.isDeterministic, [true], "\(g.nodes[label].name) has one deterministic path")
        }
        let tops = try paths.groundTruth(label: "tops", dataset: "fashion-coarse")
        XCTAssertTrue(tops.isCoarse)
        XCTAssertEqual(Set(tops.paths.map { g.nodes[$0.last!].name }), ["T-shirt/top", "Pullover", "Shirt", "Coat"])
        XCTAssertTrue(tops.hasNondeterministicPaths)
        XCTAssertEqual(g.labelNodes.filter { paths.endNodes[$0] }.count, 10, "the decoder stops at fine labels only")
    }

    func testFashionMNISTOutlineMatchesTheGraph() throws {
        let url = Self.directory.appendingPathComponent("fashion-mnist.outline")
        let outline = try LabelGraph(outline: String(contentsOf: url, encoding: .utf8), file: url.path)
        let g = try load("fashion-mnist.graph")
        XCTAssertEqual(Set(outline.nodes.map(\.name)), Set(g.nodes.map(\.name)))
        XCTAssertEqual(outline.labelNodes.count, g.labelNodes.count)
    }
}
