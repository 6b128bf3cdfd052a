@testable import Classifiers
import Core
import LinearAlgebra
import TestSupport
import XCTest

/// `NearestNeighbours.search(queries:shard:…)`: test queries against a row-sharded training set.
final class ShardedDatabaseSearchTests: XCTestCase {
    /// Small integers: every dot product is exact in float32 whatever the GEMM's order, and equal similarities
    /// are frequent, so the tie order (increasing index) is exercised too.
    static func integers(rows: Int, columns: Int, seed: UInt64) -> Matrix<Float> {
        var rng = SeededRandom(seed: seed)
        return Matrix(rows: rows, columns: columns,
                      values: (0 ..< rows * columns).map { _ in Float(Int(rng.uniform() * 5) - 2) })
    }

    /// Each rank's lists for its whole query blocks, concatenated in rank order, are the lists of the
    /// single-process search over the whole database, for several blocks per rank, chunks not dividing the
    /// blocks, a short last block, and ranks owning no training rows.
    func testShardedDatabaseEqualsTheSingleProcessSearch() throws {
        let n = 37, q = 23, k = 6
        let database = Self.integers(rows: n, columns: 5, seed: 3), queries = Self.integers(rows: q, columns: 5, seed: 4)
        let reference = try NearestNeighbours.search(queries: queries, database: database, count: k)
        for (blockSize, chunkSize, queryBlock) in [(7, 3, 4), (37, 256, 256), (4096, 5, 1)] {
            for size in [1, 2, 3] {
                let reduction = OrderedReduction(blockSize: blockSize)
                let parts = try ThreadedWorld.run(size: size) { comm -> Neighbours in
                    let rows = reduction.rows(totalRows: n, rank: comm.rank, size: size)
                    let blocks = shard(count: (q + queryBlock - 1) / queryBlock, rank: comm.rank, size: size)
                    let mine = Swift.min(q, blocks.lowerBound * queryBlock) ..< Swift.min(q, blocks.upperBound * queryBlock)
                    return try NearestNeighbours.search(queries: queries.rows(mine), shard: database.rows(rows), rows: rows,
                                                        totalRows: n, count: k, reduction: reduction, chunkSize: chunkSize,
                                                        queryBlockSize: queryBlock, communicator: comm)
                }
                let label = "blocks of \(blockSize), chunks of \(chunkSize), query blocks of \(queryBlock), \(size) rank(s)"
                XCTAssertEqual(parts.flatMap(\.indices), reference.indices, label)
                XCTAssertEqual(parts.flatMap(\.similarities), reference.similarities, label)
            }
        }
    }

    /// With N ≤ one chunk, real-valued features give `search(queries:database:)`'s bits (the same GEMM shapes).
    func testOneChunkGivesTheUnshardedBits() throws {
        var rng = SeededRandom(seed: 9)
        let database = Matrix(rows: 30, columns: 8, values: (0 ..< 240).map { _ in Float(rng.normal()) })
        let queries = Matrix(rows: 11, columns: 8, values: (0 ..< 88).map { _ in Float(rng.normal()) })
        let reference = try NearestNeighbours.search(queries: queries, database: database, count: 4)
        for size in [1, 2, 3] {
            let parts = try ThreadedWorld.run(size: size) { comm -> Neighbours in
                let reduction = TagProp.itemBlocks
                let rows = reduction.rows(totalRows: 30, rank: comm.rank, size: size)
                let mine = comm.rank == 0 ? 0 ..< 11 : 11 ..< 11  // one query block: all on rank 0
                return try NearestNeighbours.search(queries: queries.rows(mine), shard: database.rows(rows), rows: rows,
                                                    totalRows: 30, count: 4, reduction: reduction, communicator: comm)
            }
            XCTAssertEqual(parts.flatMap(\.indices), reference.indices, "\(size) rank(s)")
            XCTAssertEqual(parts.flatMap(\.similarities), reference.similarities, "\(size) rank(s)")
        }
    }

    func testWrongShardOrCountIsRefused() throws {
        let x = Self.integers(rows: 10, columns: 3, seed: 1)
        let comm = SingleProcessCommunicator(), reduction = OrderedReduction(blockSize: 4)
        XCTAssertThrowsError(try NearestNeighbours.search(queries: x, shard: x.rows(0 ..< 4), rows: 0 ..< 4, totalRows: 10,
                                                          count: 2, reduction: reduction, communicator: comm))
        XCTAssertThrowsError(try NearestNeighbours.search(queries: x, shard: x, rows: 0 ..< 10, totalRows: 10, count: 11,
                                                          reduction: reduction, communicator: comm))
    }
}
