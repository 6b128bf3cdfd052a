@testable import Classifiers
import Core
import LinearAlgebra
import TestSupport
import XCTest

/// `NearestNeighbours.search(queryRows:…)` with `QueryChunking`: test rows read in budget-sized chunks.
final class QueryChunkingTests: XCTestCase {
    static let d = 8, k = 5, n = 37, q = 23, fixed = 1000
    /// p = 4·D + 16·k bytes per test row.
    static let perRow = 4 * d + 16 * k  // 112

    static func gaussian(rows: Int, seed: UInt64) -> Matrix<Float> {
        var rng = SeededRandom(seed: seed)
        return Matrix(rows: rows, columns: d, values: (0 ..< rows * d).map { _ in Float(rng.normal()) })
    }

    static func plan(fitting rows: Int, extra: Int = 0, block: Int) throws -> QueryChunking {
        try QueryChunking.plan(budget: MemoryBudget(bytes: fixed + rows * perRow + extra, origin: "test"), columns: d,
                               count: k, fixedBytes: fixed, queryBlockSize: block, input: "fixture")
    }

    /// C = ⌊f/B⌋·B when f ≥ B, else the largest divisor of B ≤ f; b = min(B, C). Worked by hand:
    /// budget 1000 + 5·112 + 50 → f = 610/112 = 5 → with B = 4: C = 4; f = 3 → C = 2 (divisors of 4: 1, 2, 4);
    /// f = 11 → C = 8, b = 4; with B = 256: f = 300 → 256, f = 200 → 128, f = 100 → 64.
    func testChunkRowsFromTheBudgetByHand() throws {
        XCTAssertEqual(Self.perRow, 112)
        for (fit, block, c, b) in [(5, 4, 4, 4), (3, 4, 2, 2), (11, 4, 8, 4), (1, 4, 1, 1), (300, 256, 256, 256),
                                   (200, 256, 128, 128), (100, 256, 64, 64), (600, 256, 512, 256), (7, 6, 6, 6), (5, 6, 3, 3)] {
            let plan = try Self.plan(fitting: fit, extra: 50, block: block)
            XCTAssertEqual(plan.rowsPerChunk, c, "f = \(fit), B = \(block)")
            XCTAssertEqual(plan.blockSize, b, "f = \(fit), B = \(block)")
        }
        XCTAssertEqual(try Self.plan(fitting: 2, block: 4).describe(rows: 23, chunks: 12),
                       "23 test rows in 12 chunk(s) of ≤ 2 rows within budget \(MemoryBudget(bytes: 1224, origin: "test"))")
    }

    /// One row (112 bytes) beside the 1000 fixed bytes needs 1112: 1111 is refused, naming the input and the fix.
    func testOneRowThatDoesNotFitIsRefused() {
        XCTAssertNoThrow(try Self.plan(fitting: 1, block: 4))
        XCTAssertThrowsError(try Self.plan(fitting: 1, extra: -1, block: 4)) { error in
            guard case let MemoryBudgetError.overBudget(input, purpose, requested, allowed, _, fix) = error else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(input, "fixture")
            XCTAssertTrue(purpose.contains("one test row"), purpose)
            XCTAssertEqual(requested, 1112)
            XCTAssertEqual(allowed, 1111)
            XCTAssertTrue(fix.contains("--memory"), fix)
        }
        XCTAssertThrowsError(try QueryChunking.plan(budget: MemoryBudget(bytes: 500, origin: "test"), columns: Self.d,
                                                    count: Self.k, fixedBytes: 600, input: "fixture"))
    }

    /// Chunked lists (indices and similarities) and TagProp scores equal the unchunked search's bits, on 1 and
    /// 2 ranks, with ≥ 3 chunks per rank: C = B = 4 (the unchunked query blocks), and C = 2 < B (compared with
    /// the unchunked search at query blocks of 2). Real-valued features, so any GEMM-shape change would show.
    func testChunkedEqualsUnchunkedBits() throws {
        let database = Self.gaussian(rows: Self.n, seed: 11), queries = Self.gaussian(rows: Self.q, seed: 12)
        var rng = SeededRandom(seed: 13)
        let labels = LabelMatrix(rows: Self.n, columns: 3, values: (0 ..< Self.n * 3).map { _ in rng.uniform() < 0.4 })
        let model = TagProp(measures: 1, neighboursPerMeasure: Self.k, gamma: [Double](repeating: 0.2, count: Self.k),
                            alpha: [1.5, 2, 0.5], beta: [-0.5, 0.1, 0.3])
        let reduction = OrderedReduction(blockSize: 7)
        var results: [[Float]] = []
        for (fit, block) in [(5, 4), (3, 4)] {
            let chunking = try Self.plan(fitting: fit, block: block)
            for size in [1, 2] {
                let parts = try ThreadedWorld.run(size: size) { comm -> (chunked: Neighbours, whole: Neighbours, chunks: Int) in
                    let rows = reduction.rows(totalRows: Self.n, rank: comm.rank, size: size)
                    let blocks = shard(count: (Self.q + block - 1) / block, rank: comm.rank, size: size)
                    let mine = Swift.min(Self.q, blocks.lowerBound * block) ..< Swift.min(Self.q, blocks.upperBound * block)
                    let chunked = try NearestNeighbours.search(queryRows: mine, columns: Self.d, read: { r in
                        precondition(r.count <= chunking.rowsPerChunk && mine.contains(r.lowerBound))
                        return queries.rows(r)
                    }, shard: database.rows(rows), rows: rows, totalRows: Self.n, count: Self.k, reduction: reduction,
                       chunking: chunking, chunkSize: 3, communicator: comm)
                    let whole = try NearestNeighbours.search(queries: queries.rows(mine), shard: database.rows(rows), rows: rows,
                                                             totalRows: Self.n, count: Self.k, reduction: reduction, chunkSize: 3,
                                                             queryBlockSize: chunking.blockSize, communicator: comm)
                    return (chunked.neighbours, whole, chunked.chunks)
                }
                let label = "C = \(chunking.rowsPerChunk), \(size) rank(s)"
                XCTAssertGreaterThanOrEqual(parts.map(\.chunks).min()!, 3, label)
                let gather = { (lists: [Neighbours]) in
                    Neighbours(queries: Self.q, count: Self.k, indices: lists.flatMap(\.indices),
                               similarities: lists.flatMap(\.similarities))
                }
                let chunked = gather(parts.map(\.chunked)), whole = gather(parts.map(\.whole))
                XCTAssertEqual(chunked.indices, whole.indices, label)
                XCTAssertEqual(chunked.similarities.map(\.bitPattern), whole.similarities.map(\.bitPattern), label)
                let scores = try model.predict(neighbours: [chunked], trainingLabels: labels)
                let reference = try model.predict(neighbours: [whole], trainingLabels: labels)
                XCTAssertEqual(scores.values.map(\.bitPattern), reference.values.map(\.bitPattern), label)
                results.append(scores.values)
            }
        }
        // Rank count does not change the bits either (per chunk plan).
        XCTAssertEqual(results[0].map(\.bitPattern), results[1].map(\.bitPattern))
        XCTAssertEqual(results[2].map(\.bitPattern), results[3].map(\.bitPattern))
    }
}
