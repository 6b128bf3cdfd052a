import Foundation
import TestSupport
import XCTest

/// `train-infused`: registration, flag rules and input errors (the stage is tested in
/// InstanceInfusionTests/InfusedTrainingTests).
final class InfusionCLITests: XCTestCase {
    func testCommandIsRegistered() throws {
        XCTAssertTrue(try runTributary(["--help"]).output.contains("train-infused"))
        let help = try runTributary(["train-infused", "--help"]).output
        for flag in ["--model", "--index", "-k", "--penalty", "--refresh-every", "--exclude-self", "--fold",
                     "--train-fraction", "--out"] {
            XCTAssertTrue(help.contains(flag), "train-infused --help lacks \(flag)")
        }
    }

    func testFlagRulesAndMissingInputs() throws {
        let noIndex = try runTributary(["train-infused", "--model", "m.h5", "--out", "o.h5"])
        XCTAssertNotEqual(noIndex.status, 0)
        XCTAssertTrue(noIndex.output.contains("--index"), noIndex.output)
        let penalty = try runTributary(["train-infused", "--model", "m.h5", "--index", "i.h5", "--penalty=-1", "--out", "o.h5"])
        XCTAssertNotEqual(penalty.status, 0)
        XCTAssertTrue(penalty.output.contains("'--penalty' = -1.0 must be ≥ 0"), penalty.output)
        let missing = try runTributary(["train-infused", "--model", "/nonexistent/m.h5", "--index", "i.h5",
                                        "--corpus", "bbc", "--data", "/nonexistent/bbc.tar.gz", "--out", "/nonexistent/o.h5"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.output.contains("/nonexistent/m.h5"), missing.output)
    }

    /// An infused model that would be thrown away is not trained: `--out` is required (as for train-text).
    func testOutIsRequired() throws {
        let missing = try runTributary(["train-infused", "--model", "m.h5", "--index", "i.h5"])
        XCTAssertEqual(missing.status, 64, missing.output)
        XCTAssertTrue(missing.output.contains("Missing expected argument '--out <out>'"), missing.output)
    }

    /// `train-text`, `train-infused` and `experiment baselines` read `--fold` with one parser (`TextSplitChoice`):
    /// the same values fail with the same message (`1/x/5` used to pass as 1/5 in the two copies), and a
    /// `--test-fraction` next to `--fold` is refused instead of ignored (`experiment baselines` used to ignore it).
    func testFoldIsParsedAlikeByEveryCommand() throws {
        let commands: [[String]] = [["train-text", "--out", "/nonexistent/m.h5"],
                                    ["train-infused", "--model", "m.h5", "--index", "i.h5", "--out", "/nonexistent/o.h5"],
                                    ["experiment", "baselines"]]
        for command in commands {
            for fold in ["0/5", "1/x/5", "6/5", "1/1"] {
                let bad = try runTributary(command + ["--fold", fold])
                XCTAssertEqual(bad.status, 64, "\(command[0]) --fold \(fold): \(bad.output)")
                XCTAssertTrue(bad.output.contains("'--fold' = \"\(fold)\" must be k/K with 1 ≤ k ≤ K and K ≥ 2, e.g. 1/5"),
                              "\(command[0]) --fold \(fold): \(bad.output)")
            }
            let both = try runTributary(command + ["--fold", "1/5", "--test-fraction", "0.2"])
            XCTAssertEqual(both.status, 64, "\(command[0]): \(both.output)")
            XCTAssertTrue(both.output.contains("'--test-fraction' = 0.2 cannot be given with fold"), "\(command[0]): \(both.output)")
        }
    }
}
