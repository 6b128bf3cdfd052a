import Core
import LinearAlgebra
@testable import Retrieval
import TestSupport
import XCTest

final class ShardedForestTests: XCTestCase {
    /// Simulated ranks: per-shard forests (global ids, same seed), counts summed as the all-reduce would,
    /// per-shard top-k merged as the all-gather + merge would. Must equal one forest over the union, bit for bit.
    func testShardedSearchEqualsUnionForestForTwoAndThreeRanks() throws {
        let data = clusteredData(base: 3001, queries: 60, dimension: 16)
        for metric in Metric.allCases {
            let p = LSHForest.Parameters(trees: 8, maxDepth: 20, candidatesPerTree: 12, metric: metric, seed: 5)
            let union = try LSHForest(data.base, parameters: p)
            let selfIDs = (0 ..< 60).map { $0 * 50 }
            let queries = Matrix(rowArrays: selfIDs.map { data.base.row($0) })
            for ranks in [2, 3] {
                let shards = try (0 ..< ranks).map { r -> ShardedForest in
                    let range = shard(count: data.base.rows, rank: r, size: ranks)
                    return try ShardedForest(shard: data.base.rows(range), firstID: range.lowerBound, parameters: p)
                }
                for excluding in [nil, selfIDs] {
                    let perShard = try shards.map { try $0.forest.prefixCounts(queries: queries) }
                    let counts = try LSHForest.PrefixCounts.sum(perShard)
                    XCTAssertEqual(counts, try union.prefixCounts(queries: queries))
                    let local = try shards.map {
                        try $0.forest.search(queries: queries, k: 5, excluding: excluding, globalCounts: counts)
                    }
                    let merged = (0 ..< queries.rows).map { b in TopK.merge(local.map { $0[b] }, k: 5) }
                    let expected = try union.search(queries: queries, k: 5, excluding: excluding)
                    XCTAssertTrue(sameResults(merged, expected),
                                  "\(metric), \(ranks) ranks, excluding \(excluding != nil)")
                    if let excluding {
                        XCTAssertTrue(zip(merged, excluding).allSatisfy { list, id in !list.contains { $0.id == id } })
                    } else if metric != .innerProduct {
                        XCTAssertEqual(merged.map { $0.first?.id }, selfIDs, "a stored point is its own best match")
                    }
                }
            }
        }
    }

    /// Without the global counts each shard would stop at its own depth and collect more than the union would:
    /// the count all-reduce is what makes the sharded result exact.
    func testLocalSchedulesAloneDifferFromTheUnion() throws {
        let data = clusteredData(base: 3000, queries: 40, dimension: 16)
        let p = LSHForest.Parameters(trees: 8, maxDepth: 20, candidatesPerTree: 12, metric: .cosine, seed: 5)
        let union = try LSHForest(data.base, parameters: p)
        let shards = try (0 ..< 3).map { r in
            let range = r * 1000 ..< (r + 1) * 1000
            return try LSHForest(data.base.rows(range), ids: Array(range), parameters: p)
        }
        let unionSets = try union.candidates(queries: data.queries, k: 5)
        let localSets = try shards.map { try $0.candidates(queries: data.queries, k: 5) }
        let localTotal = localSets.reduce(0) { $0 + $1.reduce(0) { $0 + $1.count } }
        XCTAssertGreaterThan(localTotal, unionSets.reduce(0) { $0 + $1.count })
    }

    /// `ShardedForest.search` itself over 3 ranks (count all-reduce, top-k all-gather, merge), run in lockstep
    /// rounds by `ReplayWorld`: every rank gets the union forest's results.
    func testShardedSearchThroughCollectivesOnThreeRanks() throws {
        let data = clusteredData(base: 1500, queries: 30, dimension: 8)
        let p = LSHForest.Parameters(trees: 6, maxDepth: 16, candidatesPerTree: 10, metric: .l2, seed: 6)
        let world = ReplayWorld(size: 3)
        let ranks = try (0 ..< 3).map { r -> (ShardedForest, ReplayCommunicator) in
            let range = shard(count: 1500, rank: r, size: 3)
            return (try ShardedForest(shard: data.base.rows(range), firstID: range.lowerBound, parameters: p),
                    world.communicator(rank: r))
        }
        let skip = (0 ..< 30).map { 50 * $0 }
        var answers: [[[Neighbor]]] = []
        var rounds = 0
        while world.nextRound() {
            answers = try ranks.map { forest, comm in
                comm.restart()
                return try forest.search(queries: data.queries, k: 5, excluding: skip, communicator: comm)
            }
            rounds += 1
        }
        XCTAssertGreaterThan(rounds, 2)
        let expected = try LSHForest(data.base, parameters: p).search(queries: data.queries, k: 5, excluding: skip)
        for (r, answer) in answers.enumerated() { XCTAssertTrue(sameResults(answer, expected), "rank \(r)") }
    }

    /// The communicator path with one rank is the plain forest.
    func testSingleProcessShardedForestIsThePlainForest() throws {
        let data = clusteredData(base: 2000, queries: 1100, dimension: 8)  // > one chunk of 1024 queries
        let p = LSHForest.Parameters(trees: 6, maxDepth: 16, candidatesPerTree: 8, metric: .l2, seed: 2)
        let sharded = try ShardedForest(shard: data.base, firstID: 0, parameters: p)
        let plain = try LSHForest(data.base, parameters: p)
        let skip = (0 ..< 1100).map { $0 % 3 == 0 ? $0 : -1 }
        XCTAssertTrue(sameResults(try sharded.search(queries: data.queries, k: 4, excluding: skip,
                                                     communicator: SingleProcessCommunicator()),
                                  try plain.search(queries: data.queries, k: 4, excluding: skip)))
        XCTAssertEqual(sharded.globalIDs, 0 ..< 2000)
        XCTAssertThrowsError(try ShardedForest(shard: data.base, firstID: -1, parameters: p))
    }
}
