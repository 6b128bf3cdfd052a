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
        let fold = try run(["train-text", "--fold", "0/5", "--out", "/nonexistent/m.h5"])
        XCTAssertEqual(fold.status, 64, fold.output)
        XCTAssertTrue(fold.output.contains("'--fold' = \"0/5\" must be k/K with 1 ≤ k ≤ K"), fold.output)
        let csv = try run(["train-text", "--corpus", "csv", "--out", "/nonexistent/m.h5"])
        XCTAssertEqual(csv.status, 64, csv.output)
        XCTAssertTrue(csv.output.contains("--corpus csv needs --data"), csv.output)
        let resume = try run(["train-text", "--resume", "--out", "/nonexistent/m.h5"])
        XCTAssertTrue(resume.output.contains("--resume needs --checkpoint"), resume.output)
    }

    /// `--debian-labels` used to be accepted and ignored for every corpus but debian; it is refused there now.
    func testDebianLabelsOnlyWithTheDebianCorpus() throws {
        for command in [["train-text", "--out", "/nonexistent/m.h5"], ["embed", "--model", "/nonexistent/m.h5", "--out", "/nonexistent/e.h5"]] {
            let bbc = try run(command + ["--corpus", "bbc", "--debian-labels", "tags"])
            XCTAssertEqual(bbc.status, 64, bbc.output)
            XCTAssertTrue(bbc.output.contains("--debian-labels tags applies only to --corpus debian"), bbc.output)
        }
        let corpus = try run(["embed", "--corpus", "reuters", "--model", "m.h5", "--out", "e.h5"])
        XCTAssertEqual(corpus.status, 64, corpus.output)
        XCTAssertTrue(corpus.output.contains("'bbc', 'bbcsport', '20news', 'debian' or 'csv'"), corpus.output)
    }

    /// A model that would be thrown away is not trained: `--out` is required.
    func testOutIsRequired() throws {
        let missing = try run(["train-text", "--corpus", "bbc"])
        XCTAssertEqual(missing.status, 64, missing.output)
        XCTAssertTrue(missing.output.contains("Missing expected argument '--out <out>'"), missing.output)
    }

    func testMissingArchiveNamesTheFileAndTheFix() throws {
        let missing = try run(["train-text", "--corpus", "bbc", "--data", "/nonexistent/bbc.tar.gz", "--out", "/nonexistent/m.h5"])
        XCTAssertEqual(missing.status, 1, missing.output)
        XCTAssertTrue(missing.output.contains("[rank 0] /nonexistent/bbc.tar.gz: corpus not found; pass --data"),
                      missing.output)
    }
}
