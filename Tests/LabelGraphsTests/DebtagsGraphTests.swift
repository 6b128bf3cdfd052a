import Foundation
import LabelGraphs
import XCTest

final class DebtagsGraphTests: XCTestCase {
    /// 4 utils packages (program, commandline), 2 games (program, gameplaying), 1 games (commandline),
    /// 3 libs (shared-lib, TODO).
    let packages: [DebtagsGraph.Package] =
        Array(repeating: .init(section: "utils", tags: ["role::program", "interface::commandline"]), count: 4)
        + Array(repeating: .init(section: "games", tags: ["role::program", "use::gameplaying"]), count: 2)
        + [.init(section: "games", tags: ["interface::commandline"])]
        + Array(repeating: .init(section: "libs", tags: ["role::shared-lib", "role::TODO"]), count: 3)

    func configuration(share: Double, perFacet: Int = 1) -> DebtagsGraph.Configuration {
        var c = DebtagsGraph.Configuration()
        c.facets = ["role", "interface", "use"]
        c.tagsPerFacet = perFacet
        c.minimumTagCount = 1
        c.minimumEdgeCount = 1
        c.edgeShare = share
        return c
    }

    func parents(_ g: LabelGraph, _ id: String) -> [String] { g.parents[g.index(of: id)!].map { g.nodes[$0].id }.sorted() }

    func testVocabularyIsTheMostFrequentTagsPerFacetWithoutTODO() {
        XCTAssertEqual(DebtagsGraph.vocabulary(packages, configuration: configuration(share: 0.5)),
                       ["role::program", "interface::commandline", "use::gameplaying"])
        XCTAssertEqual(DebtagsGraph.vocabulary(packages, configuration: configuration(share: 0.5, perFacet: 3)),
                       ["role::program", "role::shared-lib", "interface::commandline", "use::gameplaying"])
    }

    /// n(s, t)/n(s): utils 4/4 program, 4/4 commandline; games 2/3 program, 1/3 commandline, 2/3 gameplaying.
    func testEdgesFollowTheShareThreshold() throws {
        let g = try DebtagsGraph.build(packages, configuration: configuration(share: 0.5))
        XCTAssertEqual(g.labels(in: "sections").map { g.nodes[$0].id }, ["games", "libs", "utils"])
        XCTAssertEqual(parents(g, "role::program"), ["games", "utils"])
        XCTAssertEqual(parents(g, "interface::commandline"), ["utils"])
        XCTAssertEqual(parents(g, "use::gameplaying"), ["games"])
        XCTAssertTrue(g.children[g.index(of: "libs")!].isEmpty, "no vocabulary tag reaches libs")
        // The text form round-trips and every section competes with every other.
        XCTAssertEqual(try LabelGraph(parsing: g.text).text, g.text)
        XCTAssertTrue(g.competing(g.index(of: "games")!, g.index(of: "utils")!))
        // role::program under two competing sections: nondeterministic paths; commandline: deterministic.
        let paths = PredictionPaths(graph: g)
        XCTAssertEqual(try paths.groundTruth(label: "role::program", dataset: "debtags").isDeterministic, [false, false])
        XCTAssertEqual(try paths.groundTruth(label: "interface::commandline", dataset: "debtags").isDeterministic, [true])
        XCTAssertTrue(try paths.groundTruth(label: "games", dataset: "sections").isCoarse)
    }

    func testATagBelowEveryThresholdHangsUnderItsMostFrequentSection() throws {
        let g = try DebtagsGraph.build(packages, configuration: configuration(share: 0.9))
        XCTAssertEqual(parents(g, "role::program"), ["utils"])
        XCTAssertEqual(parents(g, "use::gameplaying"), ["games"], "2/3 < 0.9, but games is its most frequent section")
    }

    func testNoVocabularyThrowsAnActionableError() {
        var c = configuration(share: 0.5)
        c.facets = ["hardware"]
        XCTAssertThrowsError(try DebtagsGraph.build(packages, configuration: c)) { error in
            XCTAssertTrue("\(error)".contains("Fix:"), "\(error)")
        }
    }
}

final class ShippedDebianGraphTests: XCTestCase {
    /// data/label-graphs/debian-debtags.graph: sections under the root, every debtag under ≥ 1 section, and
    /// role::program (a tag of most application sections) has nondeterministic paths.
    func testShippedDebianGraph() throws {
        let url = ShippedGraphTests.directory.appendingPathComponent("debian-debtags.graph")
        let g = try LabelGraph(parsing: String(contentsOf: url, encoding: .utf8), file: url.path)
        XCTAssertEqual(Set(g.children[g.root]), Set(g.labels(in: "sections")))
        XCTAssertEqual(g.labels(in: "debtags").count, 48)
        for t in g.labels(in: "debtags") {
            XCTAssertFalse(g.parents[t].isEmpty)
            XCTAssertTrue(g.parents[t].allSatisfy { g.nodes[$0].datasets == ["sections"] }, g.nodes[t].id)
        }
        let program = try PredictionPaths(graph: g).groundTruth(label: "role::program", dataset: "debtags")
        XCTAssertGreaterThan(program.paths.count, 10)
        XCTAssertFalse(program.isDeterministic.contains(true))
    }
}
