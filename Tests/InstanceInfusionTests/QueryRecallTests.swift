import InstanceInfusion
import LinearAlgebra
import XCTest

/// `QueryRecall`: recall@k of LSH lists against exact search, on answers worked out by hand.
final class QueryRecallTests: XCTestCase {
    func testRecallIsTheMeanShareOfExactNeighboursFound() {
        // Query 0 finds 1 of 2, query 1 both, query 2 has no exact neighbour (not counted); −1 padding ignored.
        XCTAssertEqual(QueryRecall.recall(lsh: [[4, 9], [2, 3], [-1, -1]], exact: [[4, 5], [3, 2], []]), 0.75)
        XCTAssertTrue(QueryRecall.recall(lsh: [[1]], exact: [[]]).isNaN)
    }

    func testTheSampleTakesEveryStepthRowUpTo256() {
        XCTAssertEqual(QueryRecall.sample(5), [0, 1, 2, 3, 4])
        XCTAssertEqual(QueryRecall.sample(10, at: 4), [0, 3, 6, 9])  // step ⌈10/4⌉ = 3
        XCTAssertEqual(QueryRecall.sample(1000).count, 250)          // step ⌈1000/256⌉ = 4
    }

    func testMeasureAgainstExactCosineNeighbours() throws {
        // x0 = (1, 0), x1 = (0.9, 0.1), x2 = (0, 1), x3 = (−1, 0); self excluded, k = 1. Exact cosine neighbours:
        // x0 → x1, x1 → x0, x2 → x1 (cos 0.11 > 0 for x0 and x3), x3 → x2 (0 > −0.99 for x1, −1 for x0).
        let base = Matrix<Float>(rowArrays: [[1, 0], [0.9, 0.1], [0, 1], [-1, 0]])
        let lsh = QueryResult(k: 1, ids: [1, 0, 3, 2], scores: [1, 1, 0, 0])  // query 2 answered x3: a miss
        let (recall, sampled) = try QueryRecall.measure(lsh, queries: base, base: base, metric: IndexMetric.cosine.metric,
                                                        excludeSelf: true)
        XCTAssertEqual(sampled, 4)
        XCTAssertEqual(recall, 0.75)
    }
}
