import Core
import LinearAlgebra
@testable import Retrieval
import TestSupport
import XCTest

/// `ShardedExactSearch` (the `retrieval: exact` of train-infused): equal to the O(N²) naive twin over the union
/// on 1, 2 and 3 threaded ranks, and to a forest whose candidate budget covers every point.
final class ShardedExactSearchTests: XCTestCase {
    /// Each rank indexes its shard, all search the same queries: the ids are the naive twin's (every score by its
    /// definition, all N sorted), scores equal up to the GEMM's rounding, and identical bits on every rank count.
    func testShardedExactEqualsTheNaiveTwinOnOneTwoThreeRanks() throws {
        let data = clusteredData(base: 700, queries: 40, dimension: 12)
        let selfIDs = (0 ..< 40).map { $0 * 17 }
        let queries = Matrix(rowArrays: selfIDs.map { data.base.row($0) })
        for metric in Metric.allCases {
            let p = LSHForest.Parameters(trees: 4, maxDepth: 12, candidatesPerTree: 4, metric: metric, seed: 3)
            let naive = try ExactSearch(data.base, metric: metric)
            var byRanks: [[[Neighbor]]] = []
            for excluding in [nil, selfIDs] {
                let expected = try naive.searchNaive(queries: queries, k: 6, excluding: excluding)
                for ranks in [1, 2, 3] {
                    let answers = try ThreadedWorld.run(size: ranks) { comm in
                        let range = shard(count: data.base.rows, rank: comm.rank, size: comm.size)
                        let forest = try ShardedForest(shard: data.base.rows(range), firstID: range.lowerBound, parameters: p)
                        return try ShardedExactSearch(forest).search(queries: queries, k: 6, excluding: excluding,
                                                                     communicator: comm)
                    }
                    XCTAssertTrue(answers.allSatisfy { sameResults($0, answers[0]) }, "every rank the same answer")
                    let got = answers[0]
                    XCTAssertEqual(got.map { $0.map(\.id) }, expected.map { $0.map(\.id) }, "\(metric), \(ranks) rank(s)")
                    for (g, e) in zip(got.joined(), expected.joined()) {
                        XCTAssertEqual(g.score, e.score, accuracy: 1e-4 * max(1, abs(e.score)))
                    }
                    if let excluding {
                        XCTAssertTrue(zip(got, excluding).allSatisfy { list, id in !list.contains { $0.id == id } })
                    }
                    if excluding != nil { byRanks.append(got) }
                }
            }
            // Shards only change which rank holds a row, never the answer: 1, 2, 3 ranks bit-identical.
            XCTAssertTrue(sameResults(byRanks[0], byRanks[1]) && sameResults(byRanks[0], byRanks[2]), "\(metric)")
        }
    }

    /// With c > N the climb never stops above depth 0 (Σ_t C_t(1) ≤ L·N < c·L = M), so the forest re-ranks every
    /// point: LSH is exact by construction and gives the same neighbours as exact search.
    func testForestWithFullBudgetFindsTheExactNeighbours() throws {
        let data = clusteredData(base: 120, queries: 25, dimension: 10)
        let p = LSHForest.Parameters(trees: 8, maxDepth: 16, candidatesPerTree: 121, metric: .cosine, seed: 9)
        let answers = try ThreadedWorld.run(size: 2) { comm in
            let range = shard(count: data.base.rows, rank: comm.rank, size: comm.size)
            let forest = try ShardedForest(shard: data.base.rows(range), firstID: range.lowerBound, parameters: p)
            let lsh = try forest.search(queries: data.queries, k: 5, communicator: comm)
            let exact = try ShardedExactSearch(forest).search(queries: data.queries, k: 5, communicator: comm)
            return (lsh.map { $0.map(\.id) }, exact.map { $0.map(\.id) })
        }
        XCTAssertEqual(answers[0].0, answers[0].1)
        XCTAssertEqual(answers[1].1, answers[0].1)
    }
}
