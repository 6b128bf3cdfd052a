import Core
import Foundation
import Runner
import Stages
import TestSupport
import XCTest

/// `Runner.plan`'s peak memory per rank and rough time (`StageCost`): every stage of the default pipeline gets both,
/// two stages' memory formulas worked out by hand, the budget comparison, and the default pipeline's measured peak
/// RSS (docs/report-figures.md § Plan estimates) under the estimate.
final class PlanCostTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws { folder = try makeTemporaryDirectory("plan-costs") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    /// `SmallPlanFixture`'s plan.
    private func smallPlan(ranks: Int) throws -> RunnerPlan { try SmallPlanFixture.plan(in: folder, ranks: ranks) }

    private func cost(_ plan: RunnerPlan, _ stage: String) throws -> StageCost {
        let row = try XCTUnwrap(plan.rows.first { $0.stage == stage }, stage)
        XCTAssertNil(row.problem, "\(stage): \(row.problem ?? "")")
        return try XCTUnwrap(row.cost, "\(stage) has no cost estimate")
    }

    func testTrainTextMemoryWorkedByHand() throws {
        // P = 228 (PlanEstimateTests' worked example: V 4, D 4, H 3, M 2, C 2); N = 6 documents; L = max_length's
        // default 300; a csv corpus's Table 3 batch B = 32 and E = 20 epochs.
        // 1 rank: 16·P = 3,648 (weights, grads, Adam m, v); token ids 4·N·L = 7,200; activations of one ordered block
        // of B_b = min(B, 8) = 8 documents 2·8·L·(D + 12H)·4 = 2·8·300·40·4 = 768,000; ordered batch sums: k = ⌈32/8⌉ = 4
        // blocks, all on this rank (k_r = 4), 4·(P + 2)·(3·k_r + 2) = 4·230·14 = 12,880. Σ = 791,728 B above B₀, and B_d on
        // rank 0 (the stage reads a dataset, which the runner fingerprints there first).
        let one = try cost(try smallPlan(ranks: 1), "lstm")
        XCTAssertEqual(one.terms.map(\.bytes), [3648, 7200, 768_000, 12_880, StageCost.rootDatasetBytes])
        XCTAssertEqual(one.peakBytes, StageCost.processBytes + 791_728 + StageCost.rootDatasetBytes)
        // 2 ranks: k_r = 2 blocks per rank, 4·230·8 = 7,360; the block's activations do not depend on R (every rank
        // holds the whole model and all token ids).
        let two = try cost(try smallPlan(ranks: 2), "lstm")
        XCTAssertEqual(two.terms.map(\.bytes), [3648, 7200, 768_000, 7360, StageCost.rootDatasetBytes])
        // time: E·N·L·u / (R·4.82e9), u = 8·H·(D + H) = 168 gate multiply-adds per token.
        XCTAssertEqual(one.seconds, 20.0 * 6 * 300 * 168 / 4.82e9, accuracy: 1e-12)
        XCTAssertEqual(two.seconds, one.seconds / 2, accuracy: 1e-12)
    }

    func testAnnotateAndIndexMemoryWorkedByHand() throws {
        let plan = try smallPlan(ranks: 1)
        // annotate (no dataset of its own: no B_d), N = 8 images: the six visual blocks are 16, 64, 48 wide per kind (PlanEstimateTests), F = 256;
        // the widest trained block is early fusion's Σ = 256, the widest visual block D_l = 64:
        // N·(F + D_w + D_l)·4 = 8·576·4 = 18,432; models.h5 6,228 B; scores 8·Q·K·runs = 8·3·3·2 = 144.
        XCTAssertEqual(try cost(plan, "svm").terms.map(\.bytes), [18_432, 6228, 144])
        // index: N = 6 rows, M = 2, L = 4 trees of depth K = 20, R = 1: embeddings 4·N·M = 48, normals
        // 4·L·K·M = 640, labels + rows 12·N_r·L = 288.
        let index = try cost(plan, "index")
        XCTAssertEqual(index.terms.map(\.bytes), [48, 640, 288])
        XCTAssertEqual(index.peakBytes, StageCost.processBytes + 976)
        // 3 ranks: N_r = 2 rows per rank, the rest is per rank whatever R.
        XCTAssertEqual(try cost(try smallPlan(ranks: 3), "index").terms.map(\.bytes), [48, 640, 96])
    }

