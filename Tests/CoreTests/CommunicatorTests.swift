import Core
import TestSupport
import XCTest

final class CommunicatorTests: XCTestCase {
    func testShardingCoversEveryIndexOnce() {
        for count in [0, 1, 2, 3, 7, 10, 100, 1001] {
            for size in 1 ... 9 {
                var seen = [Int](repeating: 0, count: count)
                var previousUpper = 0
                for rank in 0 ..< size {
                    let r = shard(count: count, rank: rank, size: size)
                    XCTAssertEqual(r.lowerBound, previousUpper, "contiguous, in rank order")
                    previousUpper = r.upperBound
                    for i in r { seen[i] += 1 }
                    XCTAssertLessThanOrEqual(abs(r.count - count / size), 1, "balanced")
                }
                XCTAssertEqual(seen, [Int](repeating: 1, count: count), "count \(count) size \(size)")
            }
        }
    }

    /// Simulates `size` ranks in one process: each "rank" contributes the partials of its blocks, and the
    /// block-ordered sum must be bit-identical for every size, and equal to a 1-rank sequential sum.
    func testOrderedReductionIsBitIdenticalForAnyRankCount() throws {
        let n = 10_007, w = 5
        var rng = SeededRandom(seed: 99)
        let data = (0 ..< n * w).map { _ in Float(rng.normal() * 1e3) }
        let reduction = OrderedReduction(blockSize: 256)
        func partial(_ rows: Range<Int>) -> [Float] {
            var p = [Float](repeating: 0, count: w)
            for i in rows { for j in 0 ..< w { p[j] += data[i * w + j] } }
            return p
        }
        let reference = try reduction.sum(totalRows: n, width: w, communicator: SingleProcessCommunicator(),
                                          partial: partial)
        for size in 2 ... 7 {
            // Each rank computes the partials of its own blocks only (ThreadedWorld: one thread per rank).
            let sums = try ThreadedWorld.run(size: size) { comm in
                try reduction.sum(totalRows: n, width: w, communicator: comm) { rows in
                    XCTAssertTrue(reduction.rows(totalRows: n, rank: comm.rank, size: comm.size).contains(rows.lowerBound))
                    var p = [Float](repeating: 0, count: w)
                    for i in rows { for j in 0 ..< w { p[j] += data[i * w + j] } }
                    return p
                }
            }
            for s in sums { XCTAssertEqual(bits(s), bits(reference), "size \(size)") }
        }
        // The rows each rank reads are exactly its blocks' rows, covering 0..<n once.
        var covered = 0
        for rank in 0 ..< 3 {
            let r = reduction.rows(totalRows: n, rank: rank, size: 3)
            XCTAssertEqual(r.lowerBound, covered)
            covered = r.upperBound
        }
        XCTAssertEqual(covered, n)
    }
}
