import Core
import Foundation
import LabelGraphs
import XCTest

/// The label-graph files of the bad-input corpus (`Tests/bad-inputs/graphs/`). No `tributary` command reads a
/// label graph yet (the `graph` stage is being added), so they go through `LabelGraph(parsing:file:)`, which
/// that stage will call: each must be rejected with a message naming the file and the fix.
final class BadInputGraphTests: XCTestCase {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("bad-inputs/graphs")

    func testEveryBadGraphIsRejectedNamingTheFile() throws {
        let expected = ["cycle.graph": "cycle", "unreachable.graph": "reachable", "unknown-label.graph": "zebra",
                        "two-roots.graph": "root", "empty.graph": "root",
                        // Text that is not UTF-8, or a NUL in an id: refused by the strict read (`StrictText`), with
                        // the line and byte offset, never merged into one U+FFFD label.
                        "latin1-labels.graph": "utf-8", "nul-in-id.graph": "nul"]
        // latin1.graph is not text to parse: `tributary graph validate` reads it in BadInputCorpusTests (not valid UTF-8).
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path)
            .filter { $0.hasSuffix(".graph") && $0 != "latin1.graph" }.sorted()
        XCTAssertEqual(Set(files), Set(expected.keys))
        for name in files {
            let path = Self.folder.appendingPathComponent(name).path
            func load() throws -> LabelGraph {  // the strict read (`StrictText`) that `LabelGraph.read(file:)` uses
                try LabelGraph(parsing: try StrictText.contentsOfFile(path) ?? "", file: path)
            }
            XCTAssertThrowsError(try load(), name) { error in
                let message = "\(error)"
                XCTAssertTrue(message.contains(name), "\(name): \(message)")
                XCTAssertTrue(message.lowercased().contains(expected[name]!), "\(name): \(message)")
            }
        }
    }
}
