import Foundation
import Storage
import XCTest

/// Broken or wrong inputs become typed errors whose messages name the file and the fix.
final class BadFileTests: XCTestCase {
    private func writeValidArtifact(_ path: String, stage: String = "encode", version: Int = 2) throws {
        try HDF5File.createAtomic(path: path) { file in
            try ArtifactHeader(stage: stage, version: version, parameters: ["components": .int(4)]).write(to: file)
            try file.write(sampleValues(64 * 64, as: Float.self), shape: [64, 64], to: "x")
        }
    }

    func testMissingFile() throws {
        let path = try makeTemporaryDirectory() + "/nothing-here.h5"
        assertStorageError(try HDF5File.open(path: path), mentions: path) { $0 == .fileMissing(path: path) }
    }

    func testADirectoryOrAPathUnderAFileIsNamedAsSuch() throws {
        // Was "truncated or not HDF5" (a directory) and "does not exist" (under a file): the real condition now.
        let directory = try makeTemporaryDirectory()
        assertStorageError(try HDF5File.open(path: directory), mentions: "is a directory") {
            $0 == .unusable(path: directory, problem: .isADirectory)
        }
        let file = directory + "/plain.txt"
        try "x".write(toFile: file, atomically: false, encoding: .utf8)
        assertStorageError(try HDF5File.open(path: file + "/fv.h5"), mentions: "\(file) is a file, not a folder") {
            $0 == .unusable(path: file + "/fv.h5", problem: .parentIsAFile(parent: file))
        }
        assertStorageError(try HDF5File.createAtomic(path: file + "/fv.h5") { _ in }, mentions: "is a file, not a folder") {
            if case .unusable(_, .parentIsAFile(file)) = $0 { return true } else { return false }
        }
        assertStorageError(try HDF5File.create(path: directory), mentions: "is a directory") {
            $0 == .unusable(path: directory, problem: .isADirectory)
        }
    }

    func testTruncatedFile() throws {
        let path = try makeTemporaryDirectory() + "/truncated.h5"
        try writeValidArtifact(path)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
        assertStorageError(try HDF5File.open(path: path), mentions: path) { $0 == .notHDF5(path: path) }
        XCTAssertTrue(StorageError.notHDF5(path: path).description.contains("re-run"))
    }

    func testTextFileNamedH5() throws {
        let path = try makeTemporaryDirectory() + "/notes.h5"
        try "these are not the bytes you are looking for\n".write(toFile: path, atomically: false, encoding: .utf8)
        assertStorageError(try HDF5File.open(path: path), mentions: path) { $0 == .notHDF5(path: path) }
    }

    func testWrongFormat() throws {
        let directory = try makeTemporaryDirectory()
        let absent = directory + "/no-header.h5", other = directory + "/other.h5"
        try HDF5File.create(path: absent).close()
        let file = try HDF5File.create(path: other)
        try file.setAttribute("format", "keras")
        try file.close()
        assertStorageError(try ArtifactHeader.check(HDF5File.open(path: absent), stage: "encode", version: 2),
                           mentions: absent) {
            $0 == .wrongFormat(file: absent, found: nil, expectedStage: "encode")
        }
        assertStorageError(try ArtifactHeader.check(HDF5File.open(path: other), stage: "encode", version: 2),
                           mentions: other) {
            $0 == .wrongFormat(file: other, found: "keras", expectedStage: "encode")
        }
        XCTAssertTrue(StorageError.wrongFormat(file: other, found: "keras", expectedStage: "encode")
            .description.contains("tributary encode"))
    }

    func testWrongVersionSaysWhichStageToRerun() throws {
        let path = try makeTemporaryDirectory() + "/old.h5"
        try writeValidArtifact(path, version: 1)
        assertStorageError(try ArtifactHeader.check(HDF5File.open(path: path), stage: "encode", version: 2),
                           mentions: "re-run `tributary encode`") {
            $0 == .wrongVersion(file: path, stage: "encode", found: 1, expected: 2)
        }
    }

    func testWrongStage() throws {
        let path = try makeTemporaryDirectory() + "/pca.h5"
        try writeValidArtifact(path, stage: "fit-pca")
        assertStorageError(try ArtifactHeader.check(HDF5File.open(path: path), stage: "fit-gmm", version: 2),
                           mentions: path) {
            $0 == .wrongStage(file: path, found: "fit-pca", expected: "fit-gmm")
        }
    }

    func testHeaderRoundTripsWithParameters() throws {
        let path = try makeTemporaryDirectory() + "/ok.h5"
        let header = ArtifactHeader(stage: "encode", version: 2,
                                    parameters: ["components": .int(4), "scales": .doubles([1, 2]), "norm": .string("l2")])
        try HDF5File.createAtomic(path: path) { try header.write(to: $0) }
        let read = try ArtifactHeader.check(HDF5File.open(path: path), stage: "encode", version: 2)
        XCTAssertEqual(read, header)
    }

    func testMissingDatasetWrongShapeWrongType() throws {
        let path = try makeTemporaryDirectory() + "/data.h5"
        try writeValidArtifact(path)
        let file = try HDF5File.open(path: path)
        assertStorageError(try file.read("y", as: Float.self), mentions: path) {
            $0 == .datasetMissing(file: path, name: "y")
        }
        assertStorageError(try file.read("x", as: Float.self, shape: [nil, 32]), mentions: path) {
            $0 == .shapeMismatch(file: path, dataset: "x", expected: [nil, 32], got: [64, 64])
        }
        assertStorageError(try file.read("x", as: Float.self, shape: [64]), mentions: path) {
            if case .shapeMismatch = $0 { return true } else { return false }
        }
        assertStorageError(try file.read("x", as: Double.self), mentions: path) {
            $0 == .typeMismatch(file: path, name: "x", expected: "float64", got: "float32")
        }
        assertStorageError(try file.read("x", as: Int32.self), mentions: path) {
            $0 == .typeMismatch(file: path, name: "x", expected: "int32", got: "float32")
        }
    }

    func testEveryMessageNamesItsFile() {
        let errors: [StorageError] = [
            .fileMissing(path: "F.h5"), .notHDF5(path: "F.h5"), .datasetMissing(file: "F.h5", name: "x"),
            .unusable(path: "F.h5", problem: .isADirectory),
            .attributeMissing(file: "F.h5", object: "/", name: "a"),
            .shapeMismatch(file: "F.h5", dataset: "x", expected: [nil, 2], got: [3, 3]),
            .typeMismatch(file: "F.h5", name: "x", expected: "float32", got: "int8"),
            .countMismatch(file: "F.h5", dataset: "x", count: 3, shape: [2]),
            .rowsOutOfRange(file: "F.h5", dataset: "x", rows: 0..<5, rowCount: 2),
            .wrongFormat(file: "F.h5", found: nil, expectedStage: "s"),
            .wrongVersion(file: "F.h5", stage: "s", found: 1, expected: 2),
            .wrongStage(file: "F.h5", found: "a", expected: "b"), .partMissing(master: "F.h5", part: "p.h5"),
            .io(file: "F.h5", operation: "write"),
        ]
        for error in errors {
            XCTAssertTrue(error.description.contains("F.h5"), "\(error)")
        }
        XCTAssertTrue(StorageError.shapeMismatch(file: "F", dataset: "x", expected: [nil, 2], got: [3, 3])
            .description.contains("[*, 2]"))
    }
}
