@testable import FisherAnnotation
import XCTest

/// Ranks split the neighbour queries in whole GEMM blocks, so each query is scored in the same block (and so
/// with the same bits) whatever the number of ranks.
final class ShardedNeighboursTests: XCTestCase {
    func testRanksTakeWholeBlocksCoveringEveryQueryOnce() {
        for (count, size) in [(1930, 2), (1930, 3), (1288, 4), (24, 2), (0, 2), (256, 2), (257, 2)] {
            let ranges = (0 ..< size).map { ShardedNeighbours.queries(count: count, rank: $0, size: size, blockSize: 256) }
            XCTAssertEqual(ranges.flatMap { Array($0) }, Array(0 ..< count), "count \(count), \(size) ranks")
            for r in ranges where !r.isEmpty {
                XCTAssertEqual(r.lowerBound % 256, 0, "a slice starts on a block boundary")
                XCTAssertTrue(r.upperBound % 256 == 0 || r.upperBound == count, "and ends on one (or at the end)")
            }
        }
        XCTAssertEqual(ShardedNeighbours.queries(count: 1930, rank: 1, size: 2, blockSize: 256), 1024 ..< 1930)
    }
}
