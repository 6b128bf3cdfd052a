import LabelGraphs
import XCTest

final class OutlineTests: XCTestCase {
    let pets = """
        # Figure 2 as an outline
        Animal
          Cat @dogs-vs-cats
            Shorthair [hair]
              British Shorthair @pets
            Longhair [hair]
              Ragdoll @pets
            Solid color [color]
              British Shorthair
            Tabby color [color]
              British Shorthair
            Point color [color]
              British Shorthair
              Ragdoll
        """

    func testOutlineBuildsTheFigure2Graph() throws {
        let g = try LabelGraph(outline: pets, file: "pets.outline")
        XCTAssertEqual(g.nodes.map(\.id), ["animal", "cat", "shorthair", "british-shorthair", "longhair", "ragdoll",
                                           "solid-color", "tabby-color", "point-color"])
        XCTAssertEqual(g.nodes.map(\.kind), [.root, .label, .augmented, .label, .augmented, .label, .augmented, .augmented, .augmented])
        XCTAssertEqual(g.nodes[3].name, "British Shorthair")
        XCTAssertEqual(g.nodes[3].datasets, ["pets"])
        let bsh = g.index(of: "british-shorthair")!
        XCTAssertEqual(g.parents[bsh].map { g.nodes[$0].id }, ["shorthair", "solid-color", "tabby-color", "point-color"])
        let cat = g.index(of: "cat")!
        XCTAssertEqual(g.groupsUnder[cat].map { g.groups[$0].members.map { g.nodes[$0].id } },
                       [["shorthair", "longhair"], ["solid-color", "tabby-color", "point-color"]])
        // The same graph as the .graph fixture: same paths and classification.
        let fixture = graph(figure2)
        let a = try PredictionPaths(graph: g).groundTruth(label: "british-shorthair", dataset: "pets")
        let b = try PredictionPaths(graph: fixture).groundTruth(label: "bsh", dataset: "pets")
        XCTAssertEqual(a.isDeterministic, b.isDeterministic)
    }

    func testUntaggedSiblingsFormOneGroup() throws {
        let g = try LabelGraph(outline: "Clothing\n  Tops @coarse\n    Shirt @fine\n    Coat @fine\n  Bags @coarse\n")
        XCTAssertEqual(g.groups.count, 2)
        XCTAssertTrue(g.groups.allSatisfy { !$0.declared })
        XCTAssertTrue(g.competing(g.index(of: "tops")!, g.index(of: "bags")!))
    }

    func testOutlineErrors() {
        let badIndent = labelGraphError { _ = try LabelGraph(outline: "Root\n    A @d\n  B @d\n", file: "x.outline") }
        guard case let .syntax(_, line, message)? = badIndent else { return XCTFail("\(String(describing: badIndent))") }
        XCTAssertEqual(line, 3)
        XCTAssertTrue(message.contains("lines up with no line above"), message)
        let twoRoots = labelGraphError { _ = try LabelGraph(outline: "Root\n  A @d\nOther\n") }
        guard case let .syntax(_, l2, m2)? = twoRoots else { return XCTFail("\(String(describing: twoRoots))") }
        XCTAssertEqual(l2, 3)
        XCTAssertTrue(m2.contains("exactly one root"), m2)
        let tabs = labelGraphError { _ = try LabelGraph(outline: "Root\n\tA @d\n") }
        guard case .syntax(_, 2, _)? = tabs else { return XCTFail("\(String(describing: tabs))") }
        let conflict = labelGraphError { _ = try LabelGraph(outline: "Root\n  A @d\n  B\n    A @e\n") }
        XCTAssertEqual(conflict, .duplicateNode(file: "<outline>", line: 4, id: "a", firstLine: 2))
    }
}
