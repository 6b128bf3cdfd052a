@testable import Core
import TestSupport
import XCTest

/// `OrderedReduction.sum` (segmented: all-to-all of column segments, then an all-gather of the summed segments)
/// against its naive twin `naiveSum` (all-gather of every block partial): the same bits at 1/2/3/4 threaded ranks,
/// for Float and Double, with W not divisible by P, W < P, B < P (ranks that own no block), no rows at all,
/// and several exchange rounds; and the values each rank receives, counted, against B·|σ_r| + W.
final class SegmentedReductionTests: XCTestCase {
    /// (N, W, blockSize): W ∤ P, W < P (W = 1, 2), B = 2 < P, B = 0, one block.
    static let shapes: [(rows: Int, width: Int, blockSize: Int)] = [
        (10_007, 5, 256), (1_000, 2, 100), (513, 1, 64), (300, 7, 256), (0, 3, 16), (40, 6, 64),
    ]

    /// Seeded values of magnitude ~10³ (partial sums round differently when their order changes).
    static func data<T: BinaryFloatingPoint>(rows: Int, width: Int, as _: T.Type) -> [T] {
        var rng = SeededRandom(seed: UInt64(rows * 31 + width))
        return (0 ..< rows * width).map { _ in T(rng.normal() * 1e3) }
    }

    static func partial<T: BinaryFloatingPoint>(_ x: [T], width: Int) -> (Range<Int>) -> [T] {
        { rows in
            var p = [T](repeating: 0, count: width)
            for i in rows { for j in 0 ..< width { p[j] += x[i * width + j] } }
            return p
        }
    }

    /// Same bits: equal values with equal signs (so ±0 are told apart), no NaN in these sums.
    static func sameBits<T: BinaryFloatingPoint>(_ a: [T], _ b: [T]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0 == $1 && $0.sign == $1.sign }
    }

    func checkTwins<T: BinaryFloatingPoint & CommunicatorScalar>(_: T.Type, maxExchangeValues: Int) throws {
        for shape in Self.shapes {
            let x = Self.data(rows: shape.rows, width: shape.width, as: T.self)
            let reduction = OrderedReduction(blockSize: shape.blockSize)
            let reference = try reduction.naiveSum(totalRows: shape.rows, width: shape.width,
                                                   communicator: SingleProcessCommunicator(),
                                                   partial: Self.partial(x, width: shape.width))
            XCTAssertEqual(reference.count, shape.width)
            for size in 1 ... 4 {
                let results = try ThreadedWorld.run(size: size) { comm in
                    let segmented = try reduction.sum(totalRows: shape.rows, width: shape.width, communicator: comm,
                                                      maxExchangeValues: maxExchangeValues,
                                                      partial: Self.partial(x, width: shape.width))
                    let naive = try reduction.naiveSum(totalRows: shape.rows, width: shape.width, communicator: comm,
                                                       partial: Self.partial(x, width: shape.width))
                    return (segmented, naive)
                }
                for (rank, (segmented, naive)) in results.enumerated() {
                    let what = "\(T.self) \(shape) at \(size) ranks, rank \(rank), exchange \(maxExchangeValues)"
                    XCTAssertTrue(Self.sameBits(segmented, naive), "segmented ≠ naive twin: \(what)")
                    XCTAssertTrue(Self.sameBits(segmented, reference), "≠ 1-rank reference: \(what)")
                }
            }
        }
    }

    func testSegmentedSumHasTheNaiveTwinsBitsFloat() throws {
        try checkTwins(Float.self, maxExchangeValues: OrderedReduction.maxExchangeValues)
    }

    func testSegmentedSumHasTheNaiveTwinsBitsDouble() throws {
        try checkTwins(Double.self, maxExchangeValues: OrderedReduction.maxExchangeValues)
    }

    /// A tiny exchange limit cuts every sum into rounds of one column per segment: still the same bits.
    func testExchangeRoundsDoNotChangeTheBits() throws {
        try checkTwins(Float.self, maxExchangeValues: 1)
        try checkTwins(Double.self, maxExchangeValues: 5)
    }

    /// The data must be order-sensitive, or the twins could agree by luck: a plain per-rank sum varies with P.
    func testDataIsSensitiveToTheSummationOrder() {
        let x = Self.data(rows: 10_007, width: 1, as: Float.self)
        func plain(size: Int) -> Float {
            (0 ..< size).map { r in shard(count: x.count, rank: r, size: size).reduce(Float(0)) { $0 + x[$1] } }
                .reduce(0, +)
        }
        XCTAssertGreaterThan(Set((1 ... 7).map { plain(size: $0).bitPattern }).count, 1)
    }

    /// Rank r receives B·|σ_r| values by the all-to-all and W by the all-gather (the naive twin: B·W), counted
    /// by `CountingCommunicator.receivedValues` around threaded ranks; σ_r = shard(W, r, P).
    func testValuesReceivedPerRankAreOneSegmentOfEveryBlockPlusTheTotal() throws {
        let n = 2_600, w = 1_001, reduction = OrderedReduction(blockSize: 256)  // B = 11
        let x = Self.data(rows: n, width: w, as: Float.self)
        for size in 1 ... 4 {
            let counted = try ThreadedWorld.run(size: size) { threaded in
                let comm = CountingCommunicator(threaded)
                _ = try reduction.sum(totalRows: n, width: w, communicator: comm, partial: Self.partial(x, width: w))
                let segmented = comm.receivedValues
                _ = try reduction.naiveSum(totalRows: n, width: w, communicator: comm, partial: Self.partial(x, width: w))
                return (segmented, comm.receivedValues["allGather"]! - segmented["allGather"]!)
            }
            for (rank, (segmented, naive)) in counted.enumerated() {
                let segment = shard(count: w, rank: rank, size: size).count  // 1001/4 → 251, 250, 250, 250
                XCTAssertEqual(segmented["allToAll"], 11 * segment, "all-to-all, \(size) ranks, rank \(rank)")
                XCTAssertEqual(segmented["allGather"], w, "all-gather, \(size) ranks, rank \(rank)")
                XCTAssertEqual(naive, 11 * w, "naive twin, \(size) ranks, rank \(rank)")
            }
        }
    }

    /// Segments are contiguous, in rank order, cover 0 ..< W once, and are empty beyond W when W < P.
    func testSegmentsCoverTheColumnsOnce() {
        for width in [0, 1, 2, 5, 1001] {
            for size in 1 ... 5 {
                let segments = OrderedReduction.segments(width: width, size: size)
                XCTAssertEqual(segments.count, size)
                XCTAssertEqual(segments.map(\.count).reduce(0, +), width)
                for (a, b) in zip(segments, segments.dropFirst()) { XCTAssertEqual(a.upperBound, b.lowerBound) }
            }
        }
        XCTAssertEqual(OrderedReduction.segments(width: 2, size: 4).map(\.count), [1, 1, 0, 0])
    }

    /// Partials beyond the memory budget are refused with the numbers and the fix, before any is computed.
    func testPartialsOverTheBudgetNameTheFix() {
        let reduction = OrderedReduction(blockSize: 10)
        var called = false
        XCTAssertThrowsError(try MemoryBudget.$current.withValue(MemoryBudget(bytes: 1 << 10, origin: "test 1KiB")) {
            _ = try reduction.sum(totalRows: 100, width: 64, communicator: SingleProcessCommunicator()) { _ -> [Float] in
                called = true
                return [Float](repeating: 0, count: 64)
            }
        }) { error in
            XCTAssertTrue("\(error)".contains("run on more ranks"), "\(error)")
        }
        XCTAssertFalse(called)
    }
}
