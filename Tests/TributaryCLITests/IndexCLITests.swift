import Foundation
import TestSupport
import XCTest

/// `index`, `query` and `bench knn`: registration, flag rules and input errors (the stages are tested in
/// InstanceInfusionTests/IndexQueryTests).
final class IndexCLITests: XCTestCase {
    private func run(_ arguments: [String], environment extra: [String: String] = [:]) throws -> (status: Int32, output: String) {
        try runTributary(arguments, environment: extra)
    }

    func testCommandsAreRegistered() throws {
        let help = try run(["--help"]).output
        for name in ["index", "query"] { XCTAssertTrue(help.contains(name), "--help lacks \(name):\n\(help)") }
        XCTAssertTrue(try run(["bench", "--help"]).output.contains("knn"))
        let index = try run(["index", "--help"]).output
        for flag in ["--embeddings", "--out", "--trees", "--max-depth", "--candidates-per-tree", "--metric", "--seed"] {
            XCTAssertTrue(index.contains(flag), "index --help lacks \(flag)")
        }
        let query = try run(["query", "--help"]).output
        for flag in ["--index", "--queries", "--out", "-k", "--exclude-self"] {
            XCTAssertTrue(query.contains(flag), "query --help lacks \(flag)")
        }
    }

    func testFlagRulesAndMissingInputs() throws {
        let metric = try run(["index", "--embeddings", "e.h5", "--out", "i.h5", "--metric", "hamming"])
        XCTAssertNotEqual(metric.status, 0)
        XCTAssertTrue(metric.output.contains("'cosine', 'ip' or 'l2'"), metric.output)
        let k = try run(["query", "--index", "i.h5", "--queries", "q.h5", "--out", "o.h5", "-k", "0"])
        XCTAssertNotEqual(k.status, 0)
        XCTAssertTrue(k.output.contains("'--neighbours' = 0 must be ≥ 1"), k.output)
        let missing = try run(["query", "--index", "/nonexistent/i.h5", "--queries", "q.h5", "--out", "o.h5"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.output.contains("tributary index"), missing.output)
        let anchors = try run(["bench", "knn"], environment: ["ANCHOR_DATA": "/nonexistent"])
        XCTAssertNotEqual(anchors.status, 0)
        XCTAssertTrue(anchors.output.contains("gen_data.py"), anchors.output)
    }
}
