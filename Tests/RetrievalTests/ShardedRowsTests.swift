import Core
import LinearAlgebra
@testable import Retrieval
import TestSupport
import XCTest

/// `ShardedForest.fetch`: every rank gets exactly the rows it asked for, bit for bit the rows of the replicated
/// matrix, on 1, 2 and 3 threaded ranks; a bad request fails on every rank (none hangs).
final class ShardedRowsTests: XCTestCase {
    let (n, d) = (101, 6)
    let parameters = LSHForest.Parameters(trees: 4, maxDepth: 10, candidatesPerTree: 4, metric: .cosine, seed: 3)

    func testEveryRankGetsTheRowsItAskedFor() throws {
        let z = randomMatrix(rows: n, columns: d, seed: 9)
        let (n, p) = (self.n, self.parameters)
        for size in [1, 2, 3] {
            let tables = try ThreadedWorld.run(size: size) { comm -> RowTable in
                let range = shard(count: n, rank: comm.rank, size: size)
                let index = try ShardedForest(shard: z.rows(range), firstID: range.lowerBound, parameters: p)
                // Unsorted, repeated, crossing every shard; rank-dependent so the requests differ.
                let request = (0 ..< 40).map { (($0 * 37 + comm.rank * 11) % n) } + [n - 1, 0, n - 1]
                return try index.fetch(rows: request, communicator: comm)
            }
            for (rank, table) in tables.enumerated() {
                let expected = Array(Set((0 ..< 40).map { ($0 * 37 + rank * 11) % n } + [n - 1, 0])).sorted()
                XCTAssertEqual(table.ids, expected, "\(size) ranks, rank \(rank)")
                XCTAssertEqual(table.rows, Matrix(rowArrays: expected.map { z.row($0) }), "\(size) ranks, rank \(rank)")
                XCTAssertEqual(table.index(of: n - 1), expected.count - 1)
                let absent = (0 ..< n).first { !expected.contains($0) }!
                XCTAssertNil(table.index(of: absent), "id \(absent) was not asked by rank \(rank)")
            }
        }
    }

    /// Parts saved in another row order (ids a permutation of the shard): the fetch follows the ids.
    func testPermutedPartsFetchByID() throws {
        let z = randomMatrix(rows: 10, columns: d, seed: 4)
        let order = [3, 1, 4, 0, 9, 2, 6, 5, 8, 7]
        let forest = try LSHForest(Matrix(rowArrays: order.map { z.row($0) }), ids: order, parameters: parameters)
        let index = ShardedForest(forest: forest, globalIDs: 0 ..< 10)
        let table = try index.fetch(rows: [7, 3, 0], communicator: SingleProcessCommunicator())
        XCTAssertEqual(table.rows, Matrix(rowArrays: [0, 3, 7].map { z.row($0) }))
    }

    func testAnUnknownRowFailsOnEveryRank() throws {
        let z = randomMatrix(rows: n, columns: d, seed: 9)
        let (n, p) = (self.n, self.parameters)
        let outcomes = try ThreadedWorld.run(size: 2) { comm -> String in
            let range = shard(count: n, rank: comm.rank, size: 2)
            let index = try ShardedForest(shard: z.rows(range), firstID: range.lowerBound, parameters: p)
            do {
                _ = try index.fetch(rows: comm.rank == 1 ? [5, n] : [5], communicator: comm)
                return "no error"
            } catch { return "\(error)" }
        }
        for outcome in outcomes { XCTAssertTrue(outcome.contains("requested row (rank 1) = \(n)"), outcome) }
    }

    /// The rows asked for are checked against the memory budget before any is copied.
    func testARequestOverTheBudgetIsRefused() throws {
        let z = randomMatrix(rows: n, columns: d, seed: 2)
        let index = try ShardedForest(shard: z, firstID: 0, parameters: parameters)
        let small = MemoryBudget(bytes: 10 * d * 4, origin: "test")
        XCTAssertThrowsError(try MemoryBudget.$current.withValue(small) {
            try index.fetch(rows: Array(0 ..< 11), communicator: SingleProcessCommunicator())
        }) { XCTAssertTrue("\($0)".contains("retrieved source rows"), "\($0)") }
        let fits = try MemoryBudget.$current.withValue(small) {
            try index.fetch(rows: Array(0 ..< 10), communicator: SingleProcessCommunicator())
        }
        XCTAssertEqual(fits.rows, z.rows(0 ..< 10))
    }
}