    func testThePlanTakesTheMaxMemoryAndTheSumOfTimesAndFlagsStagesOverTheBudget() throws {
        let plan = try smallPlan(ranks: 1)
        let costs = plan.rows.compactMap(\.cost)
        XCTAssertEqual(costs.count, plan.rows.count)
        XCTAssertEqual(plan.peakBytes, costs.map(\.peakBytes).max())
        XCTAssertEqual(plan.seconds, costs.reduce(0) { $0 + $1.seconds }, accuracy: 1e-12)
        XCTAssertTrue(plan.overBudget.isEmpty, "tiny stages fit the machine's default budget")
        // Under a 1 MiB budget every stage (B₀ alone is larger) is flagged; the lstm's 3 MiB among them.
        let tight = try MemoryBudget.$current.withValue(MemoryBudget(bytes: 1 << 20, origin: "test")) { try smallPlan(ranks: 1) }
        XCTAssertEqual(tight.budget, 1 << 20)
        XCTAssertEqual(Set(tight.overBudget.map(\.stage)), Set(plan.rows.map(\.stage)))
    }

    /// The default pipeline at 2 ranks: every stage has a non-zero memory and time estimate, and the peak RSS per
    /// rank measured with `/usr/bin/time -v` on a real 2-rank run (docs/report-figures.md § Plan estimates) is under
    /// the plan's peak — the estimate is an upper bound, as it claims.
    func testEveryStageOfTheDefaultConfigHasAMemoryAndTimeEstimateAboveTheMeasuredPeak() throws {
        let path = try SmallPlanFixture.defaultConfig(in: folder)
        let plan = try Runner(config: try RunnerConfig.load(path, stageTypes: allStageTypes)).plan(ranks: 2)
        XCTAssertEqual(plan.rows.count, 9)
        for row in plan.rows {
            XCTAssertNil(row.problem, "\(row.stage): \(row.problem ?? "")")
            let cost = try XCTUnwrap(row.cost, "\(row.stage) has no cost estimate")
            XCTAssertGreaterThan(cost.peakBytes, StageCost.processBytes, row.stage)
            XCTAssertTrue(cost.terms.contains { $0.bytes > 0 }, row.stage)
            XCTAssertGreaterThan(cost.seconds, 0, row.stage)
        }
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(plan.peakBytes), Self.measuredPeakRSSPerRank)
        // Each stage run alone (the larger rank, rank 0 every time) under its own estimate.
        let costs = Dictionary(uniqueKeysWithValues: plan.rows.map { ($0.stage, $0.cost?.peakBytes ?? 0) })
        for (stage, kilobytes) in Self.measuredStagePeaks {
            XCTAssertGreaterThanOrEqual(costs[stage] ?? 0, kilobytes * 1024, "\(stage): measured \(kilobytes) KB")
        }
    }

    /// Rank 0's peak RSS (KB) of one stage run alone at 2 ranks, its upstream stages skipped (its seed changed in a
    /// copy of the config; train-paths with 2 epochs), 2026-12-07 19:47–19:54 UTC, main's release binary.
    /// train-infused: run with query (both rerun), so its figure bounds the larger of the two.
    static let measuredStagePeaks = ["fashion-fv": 160_816, "fashion-svm": 462_348, "fashion-paths": 174_024, "packages-lstm": 140_420,
                                     "packages-infused": 140_144]

    /// The larger of the two ranks' maximum resident set sizes of the default pipeline at 2 ranks, measured once
    /// (docs/report-figures.md § Plan estimates has the command and the per-rank figures).
    /// 473,116 KB (rank 0; rank 1 469,308 KB) on 2026-12-07 19:38–19:45 UTC, main's release binary.
    static let measuredPeakRSSPerRank = 473_116 * 1024
}
