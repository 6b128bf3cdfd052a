import Foundation
import XCTest

/// `train-text`, `embed` and `bench bilstm|gru`: registration, flag validation and corpus errors through the binary.
final class TextCLITests: XCTestCase {
    private func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try runTributary(arguments)
    }

    func testSubcommandsAreRegistered() throws {
        XCTAssertTrue(try run(["--help"]).output.contains("train-text"))
        XCTAssertTrue(try run(["--help"]).output.contains("embed"))
        let bench = try run(["bench", "--help"]).output
        XCTAssertTrue(bench.contains("bilstm") && bench.contains("gru"), bench)
    }

    func testBadFlagsAreValidationErrors() throws {
        let fold = try run(["train-text", "--fold", "0/5"])
        XCTAssertEqual(fold.status, 64, fold.output)
        XCTAssertTrue(fold.output.contains("--fold must be k/K"), fold.output)
        let csv = try run(["train-text", "--corpus", "csv"])
        XCTAssertEqual(csv.status, 64, csv.output)
        XCTAssertTrue(csv.output.contains("--corpus csv needs --data"), csv.output)
        let resume = try run(["train-text", "--resume"])
        XCTAssertTrue(resume.output.contains("--resume needs --checkpoint"), resume.output)
    }

    func testMissingArchiveNamesTheFileAndTheFix() throws {
        let missing = try run(["train-text", "--corpus", "bbc", "--data", "/nonexistent/bbc.tar.gz"])
        XCTAssertEqual(missing.status, 1, missing.output)
        XCTAssertTrue(missing.output.contains("[rank 0] /nonexistent/bbc.tar.gz: corpus not found; pass --data"),
                      missing.output)
    }
}
