import Foundation
import TestSupport
import XCTest

/// `train-infused`: registration, flag rules and input errors (the stage is tested in
/// PipelineTests/InfusedTrainingTests).
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
        let noIndex = try runTributary(["train-infused", "--model", "m.h5"])
        XCTAssertNotEqual(noIndex.status, 0)
        XCTAssertTrue(noIndex.output.contains("--index"), noIndex.output)
        let penalty = try runTributary(["train-infused", "--model", "m.h5", "--index", "i.h5", "--penalty=-1"])
        XCTAssertNotEqual(penalty.status, 0)
        XCTAssertTrue(penalty.output.contains("--penalty must be ≥ 0"), penalty.output)
        let missing = try runTributary(["train-infused", "--model", "/nonexistent/m.h5", "--index", "i.h5",
                                        "--corpus", "bbc", "--data", "/nonexistent/bbc.tar.gz"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.output.contains("/nonexistent/m.h5"), missing.output)
    }
}
