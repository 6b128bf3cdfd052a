import Foundation
import TestSupport
import XCTest

/// `tributary run` / `tributary status` through the CLI: help text, flag rules, progress lines, the embedded
/// default config parses, and status before and after a run.
final class RunCLITests: XCTestCase {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    func testHelpListsEveryStageType() throws {
        let help = try runTributary(["run", "--help"]).output
        for type in ["fisher", "split", "annotate", "train-paths", "train-text", "embed", "index", "query", "train-infused",
                     "--quiet", "--verbose", "data/pipelines/README.md"] {
            XCTAssertTrue(help.contains(type), "run --help lacks \(type)")
        }
        XCTAssertTrue(try runTributary(["--help"]).output.contains("status"))
    }

    func testQuietAndVerboseExcludeEachOther() throws {
        let result = try runTributary(["run", "x.json", "--quiet", "--verbose"])
        XCTAssertEqual(result.status, 64, result.output)
        XCTAssertTrue(result.output.contains("--quiet or --verbose"), result.output)
    }

    func testTheEmbeddedDefaultConfigIsValid() throws {
        // status parses and checks the config without running a stage or writing a file.
        let path = Self.repository.appendingPathComponent("data/pipelines/default.json").path
        let folder = try makeTemporaryDirectory("run-cli-default")
        var text = try String(contentsOfFile: path, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"out/default\"", with: "\"\(folder.path)/out\"")
        // Keep the test quick: status hashes the datasets, which here would mean 30 MB of idx files and a full
        // apt-cache dumpavail in a debug build. Point both at nothing: status then reports them unhashed.
        text = text.replacingOccurrences(of: "\"kind\": \"fashion-mnist\",", with: "\"kind\": \"fashion-mnist\", \"data\": \"\(folder.path)/none\",")
        text = text.replacingOccurrences(of: "\"kind\": \"debian\",", with: "\"kind\": \"debian\", \"data\": \"\(folder.path)/none.txt\",")
        let copy = folder.appendingPathComponent("default.json").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: copy))
        let result = try runTributary(["status", copy, "--ranks", "2"])
        XCTAssertEqual(result.status, 0, result.output)
        for stage in ["fashion-fv (fisher): not run", "fashion-svm (annotate)", "fashion-paths (train-paths)",
                      "packages-lstm (train-text)", "packages-infused (train-infused)", "packages-query (query)"] {
            XCTAssertTrue(result.output.contains(stage), result.output)
        }
        XCTAssertTrue(result.output.contains("0/9 stage(s) done"), result.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.path + "/out"), "status writes nothing")
    }

    func testProgressLinesQuietAndVerbose() throws {
        let folder = try makeTemporaryDirectory("run-cli")
        let config = folder.appendingPathComponent("cfg.json").path
        try Data("""
            {"out": "\(folder.path)/out", "datasets": {"img": {"kind": "synthetic", "count": 6, "width": 24, "height": 24}},
             "stages": [{"name": "fv", "type": "fisher", "dataset": "img",
                         "params": {"components": 2, "pca_dims": 4, "sample_size": 100, "iterations": 2, "chunk_size": 2}}]}
            """.utf8).write(to: URL(fileURLWithPath: config))
        let verbose = try runTributary(["run", config, "--verbose"])
        XCTAssertEqual(verbose.status, 0, verbose.output)
        XCTAssertTrue(verbose.output.contains("[1/1] fv (fisher): 6 images →"), verbose.output)
        XCTAssertTrue(verbose.output.contains("  fv  encode (rank 0 shard)  2/6 images (33%)"), "verbose shows the stages' progress lines:\n\(verbose.output)")
        XCTAssertTrue(verbose.output.contains("    extract: shard 0 (images 0..<6) written"), "verbose shows the stages' status lines:\n\(verbose.output)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.path + "/out/fv/metrics.jsonl"), "the stage's metrics file")
        XCTAssertTrue(verbose.output.contains("run: 1 stage(s) run, 0 skipped"), verbose.output)
        let quiet = try runTributary(["run", config, "--quiet"])
        XCTAssertEqual(quiet.status, 0, quiet.output)
        XCTAssertEqual(quiet.output.split(separator: "\n").count, 1, "quiet prints only the final line:\n\(quiet.output)")
        XCTAssertTrue(quiet.output.contains("0 stage(s) run, 1 skipped"), quiet.output)
        let status = try runTributary(["status", config])
        XCTAssertTrue(status.output.contains("[1/1] fv (fisher): done") && status.output.contains("1/1 stage(s) done"), status.output)
    }
}
