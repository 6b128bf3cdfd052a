import Core
@testable import FisherAnnotation
import Foundation
import LinearAlgebra
import Storage
import TestSupport
import XCTest

/// `FisherVectorRows` reads wanted rows spread over `fv.h5` (training rows among test rows) in file spans no
/// longer than the rows it returns, so a read never holds more than its result.
final class FisherVectorRowsTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws { folder = try makeTemporaryDirectory("fv-rows") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    /// Pieces by hand: greedy from the front, each spanning at most `maximumSpan` file rows.
    func testPiecesSpanAtMostTheGivenRows() {
        let rows: [Int] = [0, 1, 2, 10, 11, 30]
        XCTAssertEqual(FisherVectorRows.pieces(rows[...], maximumSpan: 3), [0 ..< 3, 3 ..< 5, 5 ..< 6])
        XCTAssertEqual(FisherVectorRows.pieces(rows[...], maximumSpan: 11), [0 ..< 4, 4 ..< 5, 5 ..< 6])  // 0…10; 11; 30
        XCTAssertEqual(FisherVectorRows.pieces(rows[...], maximumSpan: 31), [0 ..< 6])
        XCTAssertEqual(FisherVectorRows.pieces(rows[...], maximumSpan: 1), (0 ..< 6).map { $0 ..< $0 + 1 })
        XCTAssertEqual(FisherVectorRows.pieces(rows[2 ..< 5], maximumSpan: 2), [2 ..< 3, 3 ..< 5])  // slice indices kept
        XCTAssertEqual(FisherVectorRows.pieces([5, 6, 7, 8][...], maximumSpan: 4), [0 ..< 4])      // contiguous: one read
    }

    /// Rows 15 apart under a budget of the 4 rows returned: the old single span (0…45, 46 rows) was refused; the
    /// pieces are read one row each and equal the same rows of the whole block, for float32 and float16 files.
    func testSpreadRowsReadWithinABudgetOfTheRowsReturned() throws {
        for storage in [FisherVectorStorage.float32, .float16] {
            let sub = folder.appendingPathComponent("\(storage)")
            try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
            let (fv, _) = try AnnotateFixture.write(sub, storage: storage)
            let file = try HDF5File.open(path: fv)
            let whole = try FisherVectorReader(file: file, dataset: "fv/orh/2x2").all()
            try file.close()
            let picked = [0, 15, 30, 45]
            XCTAssertEqual(whole.rows, AnnotateFixture.items)
            let rows = try FisherVectorRows(path: fv, block: "orh/2x2", fileRows: picked)
            let budget = MemoryBudget(bytes: picked.count * rows.dimension * 4, origin: "test: the rows returned")
            let read = try MemoryBudget.$current.withValue(budget) { try rows.rows(0 ..< picked.count) }
            XCTAssertEqual(read, Matrix(rows: picked.count, columns: rows.dimension, values: picked.flatMap { whole.row($0) }),
                           "\(storage)")
            // The span of all of them is over that budget: the single-span read was refused.
            let file2 = try HDF5File.open(path: fv)
            defer { try? file2.close() }
            XCTAssertThrowsError(try MemoryBudget.$current.withValue(budget) {
                try FisherVectorReader(file: file2, dataset: "fv/orh/2x2").rows(picked[0] ..< picked.last! + 1)
            }, "\(storage)")
        }
    }

    /// A budget of one row, below any chunk: contiguous and spread rows are read one row per read instead of
    /// refused, and equal the same rows of the whole block, for float32, float16 and PQ files. The one-span read of
    /// the contiguous rows is over that budget (what `rows` did before: "needs 111.5 MiB" under `--memory 96MiB`).
    func testABudgetBelowOneChunkReadsRowByRowWithTheSameValues() throws {
        for storage in [FisherVectorStorage.float32, .float16, .pq] {
            let sub = folder.appendingPathComponent("small-\(storage)")
            try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
            let (fv, _) = try AnnotateFixture.write(sub, storage: storage)
            let file = try HDF5File.open(path: fv)
            defer { try? file.close() }
            let whole = try FisherVectorReader(file: file, dataset: "fv/col/1x3").all()
            let picked = Array(0 ..< 10) + [15, 30, 47]
            let rows = try FisherVectorRows(path: fv, block: "col/1x3", fileRows: picked)
            let budget = MemoryBudget(bytes: rows.dimension * 4, origin: "test: one row")
            XCTAssertEqual(MemoryBudget.$current.withValue(budget) { FisherVectorRows.rowsPerRead(rows.dimension) }, 1)
            XCTAssertEqual(MemoryBudget.$current.withValue(MemoryBudget(bytes: 3 * rows.dimension * 4 + 1, origin: "test")) {
                FisherVectorRows.rowsPerRead(rows.dimension)
            }, 3)
            let read = try MemoryBudget.$current.withValue(budget) { try rows.rows(0 ..< picked.count) }
            XCTAssertEqual(read, Matrix(rows: picked.count, columns: rows.dimension, values: picked.flatMap { whole.row($0) }),
                           "\(storage)")
            let middle = try MemoryBudget.$current.withValue(budget) { try rows.rows(4 ..< 11) }
            XCTAssertEqual(middle, read.rows(4 ..< 11), "\(storage)")
            XCTAssertThrowsError(try MemoryBudget.$current.withValue(budget) {
                try FisherVectorReader(file: file, dataset: "fv/col/1x3").rows(0 ..< 10)
            }, "\(storage)")
        }
    }
}
