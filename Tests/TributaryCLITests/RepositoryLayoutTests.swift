import Foundation
import XCTest

/// The file layout is what the README says: every module under Sources/ is in the README's Layout block (and
/// every module named there exists), and every file of launch/, bench/, experiments/ and Tests/smoke/ is in its
/// folder's README table.
final class RepositoryLayoutTests: XCTestCase {
    static let root = RunCLITests.repository

    private func text(_ relative: String) throws -> String {
        try String(contentsOf: Self.root.appendingPathComponent(relative), encoding: .utf8)
    }

    private func files(in folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent(folder).path)
            .filter { !$0.hasPrefix(".") && $0 != "README.md" && $0 != "__pycache__" }.sorted()
    }

    func testEveryModuleIsInTheReadmeLayout() throws {
        let readme = try text("README.md")
        let start = try XCTUnwrap(readme.range(of: "## Layout"))
        let block = readme[start.upperBound...].components(separatedBy: "```")[1]
        // Module lines are indented two spaces under `Sources/`: `  Name   description`.
        var named = Set<String>()
        for line in block.split(separator: "\n") where line.hasPrefix("  ") && !line.hasPrefix("   ") {
            let names = String(line.dropFirst(2)).components(separatedBy: "  ")[0]  // the names end at a double space
            for word in names.split(separator: ",") { named.insert(word.trimmingCharacters(in: .whitespaces)) }
        }
        let modules = Set(try files(in: "Sources"))
        XCTAssertEqual(modules.subtracting(named), [], "modules missing from README's Layout")
        XCTAssertEqual(named.subtracting(modules), [], "README's Layout names modules that do not exist")
        for folder in ["Tests/", "Tests/smoke/", "launch/", "bench/", "experiments/", "data/", "docs/"] {
            XCTAssertTrue(block.contains(folder), "README's Layout does not describe \(folder)")
        }
    }

    func testEveryScriptIsInItsFolderTable() throws {
        for folder in ["launch", "bench", "experiments", "Tests/smoke"] {
            let table = try text(folder + "/README.md")
            for file in try files(in: folder) {
                XCTAssertTrue(table.contains("`\(file)"), "\(folder)/\(file) is not in \(folder)/README.md")
            }
        }
    }
}
