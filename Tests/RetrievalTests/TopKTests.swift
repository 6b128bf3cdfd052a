import Core
import LinearAlgebra
@testable import Retrieval
import XCTest

final class TopKTests: XCTestCase {
    func testPrecedesOrdersByScoreThenID() {
        XCTAssertTrue(Neighbor.precedes(Neighbor(id: 9, score: 2), Neighbor(id: 1, score: 1)))
        XCTAssertTrue(Neighbor.precedes(Neighbor(id: 1, score: 1), Neighbor(id: 2, score: 1)))
        XCTAssertFalse(Neighbor.precedes(Neighbor(id: 2, score: 1), Neighbor(id: 1, score: 1)))
        XCTAssertFalse(Neighbor.precedes(Neighbor(id: 1, score: 1), Neighbor(id: 1, score: 1)))
    }

    func testSelectorKeepsTheKBestWithTiesByID() {
        var rng = SeededRandom(seed: 11)
        // Scores from a small set, so ties are everywhere.
        let all = (0 ..< 500).map { Neighbor(id: $0, score: Float(rng.bounded(7))) }.shuffled(using: &rng)
        for k in [1, 3, 10, 600] {
            let selected = TopKSelector.withSelector(k: k) { selector -> [Neighbor] in
                for n in all { selector.offer(id: n.id, score: n.score) }
                return selector.sorted()
            }
            XCTAssertEqual(selected, Array(all.sorted(by: Neighbor.precedes).prefix(k)), "k = \(k)")
        }
    }

    func testMergeWithTiesAcrossRanks() {
        let rank0 = [Neighbor(id: 5, score: 1.0), Neighbor(id: 1, score: 0.5), Neighbor(id: 0, score: 0.1)]
        let rank1 = [Neighbor(id: 3, score: 1.0), Neighbor(id: 2, score: 0.5)]
        let rank2: [Neighbor] = []
        XCTAssertEqual(TopK.merge([rank0, rank1, rank2], k: 3),
                       [Neighbor(id: 3, score: 1.0), Neighbor(id: 5, score: 1.0), Neighbor(id: 1, score: 0.5)])
        XCTAssertEqual(TopK.merge([rank0, rank1], k: 10).map(\.id), [3, 5, 1, 2, 0])
        XCTAssertEqual(TopK.merge([rank0, rank1], k: 0), [])
        XCTAssertEqual(TopK.merge([], k: 4), [])
        // A repeated id keeps its best entry only.
        XCTAssertEqual(TopK.merge([[Neighbor(id: 7, score: 0.2)], [Neighbor(id: 7, score: 0.9)]], k: 2),
                       [Neighbor(id: 7, score: 0.9)])
    }

    func testMergeOfPerShardTopKEqualsTopKOfTheUnion() {
        var rng = SeededRandom(seed: 12)
        for trial in 0 ..< 20 {
            let k = 1 + rng.bounded(8)
            let union = (0 ..< 300).map { Neighbor(id: $0, score: Float(rng.bounded(20)) / 4) }
            let shards = (0 ..< 1 + rng.bounded(4)).map { r in union.filter { $0.id % (r + 1) == 0 && $0.id % 5 == r } }
            let covered = shards.flatMap { $0 }
            let perShard = shards.map { Array($0.sorted(by: Neighbor.precedes).prefix(k)) }
            XCTAssertEqual(TopK.merge(perShard, k: k), Array(covered.sorted(by: Neighbor.precedes).prefix(k)),
                           "trial \(trial)")
        }
    }

    func testPackAndUnpackRoundTrip() {
        let lists = [[Neighbor(id: 4, score: 0.5)], [], [Neighbor(id: 1, score: 2), Neighbor(id: 0, score: -1)]]
        let packed = TopK.pack(lists, k: 2)
        XCTAssertEqual(packed.ids, [4, -1, -1, -1, 1, 0])
        for q in lists.indices {
            XCTAssertEqual(TopK.unpack(ids: packed.ids, scores: packed.scores, query: q, k: 2), lists[q])
        }
    }
}
