@testable import Classifiers
import Core
import LinearAlgebra
import TestSupport
import XCTest

/// `LinearBlockSize`: the rule's values by hand, and trained models that are bit-identical at 1, 2 and 3
/// threaded ranks with blocks from the rule, on a training set where every one of 3 ranks owns rows.
final class LinearBlockSizeTests: XCTestCase {
    func testRuleValuesByHand() {
        // N/64 → multiple of 64 below → clamp to [256, 4096].
        let cases: [(n: Int, size: Int)] = [
            (0, 256), (48, 256), (2_040, 256), (4_000, 256), (16_384, 256), (20_479, 256), (20_480, 320),
            (50_000, 768), (100_000, 1_536), (262_143, 4_032), (262_144, 4_096), (1_000_000, 4_096),
        ]
        for (n, size) in cases { XCTAssertEqual(LinearBlockSize.rows(forTrainingRows: n), size, "N = \(n)") }
        // Flowers102's 2,040 training images: 8 blocks, so up to 8 ranks get rows (2048-row blocks: 1).
        XCTAssertEqual(OrderedReduction(blockSize: LinearBlockSize.rows(forTrainingRows: 2_040)).blockCount(rows: 2_040), 8)
        // From 64 × 256 rows on, 64 ranks each own ≥ 1 block, up to N = 64 × 4096.
        for n in [16_384, 20_480, 50_000, 100_000, 262_143, 262_144] {
            let reduction = OrderedReduction(blockSize: LinearBlockSize.rows(forTrainingRows: n))
            XCTAssertGreaterThanOrEqual(reduction.blockCount(rows: n), 64, "N = \(n)")
            XCTAssertFalse(reduction.rows(totalRows: n, rank: 63, size: 64).isEmpty, "N = \(n)")
        }
    }

    /// 600 rows → 256-row blocks (B = 3): TRON (both losses) and the row-sharded SLR give the same bits on 1, 2
    /// and 3 ranks, where every rank of 3 reads its own block.
    func testModelsWithTheRuleAreBitIdenticalAtOneTwoThreeRanks() throws {
        let n = 600, blockSize = LinearBlockSize.rows(forTrainingRows: n)
        XCTAssertEqual(blockSize, 256)
        let reduction = OrderedReduction(blockSize: blockSize)
        XCTAssertEqual((0 ..< 3).map { reduction.rows(totalRows: n, rank: $0, size: 3).count }, [256, 256, 88])
        let (xd, y) = shardedFixture(rows: n, dimension: 8, concepts: 3, seed: 15)
        let x = Matrix<Float>(rows: xd.rows, columns: xd.columns, values: xd.values.map { Float($0) })
        let a = InMemoryRows(columns(x, 0 ..< 3)), b = InMemoryRows(columns(x, 3 ..< 8))
        for loss in RowShardedLinear<Float>.Loss.allCases {
            let options = RowShardedLinear<Float>.Options(loss: loss, tolerance: 1e-4, blockSize: blockSize, chunkRows: 100)
            let reference = try RowShardedLinearTests.sameWeightsOnOneToThreeRanks([a, b], labels: y, options: options)
            XCTAssertNotEqual(reference, ConceptWeights(dimensions: [3, 5], concepts: 3), "a trained model is not 0")
        }
        let slr = SparseLogisticRegression<Float>.Options(cost: 1, tolerance: 1e-3, maxIterations: 500)
        var reference: [[Float]]?
        for size in 1 ... 3 {
            let models = try ThreadedWorld.run(size: size) { comm in
                try SparseLogisticRegression<Float>.trainRowSharded([a, b], labels: y, options: slr, blockSize: blockSize,
                                                                    chunkRows: 100, communicator: comm)
            }
            for perRank in models {
                let flat = perRank.map { $0.weights + [$0.bias] }
                if let r = reference { XCTAssertEqual(flat, r, "SLR, \(size) ranks") } else { reference = flat }
            }
        }
        XCTAssertTrue(reference!.contains { $0.contains { $0 != 0 } }, "a trained SLR is not 0")
    }
}
