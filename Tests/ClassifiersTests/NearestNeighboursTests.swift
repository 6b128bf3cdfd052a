@testable import Classifiers
import LinearAlgebra
import TestSupport
import XCTest

final class NearestNeighboursTests: XCTestCase {
    func testGEMMSearchMatchesNaiveTwinForEveryBlockSize() throws {
        let database = randomMatrix(rows: 50, columns: 8, seed: 51)
        let queries = randomMatrix(rows: 13, columns: 8, seed: 52)
        let naive = try NearestNeighbours.searchNaive(queries: queries, database: database, count: 7)
        for blockSize in [1, 4, 13, 256] {
            let fast = try NearestNeighbours.search(queries: queries, database: database, count: 7, blockSize: blockSize)
            XCTAssertEqual(fast.indices, naive.indices, "block \(blockSize)")
            assertClose(fast.similarities, naive.similarities, rtol: 1e-5, atol: 1e-5, label: "block \(blockSize)")
        }
    }

    func testLeaveOneOutExcludesSelfAndMatchesNaive() throws {
        let database = randomMatrix(rows: 40, columns: 5, seed: 53)
        let slice = 10 ..< 25
        let fast = try NearestNeighbours.leaveOneOut(database: database, rows: slice, count: 39)
        let naive = try NearestNeighbours.searchNaive(queries: database.rows(slice), database: database, count: 39,
                                                       excluding: Array(slice))
        XCTAssertEqual(fast.indices, naive.indices)
        for (q, i) in slice.enumerated() {
            let row = Array(fast.indices[(q * 39) ..< ((q + 1) * 39)])
            XCTAssertFalse(row.contains(i), "query \(i) returned itself")
            XCTAssertEqual(Set(row).count, 39, "every other item exactly once")
            let sims = Array(fast.similarities[(q * 39) ..< ((q + 1) * 39)])
            XCTAssertEqual(sims, sims.sorted(by: >), "non-increasing similarities")
        }
    }

    func testTiesAreBrokenByIndex() throws {
        // Items 0, 2, 3 are identical: similarities to the query tie and must come back by increasing index.
        let database = Matrix<Float>(rowArrays: [[1, 0], [0, 1], [1, 0], [1, 0], [-1, 0]])
        let result = try NearestNeighbours.search(queries: Matrix(rowArrays: [[1, 0]]), database: database, count: 4)
        XCTAssertEqual(result.indices, [0, 2, 3, 1])
        XCTAssertEqual(try NearestNeighbours.searchNaive(queries: Matrix(rowArrays: [[1, 0]]), database: database, count: 4).indices,
                       [0, 2, 3, 1])
    }

    func testDistributedLeaveOneOutIsIdenticalForAnyRankCount() throws {
        let database = randomMatrix(rows: 31, columns: 6, seed: 54)
        let reference = try NearestNeighbours.leaveOneOut(database: database, rows: 0 ..< 31, count: 9)
        for size in [1, 2, 3] {
            let results = try ThreadedWorld.run(size: size) { comm in
                try NearestNeighbours.leaveOneOut(database: database, count: 9, communicator: comm)
            }
            for r in results {
                XCTAssertEqual(r.indices, reference.indices, "size \(size)")
                XCTAssertEqual(bits(r.similarities), bits(reference.similarities), "size \(size)")
            }
        }
    }

    func testCountOutOfRangeThrows() {
        let database = randomMatrix(rows: 5, columns: 2, seed: 55)
        XCTAssertThrowsError(try NearestNeighbours.leaveOneOut(database: database, rows: 0 ..< 5, count: 5))
        XCTAssertThrowsError(try NearestNeighbours.search(queries: database, database: database, count: 0))
        XCTAssertThrowsError(try NearestNeighbours.search(queries: randomMatrix(rows: 1, columns: 3, seed: 1),
                                                          database: database, count: 1))
    }
}
