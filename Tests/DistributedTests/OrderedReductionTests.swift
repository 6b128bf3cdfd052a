import Core
@testable import Distributed
import LinearAlgebra
import TestSupport
import XCTest

/// `OrderedReduction` gives bit-identical sums for any simulated rank count.
///
/// A rank count is simulated without MPI by `ThreadedWorld` (TestSupport): one thread per rank, whose
/// all-gather and all-to-all deliver every rank's contribution in rank order — exactly what `MPI_Allgatherv` and
/// `MPI_Alltoallv` would deliver.
final class OrderedReductionTests: XCTestCase {
    func testBitsIndependentOfSimulatedRankCount() throws {
        let reference = try CollectiveSelfTest.syntheticOrderedSum(communicator: SingleProcessCommunicator())
        for size in [2, 3, 4, 7, 40, 41] {
            let results = try ThreadedWorld.run(size: size) { comm in
                (try CollectiveSelfTest.syntheticOrderedSum(communicator: comm), comm.collectiveCalls)
            }
            for (rank, (sum, calls)) in results.enumerated() {
                XCTAssertEqual(sum.map(\.bitPattern), reference.map(\.bitPattern), "size \(size) rank \(rank)")
                // The ordered reduction needs only the segment all-to-all and the all-gather (barriers aside).
                XCTAssertEqual(Set(calls.keys).subtracting(["barrier"]), ["allToAll", "allGather"], "size \(size) rank \(rank)")
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
