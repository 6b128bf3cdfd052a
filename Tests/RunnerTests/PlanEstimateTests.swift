import Foundation
import LabelGraphs
import Runner
import Stages
import TestSupport
import XCTest

/// `Runner.plan`'s per-stage byte estimates against sizes worked out by hand from the parameters and the data.
final class PlanEstimateTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws { folder = try makeTemporaryDirectory("plan-estimates") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    /// `SmallPlanFixture`: six two-class documents; an 8-image synthetic set (classes a, b, c with 3, 3, 2 images).
    private func plan(ranks: Int) throws -> [String: [Int]] {
        let plan = try SmallPlanFixture.plan(in: folder, ranks: ranks)
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
        // svm-late-visual, svm-early-visual): scores 3·3·(1 + 9·2) = 171 B; eval 2·(24·3 + 48) = 240 B.
        // models: block widths regions·2·M·d = {1, 4, 3}·2·2·4 = 16, 64, 48 for orh and col (d = min(4, 128 | 96));
        // late fusion the six blocks, early fusion one of Σ = 256: 4·3·((256 + 6) + (256 + 1)) = 6228 B.
        XCTAssertEqual(bytes["svm"], [171, 240, 6228])
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

    /// The default pipeline (data/pipelines/default.json, its out moved to a temporary folder): every stage has an
    /// estimate, and the text stages are bounded from the `packages` dataset's limit without reading the corpus (its
    /// source points at no file here: reading it would fail). train-paths is checked by hand.
    func testEveryStageOfTheDefaultConfigHasAnEstimateWithoutReadingTheCorpus() throws {
        let path = try SmallPlanFixture.defaultConfig(in: folder)
        let config = try RunnerConfig.load(path, stageTypes: allStageTypes)
        let plan = try Runner(config: config).plan(ranks: 2)
        XCTAssertEqual(plan.rows.count, 9)
        for row in plan.rows {
            XCTAssertNil(row.problem, "\(row.stage): \(row.problem ?? "")")
            XCTAssertFalse(row.writes?.isEmpty ?? true, "\(row.stage) has no estimate")
            for write in row.writes ?? [] { XCTAssertGreaterThan(write.bytes, 0, "\(row.stage): \(write.what)") }
        }
        let rows = Dictionary(uniqueKeysWithValues: plan.rows.map { ($0.stage, $0) })
        // train-text bounded by limit N = 8000 (C ≤ N) and vocab_size V = 8000, D 64, H 48, M 50:
        // P = V·D + 2·4H·(D + H + 1) + (2H·M + M) + (M·C + C) = 512000 + 43392 + 4850 + 408000 = 968242.
        XCTAssertEqual(rows["packages-lstm"]?.writes?.map(\.bytes), [4 * 968_242])
        XCTAssertTrue(rows["packages-lstm"]?.writes?.first?.what.contains("C ≤ N = 8000") ?? false)
        // embeddings: N·(4M + 4) = 8000·204.
        XCTAssertEqual(rows["packages-embed"]?.writes?.map(\.bytes), [8000 * 204])
        // train-paths (label-aug): F = 1·2·16·min(32, 128) = 1024 (fv/orh/1x1), M 256, E 32, H 128, G = 22 nodes:
        // P = (F·M + M) + (M·H + H) + G·E + 3H·(E + H + 2) + (H·(G + 1) + G + 1)
        //   = 262400 + 32896 + 704 + 62208 + 2967 = 361175; bytes 4·P + 8·F + |graph text| + 8·20 epochs.
        let graph = try LabelGraph.read(file: SmallPlanFixture.repository.path + "/data/label-graphs/fashion-mnist.graph")
        XCTAssertEqual(graph.count, 22)
        XCTAssertEqual(rows["fashion-paths"]?.writes?.map(\.bytes), [4 * 361_175 + 8 * 1024 + graph.text.utf8.count + 160])
    }

    func testIndexPartsRepeatTheHyperplanesPerRank() throws {
        // Only the normals depend on R: 3 ranks add 2 × 640 B.
        XCTAssertEqual(try plan(ranks: 3)["index"], [3 * 640 + 384])
    }
}
