import LabelGraphs
import XCTest

final class GraphFormatTests: XCTestCase {
    func testParsesFigure2() throws {
        let g = try LabelGraph(parsing: figure2)
        XCTAssertEqual(g.count, 9)
        XCTAssertEqual(g.nodes[g.root].id, "animal")
        XCTAssertEqual(g.nodes[g.index(of: "bsh")!].name, "British-Shorthair")
        XCTAssertEqual(g.nodes[g.index(of: "cat")!].datasets, ["dogs-vs-cats"])
        XCTAssertEqual(g.datasets, ["dogs-vs-cats", "pets"])
        let (cat, short, long, solid, tabby) = (g.index(of: "cat")!, g.index(of: "shorthair")!, g.index(of: "longhair")!,
                                                g.index(of: "solid")!, g.index(of: "tabby")!)
        XCTAssertEqual(g.groupsUnder[cat].count, 2)
        XCTAssertTrue(g.competing(short, long))
        XCTAssertTrue(g.competing(solid, tabby))
        XCTAssertFalse(g.competing(short, solid), "Hair and Color pattern are different groups")
        XCTAssertFalse(g.competing(short, short))
        // Parents without group lines get one default group of all their children.
        let shorthairGroups = g.groupsUnder[short].map { g.groups[$0] }
        XCTAssertEqual(shorthairGroups.map(\.declared), [false])
    }

    func testTextRoundTrips() throws {
        let g = try LabelGraph(parsing: figure2)
        let again = try LabelGraph(parsing: g.text)
        XCTAssertEqual(again.nodes.map(\.id), g.nodes.map(\.id))
        XCTAssertEqual(again.nodes.map(\.name), g.nodes.map(\.name))
        XCTAssertEqual(again.children, g.children)
        XCTAssertEqual(again.groups, g.groups)
    }

    func testQuotedNamesAndComments() throws {
        let g = try LabelGraph(parsing: """
            node r root "Root # not a comment"   # a comment
            node t label datasets=a,b "T-shirt/top \\"x\\""
            edge r t
            """)
        XCTAssertEqual(g.nodes[0].name, "Root # not a comment")
        XCTAssertEqual(g.nodes[1].name, "T-shirt/top \"x\"")
        XCTAssertEqual(g.nodes[1].datasets, ["a", "b"])
    }

    func testSyntaxErrorsCarryLineNumbers() {
        let cases: [(String, Int, String)] = [
            ("node r root\nnode x wrongkind\n", 2, "unknown node kind"),
            ("node r root\n\n\nfrobnicate r\n", 4, "unknown statement"),
            ("node r root\nnode x label \"unterminated\n", 2, "unterminated"),
            ("node r root\nedge r\n", 2, "`edge` needs"),
            ("node r root\nnode x label bogus=1\n", 2, "unexpected 'bogus=1'"),
        ]
        for (text, line, fragment) in cases {
            guard let error = labelGraphError({ _ = try LabelGraph(parsing: text, file: "bad.graph") }) else { continue }
            XCTAssertEqual(error, error)
            guard case let .syntax(file, l, _) = error else { XCTFail("\(error)"); continue }
            XCTAssertEqual(file, "bad.graph")
            XCTAssertEqual(l, line, "\(error)")
            XCTAssertTrue(error.description.hasPrefix("bad.graph:\(line): "), error.description)
            XCTAssertTrue(error.description.contains(fragment), error.description)
        }
    }

    func testCycleIsReportedWithItsPath() {
        let text = """
            node r root
            node a augmented
            node b augmented
            node c augmented
            node l label datasets=d
            edge r a
            edge a b
            edge b c
            edge c a
            edge c l
            """
        let error = labelGraphError { _ = try LabelGraph(parsing: text, file: "cyc.graph") }
        XCTAssertEqual(error, .cycle(file: "cyc.graph", path: ["a", "b", "c", "a"]))
        XCTAssertTrue(error?.description.contains("a → b → c → a") ?? false, "\(String(describing: error))")
    }

    func testUnreachableLabel() {
        let text = "node r root\nnode a label datasets=d\nnode orphan label datasets=d\nedge r a\n"
        let error = labelGraphError { _ = try LabelGraph(parsing: text, file: "o.graph") }
        XCTAssertEqual(error, .unreachable(file: "o.graph", ids: ["orphan"]))
        XCTAssertTrue(error?.description.contains("'orphan'") ?? false)
    }

    func testGroupAcrossParents() {
        let text = """
            node r root
            node p augmented
            node q augmented
            node x label datasets=d
            node y label datasets=d
            edge r p q
            edge p x
            edge q y
            group p x y
            """
        let error = labelGraphError { _ = try LabelGraph(parsing: text, file: "g.graph") }
        guard case let .invalidGroup(_, line, parent, message)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(line, 9)
        XCTAssertEqual(parent, "p")
        XCTAssertTrue(message.contains("'y' is not a child of 'p' (its parents: q)"), message)
    }

    func testChildMissingFromDeclaredGroups() {
        let text = "node r root\nnode a label datasets=d\nnode b label datasets=d\nnode c label datasets=d\nedge r a b c\ngroup r a b\n"
        let error = labelGraphError { _ = try LabelGraph(parsing: text) }
        guard case let .invalidGroup(_, _, parent, message)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(parent, "r")
        XCTAssertTrue(message.contains("'c'"), message)
    }

    func testDuplicateID() {
        let text = "node r root\nnode a label datasets=d\nnode a augmented\nedge r a\n"
        XCTAssertEqual(labelGraphError { _ = try LabelGraph(parsing: text, file: "d.graph") },
                       .duplicateNode(file: "d.graph", line: 3, id: "a", firstLine: 2))
    }

    func testUnknownNode() {
        let text = "node r root\nnode a label datasets=d\nedge r a\nedge a zebra\n"
        let error = labelGraphError { _ = try LabelGraph(parsing: text, file: "u.graph") }
        XCTAssertEqual(error, .unknownNode(file: "u.graph", line: 4, id: "zebra", context: "edge"))
        XCTAssertTrue(error?.description.hasPrefix("u.graph:4: edge names unknown node 'zebra'") ?? false)
    }

    func testStructuralRules() {
        XCTAssertEqual(labelGraphError { _ = try LabelGraph(parsing: "node a label datasets=d\n", file: "f") },
                       .rootCount(file: "f", roots: []))
        XCTAssertEqual(labelGraphError { _ = try LabelGraph(parsing: "node a root\nnode b root\n", file: "f") },
                       .rootCount(file: "f", roots: ["a", "b"]))
        let leaf = labelGraphError { _ = try LabelGraph(parsing: "node r root\nnode x augmented\nedge r x\n") }
        guard case let .invalidNode(_, line, id, _)? = leaf else { return XCTFail("\(String(describing: leaf))") }
        XCTAssertEqual(line, 2)
        XCTAssertEqual(id, "x")
        let noDataset = labelGraphError { _ = try LabelGraph(parsing: "node r root\nnode x label\nedge r x\n") }
        XCTAssertTrue(noDataset?.description.contains("datasets=") ?? false)
        let rootParent = labelGraphError { _ = try LabelGraph(parsing: "node r root\nnode x label datasets=d\nedge r x\nedge x r\n") }
        XCTAssertTrue(rootParent?.description.contains("root cannot have a parent") ?? false)
    }
}
