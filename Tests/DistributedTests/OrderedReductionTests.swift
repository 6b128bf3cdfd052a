import Core
@testable import Distributed
import LinearAlgebra
import XCTest

/// `OrderedReduction` gives bit-identical sums for any simulated rank count.
///
/// A rank count is simulated in two passes without MPI: each simulated rank first runs the reduction with a
/// `RecordingCommunicator`, which captures what the rank contributes to the all-gather; then each rank runs it
/// again with a `ReplayCommunicator` that answers the all-gather with every rank's recorded contribution —
/// exactly what `MPI_Allgatherv` would deliver.
final class OrderedReductionTests: XCTestCase {
    func testBitsIndependentOfSimulatedRankCount() throws {
        let reference = try CollectiveSelfTest.syntheticOrderedSum(communicator: SingleProcessCommunicator())
        for size in [2, 3, 4, 7, 40, 41] {
            let contributions = try (0 ..< size).map { rank -> [Float] in
                let recorder = RecordingCommunicator(rank: rank, size: size)
                _ = try CollectiveSelfTest.syntheticOrderedSum(communicator: recorder)
                return try XCTUnwrap(recorder.recorded as? [Float])
            }
            for rank in 0 ..< size {
                let replay = ReplayCommunicator(rank: rank, size: size, contributions: contributions)
                let sum = try CollectiveSelfTest.syntheticOrderedSum(communicator: replay)
                XCTAssertEqual(sum.map(\.bitPattern), reference.map(\.bitPattern), "size \(size) rank \(rank)")
            }
        }
    }

    func testPlainRankOrderSumWouldDependOnRankCount() {
        // Sanity check that the dataset is sensitive to summation order at all (otherwise the test above is void).
        let rows = CollectiveSelfTest.syntheticRows
        func plain(size: Int) -> Float {
            (0 ..< size).map { r in
                shard(count: rows, rank: r, size: size).reduce(Float(0)) { $0 + CollectiveSelfTest.syntheticValue(row: $1, column: 0) }
            }.reduce(0, +)
        }
        XCTAssertTrue(Set([1, 2, 3, 5, 7].map { plain(size: $0).bitPattern }).count > 1)
    }

    func testBlocksCoverRowsExactlyOnce() {
        let reduction = OrderedReduction(blockSize: 256)
        for size in 1 ... 9 {
            var next = 0
            for rank in 0 ..< size {
                let rows = reduction.rows(totalRows: 10_007, rank: rank, size: size)
                if rows.isEmpty { continue }
                XCTAssertEqual(rows.lowerBound, next)
                next = rows.upperBound
            }
            XCTAssertEqual(next, 10_007, "size \(size)")
        }
    }

    func testHexBitsFormat() {
        XCTAssertEqual(CollectiveSelfTest.hexBits([1, 0, -2]), "3f800000,00000000,c0000000")
    }
}

/// Rank `rank` of a simulated world of `size`: records the all-gather contribution, answers it with itself only.
private final class RecordingCommunicator: SimulatedRank {
    var recorded: Any?

    override func allGather<T: CommunicatorScalar>(_ local: [T]) throws -> [[T]] {
        recorded = local
        return [local]
    }
}

/// Rank `rank` of a simulated world: answers the all-gather with every rank's recorded contribution.
private final class ReplayCommunicator: SimulatedRank {
    let contributions: [[Float]]

    init(rank: Int, size: Int, contributions: [[Float]]) {
        self.contributions = contributions
        super.init(rank: rank, size: size)
    }

    override func allGather<T: CommunicatorScalar>(_ local: [T]) throws -> [[T]] {
        try XCTUnwrap(contributions as? [[T]])
    }
}

/// A rank of a simulated world; collectives other than `allGather` are not needed by `OrderedReduction`.
private class SimulatedRank: Communicator {
    let rank: Int
    let size: Int

    init(rank: Int, size: Int) {
        self.rank = rank
        self.size = size
    }

    func barrier() throws {}
    func allReduce<T: CommunicatorScalar>(_ buffer: inout [T], op: ReduceOp) throws { XCTFail("unexpected allReduce") }
    func broadcast<T: CommunicatorScalar>(_ buffer: inout [T], root: Int) throws { XCTFail("unexpected broadcast") }
    func gather<T: CommunicatorScalar>(_ local: [T], root: Int) throws -> [[T]]? { XCTFail("unexpected gather"); return nil }
    func allGather<T: CommunicatorScalar>(_ local: [T]) throws -> [[T]] { XCTFail("unexpected allGather"); return [] }
    func scatter<T: CommunicatorScalar>(_ chunks: [[T]]?, root: Int) throws -> [T] { XCTFail("unexpected scatter"); return [] }
    func abort(_ message: String, exitCode: Int32) -> Never { fatalError(message) }
}
