import Foundation
import TestSupport
import XCTest

/// `tributary plan`: a dry run that says what `run` would do and write, and fails when run would.
final class PlanCLITests: XCTestCase {
    func testThePlanEstimatesTheFisherVectorsAndWritesNothing() throws {
        let work = try makeTemporaryDirectory("plan")
        let config = work.appendingPathComponent("c.json")
        try Data(#"""
            {"out": "out", "datasets": {"img": {"kind": "synthetic", "count": 8, "width": 32, "height": 32}},
             "stages": [{"name": "fv", "type": "fisher", "dataset": "img", "params": {"components": 2, "pca_dims": 4}},
                        {"name": "s", "type": "split", "inputs": {"fv": "fv"}}]}
            """#.utf8).write(to: config)
        let result = try runTributary(["plan", config.path])
        XCTAssertEqual(result.status, 0, result.output)
        // By hand: 8 regions (1x1 + 2x2 + 1x3) × 2·M·d = 2·2·4 floats per region and kind → 2 × 128 floats = 1,024 B,
        // + 16 B of id and label per image = 1,040 B × 8 images = 8,320 B.
        XCTAssertTrue(result.output.contains("fv.h5 (8 images, float32): 8.1 KiB"), result.output)
        // images.csv: the header (32 B) + 8 rows "synthetic/00000i,<class>,train,<class>,\n" (28 B each) = 256 B.
        XCTAssertTrue(result.output.contains("[2/2] s (split): not run; writes images.csv (8 rows): 256 B"), result.output)
        XCTAssertTrue(result.output.contains("estimated to write: 8.4 KiB"), result.output)  // 8,320 + 256 B
        XCTAssertTrue(result.output.contains("plan: run can start"), result.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: work.path + "/out"), "a plan writes nothing")
    }

    func testAMissingInputMakesThePlanFail() throws {
        let work = try makeTemporaryDirectory("plan-missing")
        let config = work.appendingPathComponent("c.json")
        try Data(#"{"out": "out", "datasets": {"t": {"kind": "csv", "data": "texts.csv"}}, "stages": [{"name": "m", "type": "train-text", "dataset": "t"}]}"#
            .utf8).write(to: config)
        let result = try runTributary(["plan", config.path])
        XCTAssertEqual(result.status, 1, result.output)
        XCTAssertTrue(result.output.contains("missing input: datasets.t.data = \(work.path)/texts.csv"), result.output)
        XCTAssertTrue(result.output.contains("plan: run would fail"), result.output)
    }
}
