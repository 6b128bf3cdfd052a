import LinearAlgebra
import XCTest

/// `InRankThreads`: every item runs exactly once, on one of the W workers, with OpenBLAS at 1 thread inside (also
/// for W = 1) and its count restored afterwards; `map` returns results in item order.
final class InRankThreadsTests: XCTestCase {
    func testEveryItemRunsOnceOnItsWorkerAndBLASThreadsAreRestored() {
        let before = BLASThreads.count
        defer { BLASThreads.set(before) }
        BLASThreads.set(2)
        for (items, threads) in [(0, 2), (1, 3), (5, 1), (7, 2), (7, 3), (2, 5)] {
            let w = InRankThreads.workers(items: items, threads: threads)
            XCTAssertEqual(w, Swift.max(1, Swift.min(items, threads)), "\(items) items, \(threads) threads")
            let seen = UnsafeMutableBufferPointer<Int>.allocate(capacity: Swift.max(items, 1))
            let inner = UnsafeMutableBufferPointer<Int>.allocate(capacity: Swift.max(items, 1))
            seen.initialize(repeating: 0)
            inner.initialize(repeating: 0)
            defer { seen.deallocate(); inner.deallocate() }
            InRankThreads.forEach(items: items, threads: threads) { item, worker in
                XCTAssertTrue(worker >= 0 && worker < w, "item \(item) ran on worker \(worker) of \(w)")
                seen[item] += 1  // one writer per item
                inner[item] = BLASThreads.count
            }
            XCTAssertEqual(Array(seen.prefix(items)), [Int](repeating: 1, count: items))
            // Inside every item OpenBLAS is at 1 thread, a lone item (W = 1) included: at 2 threads OpenBLAS
            // splits K for some shapes and would give that item other bits than a worker's 1-thread GEMM.
            XCTAssertEqual(Array(inner.prefix(items)), [Int](repeating: 1, count: items))
            XCTAssertEqual(BLASThreads.count, 2, "restored after \(items) items on \(threads) threads")
        }
    }

    func testMapReturnsItemOrderForAnyThreadCount() {
        let expected = (0 ..< 11).map { $0 * $0 + 1 }
        for threads in 1 ... 3 {
            XCTAssertEqual(InRankThreads.map(items: 11, threads: threads) { i, _ in i * i + 1 }, expected, "\(threads)")
        }
    }
}
