import Storage
import XCTest

/// Extendable datasets: appending batches, reopening and appending again, reading row ranges back.
final class StreamingTests: XCTestCase {
    private let d = 3

    private func batch(_ rows: Range<Int>) -> [Float] {
        rows.flatMap { row in (0..<d).map { Float(row * 10 + $0) } }
    }

    func testAppendInSeveralBatchesThenReadBack() throws {
        let path = try makeTemporaryDirectory() + "/stream.h5"
        let file = try HDF5File.create(path: path)
        try file.createExtendable("features/x", of: Float.self, rowShape: [d], chunkRows: 4, gzip: 1)
        XCTAssertEqual(try file.shape(of: "features/x"), [0, d])
        var expectedRanges: [Range<Int>] = []
        var start = 0
        for count in [5, 1, 0, 7, 4] {
            XCTAssertEqual(try file.append(rows: batch(start..<start + count), to: "features/x"), start..<start + count)
            expectedRanges.append(start..<start + count)
            start += count
        }
        try file.close()
        let reopened = try HDF5File.open(path: path)
        let (values, shape) = try reopened.read("features/x", as: Float.self)
        XCTAssertEqual(shape, [17, d])
        XCTAssertEqual(values, batch(0..<17))
        XCTAssertEqual(try reopened.readRows("features/x", rows: 4..<9, as: Float.self).values, batch(4..<9))
    }

    func testReopenedExtendableDatasetAppendsAgain() throws {
        let path = try makeTemporaryDirectory() + "/resume.h5"
        do {
            let file = try HDF5File.create(path: path)
            try file.createExtendable("x", of: Float.self, rowShape: [d])
            try file.append(rows: batch(0..<6), to: "x")
        }  // closed by deinit
        do {
            let file = try HDF5File.open(path: path, mode: .readWrite)
            XCTAssertEqual(try file.append(rows: batch(6..<10), to: "x"), 6..<10)
            try file.close()
        }
        let file = try HDF5File.open(path: path)
        XCTAssertEqual(try file.read("x", as: Float.self).values, batch(0..<10))
        assertStorageError(try file.append(rows: batch(10..<11), to: "x"), mentions: path) {
            if case .io = $0 { return true } else { return false }  // read-only
        }
    }

    func testAppendRejectsWrongTypeAndPartialRows() throws {
        let path = try makeTemporaryDirectory() + "/bad-append.h5"
        let file = try HDF5File.create(path: path)
        try file.createExtendable("x", of: Int32.self, rowShape: [2, 2], chunkRows: 8)
        try file.append(rows: [1, 2, 3, 4] as [Int32], to: "x")
        assertStorageError(try file.append(rows: [1, 2, 3, 4] as [Float], to: "x"), mentions: path) {
            $0 == .typeMismatch(file: path, name: "x", expected: "float32", got: "int32")
        }
        assertStorageError(try file.append(rows: [1, 2, 3] as [Int32], to: "x"), mentions: path) {
            $0 == .countMismatch(file: path, dataset: "x", count: 3, shape: [2, 2])
        }
        XCTAssertEqual(try file.read("x", as: Int32.self).shape, [1, 2, 2])
    }
}
