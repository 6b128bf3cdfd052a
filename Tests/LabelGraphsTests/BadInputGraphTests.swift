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
                        "two-roots.graph": "root", "empty.graph": "root"]
        // latin1.graph is not text to parse: `tributary graph validate` reads it in BadInputCorpusTests (not valid UTF-8).
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path)
            .filter { $0.hasSuffix(".graph") && $0 != "latin1.graph" }.sorted()
        XCTAssertEqual(Set(files), Set(expected.keys))
        for name in files {
            let path = Self.folder.appendingPathComponent(name).path
            let text = try String(contentsOfFile: path, encoding: .utf8)
            XCTAssertThrowsError(try LabelGraph(parsing: text, file: path), name) { error in
                let message = "\(error)"
                XCTAssertTrue(message.contains(name), "\(name): \(message)")
                XCTAssertTrue(message.lowercased().contains(expected[name]!), "\(name): \(message)")
            }
        }
    }
}
