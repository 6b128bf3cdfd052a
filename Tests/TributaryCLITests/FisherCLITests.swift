import Foundation
import XCTest

/// The Fisher-vector subcommands' flag rules and help text (the stages themselves are tested in FisherAnnotationTests).
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

    /// Options that used to be accepted and ignored: each step offers only the parameters it uses, so another step's
    /// parameter fails naming the option instead of being dropped silently.
    func testAnotherStepsParameterIsRefusedNotIgnored() throws {
        let cases: [([String], String)] = [
            (["fit-gmm", "--pca-dims", "16"], "--pca-dims"),     // d is pca.h5's: fit-gmm fitted 8 dims on an 8-dim PCA
            (["encode", "--seed", "3"], "--seed"),              // encode draws nothing at random
            (["extract", "--seed", "3"], "--seed"),             // extract draws nothing at random
            (["fit-pca", "--batch-size", "8"], "--batch-size"),  // fit-pca holds a sample, not batches of images
            (["fit-gmm", "--chunk-size", "8"], "--chunk-size"),
            (["fisher", "--batch-size", "8"], "--batch-size"),   // renamed --chunk-size: not the trainers' global batch
            (["fisher", "--dataset", "fashion-mnist", "--labels-csv", "labels.csv"], "--labels-csv"),
        ]
        for (arguments, flag) in cases {
            let result = try run(arguments)
            XCTAssertEqual(result.status, 64, "\(arguments) was accepted:\n\(result.output)")
            XCTAssertTrue(result.output.contains(flag), "\(arguments): the error does not name \(flag):\n\(result.output)")
        }
        let chunk = try run(["extract", "--help"]).output
        XCTAssertTrue(chunk.contains("--chunk-size") && chunk.contains("Images a rank holds"), chunk)
    }

    /// PCA cannot add dimensions: a --pca-dims above a descriptor's dimension (COL 96) used to be clamped silently;
    /// it now fails before any work, naming the option and the dimension.
    func testPCADimsAboveTheDescriptorDimensionIsAnError() throws {
        for command in ["fit-pca", "fisher"] {
            let result = try run([command, "--pca-dims", "100"])
            XCTAssertEqual(result.status, 64, result.output)
            XCTAssertTrue(result.output.contains("'--pca-dims' = 100") && result.output.contains("dimension 96"), result.output)
        }
        let fits = try run(["fit-pca", "--pca-dims", "96", "--out", "/nonexistent-fisher-dir"])
        XCTAssertTrue(fits.output.contains("descriptors.h5 does not exist"), "96 = COL's dimension is allowed:\n\(fits.output)")
    }
}
