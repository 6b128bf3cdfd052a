import Foundation
import Storage
import XCTest

/// `createAtomic`: a file appears at its final name complete or not at all.
final class AtomicWriteTests: XCTestCase {
    private struct BodyFailed: Error {}

    func testCommitRenamesIntoPlaceAndLeavesNoTemporary() throws {
        let directory = try makeTemporaryDirectory()
        let path = directory + "/out.h5"
        let result = try HDF5File.createAtomic(path: path) { file -> Int in
            XCTAssertTrue(FileManager.default.fileExists(atPath: HDF5File.temporaryPath(for: path)))
            XCTAssertFalse(FileManager.default.fileExists(atPath: path), "final name visible before commit")
            try file.write([1, 2, 3] as [Double], shape: [3], to: "x")
            return 7
        }
        XCTAssertEqual(result, 7)
        XCTAssertEqual(listing(directory), ["out.h5"])
        XCTAssertEqual(try HDF5File.open(path: path).read("x", as: Double.self).values, [1, 2, 3])
    }

    func testThrowInsideBodyLeavesNothing() throws {
        let directory = try makeTemporaryDirectory()
        let path = directory + "/out.h5"
        XCTAssertThrowsError(try HDF5File.createAtomic(path: path) { file in
            try file.write([1, 2, 3] as [Double], shape: [3], to: "x")
            throw BodyFailed()
        }) { XCTAssertTrue($0 is BodyFailed, "the body's error is rethrown unchanged") }
        XCTAssertEqual(listing(directory), [], "no final file and no temporary left")
    }

    func testExistingFileIsUntouchedOnFailureAndReplacedOnSuccess() throws {
        let directory = try makeTemporaryDirectory()
        let path = directory + "/out.h5"
        try HDF5File.createAtomic(path: path, durable: true) { try $0.write([1] as [Int64], shape: [1], to: "v") }
        let before = try Data(contentsOf: URL(fileURLWithPath: path))

        XCTAssertThrowsError(try HDF5File.createAtomic(path: path) { file in
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), before, "touched before commit")
            try file.write([2] as [Int64], shape: [1], to: "v")
            throw BodyFailed()
        })
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), before)
        XCTAssertEqual(listing(directory), ["out.h5"])

        try HDF5File.createAtomic(path: path) { try $0.write([3] as [Int64], shape: [1], to: "v") }
        XCTAssertEqual(try HDF5File.open(path: path).read("v", as: Int64.self).values, [3])
        XCTAssertEqual(listing(directory), ["out.h5"])
    }

    func testStorageErrorInsideBodyAlsoCleansUp() throws {
        let directory = try makeTemporaryDirectory()
        let path = directory + "/out.h5"
        assertStorageError(try HDF5File.createAtomic(path: path) { file in
            try file.write([1, 2] as [Float], shape: [3], to: "x")
        }, mentions: HDF5File.temporaryPath(for: path)) {
            if case .countMismatch = $0 { return true } else { return false }
        }
        XCTAssertEqual(listing(directory), [])
    }
}
