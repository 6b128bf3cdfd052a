import Core
import XCTest

/// `shard(count:rank:size:)` covers every index exactly once, in rank order, with lengths differing by ≤ 1.
final class ShardingTests: XCTestCase {
    func testEveryIndexExactlyOnceForManyShapes() {
        for size in 1 ... 17 {
            for count in [0, 1, 2, 3, size - 1, size, size + 1, 2 * size + 3, 97, 1000, 10_007] where count >= 0 {
                var covered = [Int](repeating: 0, count: count)
                var next = 0
                var lengths: [Int] = []
                for rank in 0 ..< size {
                    let range = shard(count: count, rank: rank, size: size)
                    XCTAssertEqual(range.lowerBound, next, "count \(count) size \(size) rank \(rank): not contiguous")
                    for i in range { covered[i] += 1 }
                    next = range.upperBound
                    lengths.append(range.count)
                }
                XCTAssertEqual(next, count, "count \(count) size \(size): ranges end at \(next)")
                XCTAssertTrue(covered.allSatisfy { $0 == 1 }, "count \(count) size \(size): an index is missed or repeated")
                XCTAssertLessThanOrEqual((lengths.max() ?? 0) - (lengths.min() ?? 0), 1, "count \(count) size \(size)")
            }
        }
    }

    func testFewerItemsThanRanksLeavesTrailingRanksEmpty() {
        let ranges = (0 ..< 5).map { shard(count: 3, rank: $0, size: 5) }
        XCTAssertEqual(ranges, [0 ..< 1, 1 ..< 2, 2 ..< 3, 3 ..< 3, 3 ..< 3])
    }

    func testZeroItems() {
        for size in 1 ... 4 {
            for rank in 0 ..< size { XCTAssertTrue(shard(count: 0, rank: rank, size: size).isEmpty) }
        }
    }

    func testDocumentedExample() {
        XCTAssertEqual(shard(count: 10, rank: 0, size: 3), 0 ..< 4)
        XCTAssertEqual(shard(count: 10, rank: 2, size: 3), 7 ..< 10)
    }

    func testTooManyRanksMessageSaysWhatToDo() {
        let message = "\(TooManyRanksError(items: 2, ranks: 3, what: "images"))"
        XCTAssertTrue(message.contains("mpirun -np 2"), message)
    }
}
