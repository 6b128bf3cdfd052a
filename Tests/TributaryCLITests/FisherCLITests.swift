import Foundation
import XCTest

/// The Fisher-vector subcommands' flag rules and help text (the stages themselves are tested in PipelineTests).
final class FisherCLITests: XCTestCase {
    private func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try runTributary(arguments)
    }

    func testHelpListsTheStagesAndBenches() throws {
        let help = try run(["--help"]).output
        for stage in ["extract", "fit-pca", "fit-gmm", "encode", "fisher"] { XCTAssertTrue(help.contains(stage), help) }
        let bench = try run(["bench", "--help"]).output
        for name in ["dsift", "fisher", "gmm"] { XCTAssertTrue(bench.contains(name), bench) }
        let fisher = try run(["fisher", "--help"]).output
        for flag in ["--dataset", "--data", "--labels-csv", "--limit", "--split", "--out", "--patch-size", "--step",
                     "--scales", "--pca-dims", "--components", "--sample-size", "--iterations", "--chunk-size", "--seed"] {
            XCTAssertTrue(fisher.contains(flag), "fisher --help lacks \(flag)")
        }
    }

    func testFlagRulesAreValidationErrors() throws {
        let noData = try run(["extract", "--dataset", "folder"])
        XCTAssertEqual(noData.status, 64, noData.output)
        XCTAssertTrue(noData.output.contains("--dataset folder needs --data"), noData.output)
        let badSplit = try run(["fisher", "--split", "validation"])
        XCTAssertEqual(badSplit.status, 64, badSplit.output)
        XCTAssertTrue(badSplit.output.contains("must be train or test"), badSplit.output)
        let badPatch = try run(["extract", "--patch-size", "10"])
        XCTAssertTrue(badPatch.output.contains("--patch-size must be a positive multiple of 4, got 10"), badPatch.output)
    }

    func testMissingInputNamesTheStageToRun() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fisher-cli-\(UUID().uuidString)")
        let result = try run(["fit-pca", "--out", folder.path])
        XCTAssertEqual(result.status, 1, result.output)
        XCTAssertTrue(result.output.contains("[rank 0]") && result.output.contains("descriptors.h5 does not exist")
                      && result.output.contains("tributary extract"), result.output)
    }
}
