@testable import Classifiers
import Core
import LinearAlgebra
import TestSupport
import XCTest

/// `RowWork`, the account of a row-sharded training's passes and reads (issue 15), against counts made by hand:
/// TRON evaluates f and ∇f once at Ŵ = 0 and once per Newton iteration, and makes one Hessian-vector product per
/// CG step, each a pass over the rank's rows; a cached rank reads each chunk once, a streaming rank once per pass.
final class RowWorkTests: XCTestCase {
    func fixture() -> (Matrix<Float>, LabelMatrix) {
        let x = randomMatrix(rows: 40, columns: 5, seed: 8)
        return (x, LabelMatrix(rows: 40, columns: 2, values: (0 ..< 80).map { x.values[$0] > 0 }))
    }

    func testPassesAreOneEvaluationPerNewtonIterationPlusOneProductPerCGStep() throws {
        let (x, y) = fixture()
        let options = RowShardedLinear<Float>.Options(tolerance: 1e-3, blockSize: 9, chunkRows: 4)
        var streaming = options
        streaming.cacheBytes = 0
        for opts in [options, streaming] {
            let source = CountingRows(x)
            let model = try RowShardedLinear<Float>.train([source], labels: y, options: opts)
            let newton = model.statistics.map(\.iterations).max()!
            XCTAssertGreaterThan(model.conjugateGradientSteps, 0)
            XCTAssertEqual(model.work.passes, 1 + newton + model.conjugateGradientSteps)
            // ⌈40/9⌉ = 5 blocks in chunks of ≤ 4 rows: 3 + 3 + 3 + 3 + 1 = 13 reads per pass, 13 rows of chunk each.
            let readsPerPass = 13, bytesPerPass = 40 * 5 * MemoryLayout<Float>.stride
            let passesRead = opts.cacheBytes == 0 ? model.work.passes : 1
            XCTAssertEqual(model.work.reads, readsPerPass * passesRead)
            XCTAssertEqual(source.reads, model.work.reads, "every RowSource.rows call is counted")
            XCTAssertEqual(model.work.bytesRead, bytesPerPass * passesRead)
            XCTAssertGreaterThanOrEqual(model.work.productSeconds, 0)
            XCTAssertGreaterThanOrEqual(model.work.reductionSeconds, 0)
        }
    }

    func testEveryRankCountsTheSamePassesAndReadsOnlyItsOwnRows() throws {
        let (x, y) = fixture()
        let options = RowShardedLinear<Float>.Options(tolerance: 1e-3, blockSize: 9, chunkRows: 4)
        let single = try RowShardedLinear<Float>.train([InMemoryRows(x)], labels: y, options: options)
        for size in [2, 3] {
            let models = try ThreadedWorld.run(size: size) { comm in
                try RowShardedLinear<Float>.train([InMemoryRows(x)], labels: y, options: options, communicator: comm)
            }
            XCTAssertEqual(models.map(\.work.passes), [Int](repeating: single.work.passes, count: size), "\(size) ranks")
            XCTAssertEqual(models.map(\.work.reads).reduce(0, +), single.work.reads, "\(size) ranks: each chunk read once")
            XCTAssertEqual(models.map(\.work.bytesRead).reduce(0, +), single.work.bytesRead)
        }
    }

    func testARankKeepsTheChunksThatFitAndRereadsOnlyTheRest() throws {
        let (x, y) = fixture()
        var options = RowShardedLinear<Float>.Options(tolerance: 1e-3, blockSize: 9, chunkRows: 4)
        let whole = try RowShardedLinear<Float>.train([CountingRows(x)], labels: y, options: options)
        // Chunks of 4 rows × 5 columns × 4 B = 80 B (the last of a 9-row block: 20 B). 420 B keeps blocks 0 and 1
        // (180 + 180 B); block 2's first chunk would make 440 B, so blocks 2, 3, 4 (7 chunks) are read every pass.
        options.cacheBytes = 420
        let source = CountingRows(x)
        let partial = try RowShardedLinear<Float>.train([source], labels: y, options: options)
        XCTAssertEqual(partial.weights, whole.weights, "kept or re-read, the solver sees the same rows")
        XCTAssertEqual(partial.work.passes, whole.work.passes)
        XCTAssertEqual(source.reads, 13 + 7 * (partial.work.passes - 1))
        XCTAssertEqual(partial.work.bytesRead, 800 + 440 * (partial.work.passes - 1))
        // Before issue 15's fix a rank over its budget kept nothing and re-read all 13 chunks on every pass.
        XCTAssertLessThan(source.reads, 13 * partial.work.passes)
    }
}
