import Bench
import LinearAlgebra
@testable import Retrieval
import TestSupport
import XCTest

final class ExactSearchTests: XCTestCase {
    /// Default blocks (256 queries × 4096 points) and small ragged ones (7 × 50) against the plain-loop twin.
    func testBlockedGEMMSearchMatchesNaiveTwinForEveryMetric() throws {
        let base = randomMatrix(rows: 4200, columns: 9, seed: 21)
        let queries = randomMatrix(rows: 40, columns: 9, seed: 22)
        for metric in Metric.allCases {
            let index = try ExactSearch(base, metric: metric)
            let fast = try index.search(queries: queries, k: 7)
            let small = try index.search(queries: queries, k: 7, excluding: nil, queryBlock: 7, baseBlock: 50)
            XCTAssertEqual(small.map { $0.map(\.id) }, fast.map { $0.map(\.id) }, "\(metric): block sizes")
            assertClose(small.flatMap { $0.map(\.score) }, fast.flatMap { $0.map(\.score) }, label: "\(metric) blocks")
            let naive = try index.searchNaive(queries: queries, k: 7)
            XCTAssertEqual(fast.map { $0.map(\.id) }, naive.map { $0.map(\.id) }, "\(metric)")
            assertClose(fast.flatMap { $0.map(\.score) }, naive.flatMap { $0.map(\.score) }, rtol: 1e-4, atol: 1e-4,
                        label: "\(metric) scores")
            XCTAssertEqual(RetrievalBenchmark.recall(fast, naive, k: 7), 1.0, "\(metric)")
        }
    }

    func testExclusionCustomIDsAndShortLists() throws {
        let base = randomMatrix(rows: 30, columns: 4, seed: 23)
        let index = try ExactSearch(base, ids: (0 ..< 30).map { 100 + $0 }, metric: .l2)
        let hits = try index.search(queries: base.rows(0 ..< 3), k: 2, excluding: [100, -1, 999])
        XCTAssertEqual(hits[1][0].id, 101, "a stored point is its own nearest neighbour under L2")
        XCTAssertNotEqual(hits[0][0].id, 100, "the excluded id is skipped")
        XCTAssertEqual(hits[0].count, 2)
        XCTAssertEqual(try index.search(queries: base.rows(0 ..< 1), k: 50)[0].count, 30, "k > N returns N")
        XCTAssertEqual(try index.search(queries: base.rows(0 ..< 2), k: 0), [[], []])
        let empty = try ExactSearch(dimension: 4, metric: .cosine)
        XCTAssertEqual(try empty.search(queries: base.rows(0 ..< 2), k: 3), [[], []])
    }

    func testBadInputThrowsTypedErrors() throws {
        let index = try ExactSearch(randomMatrix(rows: 5, columns: 3, seed: 24), metric: .innerProduct)
        XCTAssertThrowsError(try index.search(queries: randomMatrix(rows: 2, columns: 4, seed: 1), k: 1)) {
            XCTAssertEqual($0 as? RetrievalError, .dimensionMismatch(what: "search queries", expected: 3, got: 4))
        }
        XCTAssertThrowsError(try index.search(queries: randomMatrix(rows: 2, columns: 3, seed: 1), k: 1,
                                              excluding: [0]))
        XCTAssertThrowsError(try ExactSearch(dimension: 0, metric: .l2))
    }
}
