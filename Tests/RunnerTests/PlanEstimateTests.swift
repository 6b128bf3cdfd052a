import Foundation
import Runner
import Stages
import TestSupport
import XCTest

/// `Runner.plan`'s per-stage byte estimates against sizes worked out by hand from the parameters and the data.
final class PlanEstimateTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws { folder = try makeTemporaryDirectory("plan-estimates") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    /// Six two-class documents; an 8-image synthetic set (labels n mod 3: classes a, b, c with 3, 3, 2 images).
    private func plan(ranks: Int) throws -> [String: [Int]] {
        let csv = "text,label\n" + (0 ..< 6).map { "word\($0) common text,\($0 % 2 == 0 ? "x" : "y")\n" }.joined()
        try Data(csv.utf8).write(to: folder.appendingPathComponent("texts.csv"))
        let json = """
            {"out": "out",
             "datasets": {"img": {"kind": "synthetic", "count": 8, "width": 32, "height": 32},
                          "t": {"kind": "csv", "data": "texts.csv"}},
             "stages": [
               {"name": "fv", "type": "fisher", "dataset": "img", "params": {"components": 2, "pca_dims": 4}},
               {"name": "split", "type": "split", "inputs": {"fv": "fv"}},
               {"name": "svm", "type": "annotate", "inputs": {"fv": "fv", "manifest": "split"}},
               {"name": "lstm", "type": "train-text", "dataset": "t",
                "params": {"vocab_size": 50, "embedding_size": 4, "hidden_size": 3, "context_size": 2}},
               {"name": "embed", "type": "embed", "dataset": "t", "inputs": {"model": "lstm"}},
               {"name": "index", "type": "index", "inputs": {"embeddings": "embed"}, "params": {"trees": 4}},
               {"name": "query", "type": "query", "inputs": {"index": "index", "queries": "embed"}, "params": {"neighbours": 3}},
               {"name": "infused", "type": "train-infused", "dataset": "t", "inputs": {"model": "lstm", "index": "index"}}
             ]}
            """
        let path = folder.appendingPathComponent("c.json").path
        try Data(json.utf8).write(to: URL(fileURLWithPath: path))
        let plan = try Runner(config: try RunnerConfig.load(path, stageTypes: allStageTypes)).plan(ranks: ranks)
        var bytes: [String: [Int]] = [:]
        for row in plan.rows {
            XCTAssertNil(row.problem, "\(row.stage): \(row.problem ?? "")")
            bytes[row.stage] = row.writes?.map(\.bytes)
        }
        return bytes
    }

    func testEveryStageOfAFullPipelineHasAHandCheckedEstimate() throws {
        let bytes = try plan(ranks: 1)
        // images.csv: header "path,labels,split,concepts,tags\n" (32 B) + 8 × "synthetic/00000i,a,train,a,\n" (28 B).
        XCTAssertEqual(bytes["split"], [32 + 8 * 28])
        // Q = round(3·0.25) + round(3·0.25) + round(2·0.25) = 1 + 1 + 1 = 3, K = 3, R = 2 (the default runs
        // svm-late-visual, svm-early-visual): scores 3·3·(1 + 9·2) = 171 B; eval 2·(24·3 + 48) = 240 B; models not estimated (0).
        XCTAssertEqual(bytes["svm"], [171, 240, 0])
        // V = <pad>, <unk>, "common", "text" (word0 … word5 occur once, under min_count 2) = 4, not vocab_size 50;
        // P = V·D + 2·4H·(D + H + 1) + (2H·M + M) + (M·C + C) = 16 + 192 + 14 + 6 = 228 float32.
        XCTAssertEqual(bytes["lstm"], [4 * 228])
        // N·(4M + 4) = 6·12.
        XCTAssertEqual(bytes["embed"], [72])
        // R·4·L·K·M + N·(12L + 8 + 4M) = 4·4·20·2 + 6·(48 + 8 + 8) = 640 + 384.
        XCTAssertEqual(bytes["index"], [1024])
        // B·k·12 = 6·3·12.
        XCTAssertEqual(bytes["query"], [216])
        // 4·(P + ((1 + 1)·M + 1)·C) = 4·(228 + 5·2).
        XCTAssertEqual(bytes["infused"], [4 * 238])
    }

    func testIndexPartsRepeatTheHyperplanesPerRank() throws {
        // Only the normals depend on R: 3 ranks add 2 × 640 B.
        XCTAssertEqual(try plan(ranks: 3)["index"], [3 * 640 + 384])
    }
}
