import Storage
import XCTest

/// Whole-dataset round trips for every element type and rank, chunking/gzip, row-range reads, groups.
final class DatasetRoundTripTests: XCTestCase {
    private let shapes: [[Int]] = [[7], [3, 5], [2, 3, 4]]

    private func assertRoundTrip<T: HDF5Element>(_ type: T.Type, chunked: Bool = false, gzip: Int? = nil,
                                                 line: UInt = #line) throws {
        let path = try makeTemporaryDirectory() + "/\(T.hdf5Kind).h5"
        let file = try HDF5File.create(path: path)
        for shape in shapes {
            let values = sampleValues(shape.reduce(1, *), as: T.self)
            let chunk = chunked ? [1] + shape.dropFirst() : nil
            try file.write(values, shape: shape, to: "rank\(shape.count)", chunk: chunk, gzip: gzip)
        }
        try file.close()

        let reopened = try HDF5File.open(path: path)
        for shape in shapes {
            let (values, readShape) = try reopened.read("rank\(shape.count)", as: T.self)
            XCTAssertEqual(readShape, shape, "\(T.hdf5Kind) rank \(shape.count)", line: line)
            XCTAssertEqual(values, sampleValues(shape.reduce(1, *), as: T.self), "\(T.hdf5Kind) \(shape)", line: line)
            XCTAssertEqual(try reopened.shape(of: "rank\(shape.count)"), shape, line: line)
            XCTAssertEqual(try reopened.elementKind(of: "rank\(shape.count)"), T.hdf5Kind, line: line)
        }
    }

    func testEveryElementTypeRoundTripsIn1D2D3D() throws {
        try assertRoundTrip(Float.self)
        try assertRoundTrip(Double.self)
        try assertRoundTrip(Int32.self)
        try assertRoundTrip(Int64.self)
        try assertRoundTrip(UInt8.self)
    }

    func testChunkedAndGzipRoundTrip() throws {
        try assertRoundTrip(Float.self, chunked: true)
        try assertRoundTrip(Float.self, chunked: true, gzip: 6)
        try assertRoundTrip(Int64.self, gzip: 1)  // gzip without a chunk shape picks one
        try assertRoundTrip(UInt8.self, chunked: true, gzip: 9)
    }

    func testGzipShrinksCompressibleData() throws {
        let directory = try makeTemporaryDirectory()
        let zeros = [Float](repeating: 0, count: 256 * 256)
        for (name, gzip) in [("plain", nil), ("gzip", 4)] as [(String, Int?)] {
            let file = try HDF5File.create(path: "\(directory)/\(name).h5")
            try file.write(zeros, shape: [256, 256], to: "x", chunk: [64, 256], gzip: gzip)
            try file.close()
        }
        let size = { (name: String) in
            try FileManager.default.attributesOfItem(atPath: "\(directory)/\(name).h5")[.size] as! Int
        }
        XCTAssertLessThan(try size("gzip") * 10, try size("plain"), "gzip did not compress 256 KiB of zeros")
        XCTAssertEqual(try HDF5File.open(path: "\(directory)/gzip.h5").read("x", as: Float.self).values, zeros)
    }

    func testReadRowsReturnsTheHyperslab() throws {
        let path = try makeTemporaryDirectory() + "/rows.h5"
        let values = sampleValues(10 * 3 * 2, as: Double.self)
        let file = try HDF5File.create(path: path)
        try file.write(values, shape: [10, 3, 2], to: "x", chunk: [4, 3, 2])
        let (rows, shape) = try file.readRows("x", rows: 3..<7, as: Double.self)
        XCTAssertEqual(shape, [4, 3, 2])
        XCTAssertEqual(rows, Array(values[18..<42]))
        let (empty, emptyShape) = try file.readRows("x", rows: 10..<10, as: Double.self)
        XCTAssertEqual(empty, [])
        XCTAssertEqual(emptyShape, [0, 3, 2])
        assertStorageError(try file.readRows("x", rows: 8..<11, as: Double.self), mentions: path) {
            $0 == .rowsOutOfRange(file: path, dataset: "x", rows: 8..<11, rowCount: 10)
        }
    }

    func testReadIntoPreallocatedBuffer() throws {
        let path = try makeTemporaryDirectory() + "/into.h5"
        let values = sampleValues(12, as: Int32.self)
        let file = try HDF5File.create(path: path)
        try file.write(values, shape: [4, 3], to: "x")
        var buffer = [Int32](repeating: 0, count: 12)
        XCTAssertEqual(try file.read("x", into: &buffer), [4, 3])
        XCTAssertEqual(buffer, values)
        var wrongSize = [Int32](repeating: 0, count: 11)
        assertStorageError(try file.read("x", into: &wrongSize), mentions: path) {
            if case .shapeMismatch = $0 { return true } else { return false }
        }
    }

    func testReadWithExpectedShapeAcceptsWildcards() throws {
        let path = try makeTemporaryDirectory() + "/expected.h5"
        let file = try HDF5File.create(path: path)
        try file.write(sampleValues(6, as: Float.self), shape: [2, 3], to: "x")
        XCTAssertEqual(try file.read("x", as: Float.self, shape: [nil, 3]), sampleValues(6, as: Float.self))
        XCTAssertEqual(try file.read("x", as: Float.self, shape: [2, 3]).count, 6)
    }

    func testEmptyDatasetRoundTrips() throws {
        let path = try makeTemporaryDirectory() + "/empty.h5"
        let file = try HDF5File.create(path: path)
        try file.write([Float](), shape: [0, 4], to: "x", gzip: 1)
        let (values, shape) = try file.read("x", as: Float.self)
        XCTAssertEqual(values, [])
        XCTAssertEqual(shape, [0, 4])
    }

    func testGroupsNestedPathsAndListing() throws {
        let path = try makeTemporaryDirectory() + "/groups.h5"
        let file = try HDF5File.create(path: path)
        try file.createGroup("a/b/c")
        try file.createGroup("a/b/c")  // idempotent
        try file.write([1, 2, 3] as [Int64], shape: [3], to: "a/b/c/x")
        try file.write([4] as [Int64], shape: [1], to: "d/e/y")  // parents created on write
        XCTAssertTrue(file.contains("a/b/c"))
        XCTAssertTrue(file.contains("/a/b/c/x"))
        XCTAssertFalse(file.contains("a/x"))
        XCTAssertFalse(file.contains("a/b/c/x/z"))
        XCTAssertTrue(file.isDataset("a/b/c/x"))
        XCTAssertFalse(file.isDataset("a/b"))
        XCTAssertEqual(try file.children(), ["a", "d"])
        XCTAssertEqual(try file.children(of: "a/b/c"), ["x"])
        try file.close()
        XCTAssertEqual(try HDF5File.open(path: path).read("d/e/y", as: Int64.self).values, [4])
    }

    func testWritingAnExistingNameOrTheWrongCountThrows() throws {
        let path = try makeTemporaryDirectory() + "/dup.h5"
        let file = try HDF5File.create(path: path)
        try file.write([1, 2] as [Float], shape: [2], to: "x")
        assertStorageError(try file.write([1, 2] as [Float], shape: [2], to: "x"), mentions: path) {
            if case .io = $0 { return true } else { return false }
        }
        assertStorageError(try file.write([1, 2, 3] as [Float], shape: [2, 2], to: "y"), mentions: path) {
            $0 == .countMismatch(file: path, dataset: "y", count: 3, shape: [2, 2])
        }
        try file.close()
        assertStorageError(try file.read("x", as: Float.self), mentions: path) {
            if case .io = $0 { return true } else { return false }
        }
    }
}
