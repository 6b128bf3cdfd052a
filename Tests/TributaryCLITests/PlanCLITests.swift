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
        // Peak memory per rank and time beside the bytes (StageCost; the formulas: PlanCostTests).
        XCTAssertTrue(result.output.contains("[1/2] fv (fisher): not run; writes "), result.output)
        XCTAssertTrue(result.output.contains("/rank, time ≈ "), result.output)
        XCTAssertTrue(result.output.contains("estimated peak memory per rank: "), result.output)
        XCTAssertTrue(result.output.contains("estimated time: "), result.output)
        XCTAssertFalse(result.output.contains("warning: "), result.output)
        // Each stage's resolved parameters: the config's values and the defaults it left out, in key order.
        let fisherParameters = result.output.components(separatedBy: "\n").first { $0.hasPrefix("    parameters: ") && $0.contains("pca_dims=") }
        XCTAssertNotNil(fisherParameters, result.output)
        XCTAssertTrue(fisherParameters!.contains("components=2, ") && fisherParameters!.contains("pca_dims=4"), fisherParameters!)
        XCTAssertTrue(fisherParameters!.contains("seed="), "defaults are listed too: \(fisherParameters!)")
        // Under a 1 MiB budget (the process alone takes more) both stages are flagged; the plan still passes:
        // the memory figure is an upper bound, a warning, not a refusal.
        let tight = try runTributary(["plan", config.path, "--memory", "1MiB"])
        XCTAssertEqual(tight.status, 0, tight.output)
        XCTAssertTrue(tight.output.contains("warning: fv may need "), tight.output)
        XCTAssertTrue(tight.output.contains("warning: s may need "), tight.output)
    }

    func testTheTextStagesAreEstimatedFromTheCorpusAndTheUpstreamSizes() throws {
        let work = try makeTemporaryDirectory("plan-text")
        let csv = "text,label\n" + (0 ..< 6).map { "word\($0) common text,\($0 % 2 == 0 ? "x" : "y")\n" }.joined()
        try Data(csv.utf8).write(to: work.appendingPathComponent("texts.csv"))
        let config = work.appendingPathComponent("c.json")
        try Data(#"""
            {"out": "out", "datasets": {"t": {"kind": "csv", "data": "texts.csv"}},
             "stages": [{"name": "m", "type": "train-text", "dataset": "t",
                         "params": {"vocab_size": 50, "embedding_size": 4, "hidden_size": 3, "context_size": 2}},
                        {"name": "e", "type": "embed", "dataset": "t", "inputs": {"model": "m"}},
                        {"name": "i", "type": "index", "inputs": {"embeddings": "e"}, "params": {"trees": 4}},
                        {"name": "q", "type": "query", "inputs": {"index": "i", "queries": "e"}, "params": {"neighbours": 3}}]}
            """#.utf8).write(to: config)
        let result = try runTributary(["plan", config.path])  // from the test's working directory, not the config's
        XCTAssertEqual(result.status, 0, result.output)
        // V = <pad>, <unk>, common, text = 4 (word0 … word5 occur once < min_count 2); C = 2;
        // P = 4·4 + 2·4·3·(4 + 3 + 1) + (6·2 + 2) + (2·2 + 2) = 228 → 912 B.
        XCTAssertTrue(result.output.contains("model.h5 (228 float32 parameters, V ≤ 4, C = 2): 912 B"), result.output)
        XCTAssertTrue(result.output.contains("embeddings.h5 (6 × 2 float32): 72 B"), result.output)  // 6·(4·2 + 4)
        // 1 rank: 4·4·20·2 normals + 6·(12·4 + 8 + 4·2) = 640 + 384.
        XCTAssertTrue(result.output.contains("(6 rows, L = 4 trees, depth 20): 1.0 KiB"), result.output)
        XCTAssertTrue(result.output.contains("neighbours.h5 (6 queries × k = 3): 216 B"), result.output)  // 6·3·12
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
