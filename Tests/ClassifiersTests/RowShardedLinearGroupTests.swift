@testable import Classifiers
import Core
import LinearAlgebra
import TestSupport
import XCTest

/// `ConceptGroups`: training the concepts of `RowShardedLinear` in groups under a memory budget (issue 15).
final class RowShardedLinearGroupTests: XCTestCase {
    /// 7 concepts, two column blocks (early fusion), 23 rows in blocks of 5 (uneven over ranks), chunks of 2 rows.
    func fixture() -> ([InMemoryRows<Float>], LabelMatrix, RowShardedLinear<Float>.Options) {
        let (x, y) = shardedFixture(rows: 23, dimension: 6, concepts: 7, seed: 15)
        let xf = Matrix<Float>(rows: x.rows, columns: x.columns, values: x.values.map { Float($0) })
        let options = RowShardedLinear<Float>.Options(loss: .squaredHinge, cost: 0.8, blockSize: 5, chunkRows: 2)
        return ([InMemoryRows(columns(xf, 0 ..< 4)), InMemoryRows(columns(xf, 4 ..< 6))], y, options)
    }

    func train(_ sources: [InMemoryRows<Float>], _ labels: LabelMatrix, _ options: RowShardedLinear<Float>.Options,
               ranks: Int) throws -> RowShardedLinear<Float> {
        let models = try ThreadedWorld.run(size: ranks) { comm in
            try RowShardedLinear<Float>.train(sources, labels: labels, options: options, communicator: comm)
        }
        for model in models.dropFirst() { XCTAssertEqual(model.weights, models[0].weights, "every rank, \(ranks) ranks") }
        return models[0]
    }

    /// Each concept's model and statistics are the same bits in groups of 3 (3 + 3 + 1) and of 1 as all at once,
    /// on 1 and 2 ranks (and the same on 1 as on 2 ranks).
    func testGroupedEqualsAllAtOnceBitForBit() throws {
        let (sources, labels, options) = fixture()
        var reference: RowShardedLinear<Float>?
        for ranks in [1, 2] {
            let all = try train(sources, labels, options, ranks: ranks)
            if let r = reference { XCTAssertEqual(all.weights, r.weights, "1 vs \(ranks) ranks") } else { reference = all }
            XCTAssertTrue(all.statistics.allSatisfy(\.converged))
            for g in [3, 1] {
                var grouped = options
                grouped.conceptsPerGroup = g
                let model = try train(sources, labels, grouped, ranks: ranks)
                XCTAssertEqual(model.weights, all.weights, "groups of \(g), \(ranks) ranks")
                XCTAssertEqual(model.statistics, all.statistics, "groups of \(g), \(ranks) ranks")
                XCTAssertEqual(model.weights.concepts, 7)
            }
        }
        // The concepts are not all alike, so equal bits above are not equal by symmetry.
        XCTAssertNotEqual(reference!.weights.column(0).weights, reference!.weights.column(6).weights)
    }

    /// G by hand: D = [10, 5] so W = 16; B_r = 3 blocks, n_r = 25 rows, c = 4 rows per read, 4-byte floats:
    /// bytes/concept = 4·((7 + 3)·16 + 2·25 + 2·4) = 4·218 = 872; one chunk = 4·15·4 = 240 bytes.
    func testGroupSizeByHand() throws {
        func plan(_ budget: Int) throws -> ConceptGroups {
            try ConceptGroups.plan(concepts: 7, dimensions: [10, 5], ownedBlocks: 3, ownedRows: 25, chunkRows: 4,
                                   scalarBytes: 4, budget: MemoryBudget(bytes: budget, origin: "test"))
        }
        XCTAssertEqual(ConceptGroups.bytesPerConcept(width: 16, ownedBlocks: 3, ownedRows: 25, chunkRows: 4,
                                                     scalarBytes: 4), 872)
        let three = try plan(3000)  // ⌊(3000 − 240) / 872⌋ = 3
        XCTAssertEqual(three.groupSize, 3)
        XCTAssertEqual(three.count, 3)
        XCTAssertEqual(three.ranges, [0 ..< 3, 3 ..< 6, 6 ..< 7])
        XCTAssertEqual(three.stateBytes, 2616)
        XCTAssertEqual(three.cacheBytes, 3000 - 2616 - 240)
        XCTAssertEqual(three.summary.prefix(30), "7 concepts in 3 groups of ≤ 3:")
        XCTAssertEqual(try plan(240 + 872).groupSize, 1)  // exactly one concept
        XCTAssertEqual(try plan(240 + 872 * 4 - 1).groupSize, 3)
        let all = try plan(1 << 20)
        XCTAssertEqual(all.groupSize, 7)
        XCTAssertEqual(all.count, 1)
    }

    /// The plan for a world takes the rank with the most state, so every rank trains the same groups.
    func testPlanUsesTheLargestShard() throws {
        let (sources, labels, options) = fixture()  // 23 rows in 5 blocks of 5: 2 ranks own 3 and 2 blocks
        let budget = MemoryBudget(bytes: 1 << 20, origin: "test")
        let reduction = OrderedReduction(blockSize: 5)
        let blocks = (0 ..< 2).map { reduction.blocks(totalRows: 23, rank: $0, size: 2).count }
        let rows = (0 ..< 2).map { reduction.rows(totalRows: 23, rank: $0, size: 2).count }
        XCTAssertEqual(blocks.max(), 3)
        XCTAssertEqual(rows.max(), 15)
        let planned = try RowShardedLinear<Float>.conceptGroups(sources, labels: labels, options: options, size: 2,
                                                                budget: budget)
        // W = 6 + 1; c = 2: 4·((7 + 3)·7 + 2·15 + 2·2) = 4·104 = 416 bytes per concept.
        XCTAssertEqual(planned.bytesPerConcept, 416)
        XCTAssertEqual(planned.chunkBytes, 2 * 6 * 4)
    }

    /// One concept over the budget: a refusal naming the budget and the fix, not a crash or a silent overrun.
    func testRefusesWhenOneConceptDoesNotFit() {
        XCTAssertThrowsError(try ConceptGroups.plan(concepts: 7, dimensions: [10, 5], ownedBlocks: 3, ownedRows: 25,
                                                    chunkRows: 4, scalarBytes: 4,
                                                    budget: MemoryBudget(bytes: 1111, origin: "--memory 1111"))) {
            guard case let .overBudget(_, _, requested, allowed, origin, fix) = $0 as? MemoryBudgetError else {
                return XCTFail("\($0)")
            }
            XCTAssertEqual(requested, 872 + 240)
            XCTAssertEqual(allowed, 1111)
            XCTAssertEqual(origin, "--memory 1111")
            XCTAssertTrue(fix.contains("more ranks"), fix)
            let message = "\($0)"
            XCTAssertTrue(message.contains("--memory 1111") && message.contains("raise the budget"), message)
        }
    }
}
