import LabelGraphs
import XCTest

final class PathTests: XCTestCase {
    func testFigure2PathsAndDefinitions32And33() throws {
        let g = graph(figure2)
        let paths = PredictionPaths(graph: g)
        let truth = try paths.groundTruth(label: "bsh", dataset: "pets")
        XCTAssertEqual(truth.paths.map { ids($0, g) }, ["animal∘cat∘shorthair∘bsh", "animal∘cat∘solid∘bsh",
                                                        "animal∘cat∘tabby∘bsh", "animal∘cat∘point∘bsh"])
        // Paper: "one deterministic path (Animal∘Cat∘Shorthair∘British-Shorthair) … and three nondeterministic paths".
        XCTAssertEqual(truth.isDeterministic, [true, false, false, false])
        XCTAssertEqual(truth.deterministicPaths.map { ids($0, g) }, ["animal∘cat∘shorthair∘bsh"])
        XCTAssertTrue(truth.hasNondeterministicPaths)
        XCTAssertFalse(truth.isCoarse)
        XCTAssertEqual(truth.requiredNodes.map { g.nodes[$0].id }, ["cat", "bsh"])
        // Ragdoll: Longhair and Point never compete, so both its paths are deterministic.
        let ragdoll = try paths.groundTruth(label: "ragdoll", dataset: "pets")
        XCTAssertEqual(ragdoll.isDeterministic, [true, true])
        XCTAssertFalse(ragdoll.hasNondeterministicPaths)
    }

    func testCoarseLabelContinuesToUnknownFineLabels() throws {
        let g = graph(figure2)
        let paths = PredictionPaths(graph: g)
        let truth = try paths.groundTruth(label: "cat", dataset: "dogs-vs-cats")
        XCTAssertTrue(truth.isCoarse)
        XCTAssertEqual(truth.paths.count, 6, "4 routes to BSH + 2 to Ragdoll")
        XCTAssertTrue(truth.paths.allSatisfy { $0.contains(g.index(of: "cat")!) })
        XCTAssertEqual(truth.isDeterministic, [Bool](repeating: false, count: 6))
        XCTAssertEqual(truth.requiredNodes, [g.index(of: "cat")!])
        // ⟨eop⟩ is allowed after the fine labels only: the decoder never stops at the coarse Cat.
        XCTAssertEqual(g.nodes.indices.filter { paths.endNodes[$0] }.map { g.nodes[$0].id }, ["bsh", "ragdoll"])
    }

    func testAllLabelPathsAndSingleDeterministicPath() throws {
        let g = graph(twoLevel)
        let paths = PredictionPaths(graph: g)
        let all = try paths.allLabelPaths()
        XCTAssertEqual(all.map { g.nodes[$0.label].id }, ["A", "B", "a1", "a2", "b1", "b2"])
        XCTAssertEqual(all.map { $0.paths.map { ids($0, g) } }[2], ["root∘A∘a1"])
        let fine = try paths.groundTruth(label: "a2", dataset: "fine")
        XCTAssertEqual(fine.isDeterministic, [true])
        XCTAssertEqual(fine.requiredNodes.map { g.nodes[$0].id }, ["A", "a2"])
        let coarse = try paths.groundTruth(label: "B", dataset: "coarse")
        XCTAssertEqual(coarse.paths.map { ids($0, g) }, ["root∘B∘b1", "root∘B∘b2"])
        XCTAssertEqual(coarse.isDeterministic, [false, false], "b1 and b2 compete")
    }

    func testRewardIsEquation3() throws {
        let g = graph(figure2)
        let truth = try PredictionPaths(graph: g).groundTruth(label: "bsh", dataset: "pets")
        let n = { (id: String) in g.index(of: id)! }
        XCTAssertEqual(truth.reward([n("animal"), n("cat"), n("tabby"), n("bsh")]), 1)
        XCTAssertEqual(truth.reward([n("animal"), n("cat"), n("longhair"), n("ragdoll")]), 0.5)
        XCTAssertEqual(truth.reward([n("animal")]), 0)
    }

    func testUnknownLabelsAreTypedErrors() {
        let paths = PredictionPaths(graph: graph(figure2))
        XCTAssertNotNil(labelGraphError { _ = try paths.groundTruth(label: "dog", dataset: "pets") })
        let wrongDataset = labelGraphError { _ = try paths.groundTruth(label: "bsh", dataset: "dogs-vs-cats") }
        XCTAssertTrue(wrongDataset?.description.contains("datasets=dogs-vs-cats") ?? false, "\(String(describing: wrongDataset))")
        let notLabel = labelGraphError { _ = try paths.groundTruth(label: "tabby", dataset: "pets") }
        XCTAssertTrue(notLabel?.description.contains("not a label node") ?? false)
    }
}
