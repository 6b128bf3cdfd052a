import Foundation
import XCTest

/// The annotation subcommands' flags, help text and messages (the stages are tested in FisherAnnotationTests).
final class AnnotateCLITests: XCTestCase {
    private func run(_ arguments: [String], environment extra: [String: String] = [:]) throws -> (status: Int32, output: String) {
        try runTributary(arguments, environment: extra)
    }

    func testHelpListsTheAnnotationCommands() throws {
        let help = try run(["--help"]).output
        XCTAssertTrue(help.contains("annotate") && help.contains("report"), help)
        let annotate = try run(["annotate", "--help"]).output
        for name in ["manifest", "train", "predict", "eval"] { XCTAssertTrue(annotate.contains(name), annotate) }
        let train = try run(["annotate", "train", "--help"]).output
        for flag in ["--fv", "--annotations", "--out", "--runs", "--concepts", "--min-tag-count", "--cost", "--slr-cost",
                     "--neighbours", "--tagprop-layouts"] {
            XCTAssertTrue(train.contains(flag), "annotate train --help lacks \(flag)")
        }
        for run in ["svm-late-visual", "svm-early-mixed", "slr-late-visual", "tagprop-mixed"] {
            XCTAssertTrue(train.contains(run), "annotate train --help lacks the run \(run)")
        }
        XCTAssertTrue(try run(["bench", "--help"]).output.contains("svm"))
        XCTAssertTrue(try run(["annotate", "manifest", "--help"]).output.contains("--rendering"))
    }

    func testFlagRulesAreValidationErrors() throws {
        let noFV = try run(["annotate", "train"])
        XCTAssertEqual(noFV.status, 64, noFV.output)
        XCTAssertTrue(noFV.output.contains("annotate train needs --fv"), noFV.output)
        let badRun = try run(["annotate", "train", "--fv", "x.h5", "--runs", "svm-late-visual,knn"])
        XCTAssertEqual(badRun.status, 64, badRun.output)
        XCTAssertTrue(badRun.output.contains("unknown run 'knn'"), badRun.output)
        let badLayouts = try run(["annotate", "train", "--fv", "x.h5", "--tagprop-layouts", "mixed"])
        XCTAssertTrue(badLayouts.output.contains("'mixed' is invalid for '--tagprop-layouts")
                      && badLayouts.output.contains("'summed' and 'separate'"), badLayouts.output)
        let badDataset = try run(["annotate", "manifest", "--dataset", "coco", "--data", "x"])
        XCTAssertTrue(badDataset.output.contains("'coco' is invalid for '--dataset")
                      && badDataset.output.contains("'emoji-tags', 'mirflickr' or 'class-csv'"), badDataset.output)
        let badFusion = try run(["annotate", "predict", "--late-fusion", "max"])
        XCTAssertTrue(badFusion.output.contains("'max' is invalid for '--late-fusion")
                      && badFusion.output.contains("'raw' and 'normalized'"), badFusion.output)
    }

    /// `annotate manifest`'s per-dataset options used to be accepted and ignored for the other datasets.
    func testManifestRefusesAnotherDatasetsOption() throws {
        let cases: [([String], String)] = [
            (["--dataset", "emoji-tags", "--seed", "3"], "--seed applies to --dataset mirflickr or class-csv, not emoji-tags"),
            (["--dataset", "class-csv", "--rendering", "noto"], "--rendering applies to --dataset emoji-tags, not class-csv"),
            (["--dataset", "emoji-tags", "--train-per-class", "5"], "--train-per-class applies to --dataset class-csv"),
            (["--dataset", "class-csv", "--train-fraction", "0.5"], "--train-fraction applies to --dataset mirflickr"),
            (["--dataset", "class-csv", "--relevant-only"], "--relevant-only applies to --dataset mirflickr"),
        ]
        for (arguments, message) in cases {
            let result = try run(["annotate", "manifest", "--data", "/nonexistent"] + arguments)
            XCTAssertEqual(result.status, 64, result.output)
            XCTAssertTrue(result.output.contains(message), result.output)
        }
    }

    func testMissingInputsNameTheCommandToRun() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("annotate-cli-\(UUID().uuidString)")
        let predict = try run(["annotate", "predict", "--out", folder.path])
        XCTAssertEqual(predict.status, 1, predict.output)
        XCTAssertTrue(predict.output.contains("models.h5 does not exist") && predict.output.contains("tributary annotate train"),
                      predict.output)
        let report = try run(["report", "--out", folder.path])
        XCTAssertTrue(report.output.contains("eval.h5 does not exist") && report.output.contains("tributary annotate eval"),
                      report.output)
        let train = try run(["annotate", "train", "--fv", folder.appendingPathComponent("fv.h5").path, "--out", folder.path])
        XCTAssertTrue(train.output.contains("images.csv does not exist") && train.output.contains("annotate manifest"), train.output)
    }

    func testBenchSVMSaysHowToGenerateMissingAnchorData() throws {
        let result = try run(["bench", "svm"], environment: ["ANCHOR_DATA": "/nonexistent-anchors"])
        XCTAssertEqual(result.status, 1, result.output)
        XCTAssertTrue(result.output.contains("/nonexistent-anchors/svm16k_X.f32 is missing")
                      && result.output.contains("python3 ../shared/bench/anchors/gen_data.py"), result.output)
    }
}
