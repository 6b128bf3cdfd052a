import Foundation
import Storage
import XCTest

/// Per-rank part files stitched into one master of virtual datasets.
final class PartFilesTests: XCTestCase {
    private let header = ArtifactHeader(stage: "extract", version: 3, parameters: ["step": .int(4)])
    private let rowCounts = [4, 0, 7, 2]  // rank 1 got an empty shard
    private let d = 5

    private func rows(rank: Int) -> [Float] {
        (0..<rowCounts[rank] * d).map { Float(rank * 1000 + $0) }
    }

    private func ids(rank: Int) -> [Int64] {
        (0..<rowCounts[rank]).map { Int64(rank * 100 + $0) }
    }

    /// Writes every rank's part (as each rank would) and stitches them (as rank 0 would).
    @discardableResult
    private func writeStitched(in directory: String, stitch: Bool = true) throws -> PartFiles {
        let parts = PartFiles(master: directory + "/features.h5", count: rowCounts.count)
        for rank in 0..<parts.count {
            try parts.writePart(rank: rank) { file in
                try header.write(to: file)
                try file.write(rows(rank: rank), shape: [rowCounts[rank], d], to: "orh/x")
                try file.write(ids(rank: rank), shape: [rowCounts[rank]], to: "ids")
            }
        }
        if stitch { try parts.stitch(datasets: ["orh/x", "ids"], header: header) }
        return parts
    }

    private func assertMasterReads(_ master: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let reader = try HDF5File.open(path: master)
        XCTAssertEqual(try ArtifactHeader.check(reader, stage: "extract", version: 3), header, file: file, line: line)
        let (x, shape) = try reader.read("orh/x", as: Float.self)
        XCTAssertEqual(shape, [rowCounts.reduce(0, +), d], file: file, line: line)
        XCTAssertEqual(x, (0..<rowCounts.count).flatMap(rows(rank:)), file: file, line: line)
        XCTAssertEqual(try reader.read("ids", as: Int64.self).values, (0..<rowCounts.count).flatMap(ids(rank:)),
                       file: file, line: line)
        XCTAssertEqual(try reader.readRows("orh/x", rows: 3..<6, as: Float.self).values,
                       Array(rows(rank: 0)[15...]) + Array(rows(rank: 2)[..<10]), file: file, line: line)
    }

    func testPartsWithDifferentRowCountsReadBackAsOne() throws {
        let directory = try makeTemporaryDirectory()
        let parts = try writeStitched(in: directory)
        XCTAssertEqual(parts.partPath(rank: 2), directory + "/features.h5.parts/part-00002.h5")
        XCTAssertEqual(parts.relativePartPath(rank: 2), "features.h5.parts/part-00002.h5")
        XCTAssertEqual(listing(directory), ["features.h5", "features.h5.parts"])
        try assertMasterReads(parts.master)
        let master = try HDF5File.open(path: parts.master)
        XCTAssertEqual(try master.attribute("part_rows", of: "orh/x", as: [Int].self), rowCounts)
        XCTAssertEqual(try master.attribute("part_files", of: "ids", as: [String].self),
                       (0..<4).map { "features.h5.parts/part-0000\($0).h5" })
    }

    /// Regression: a part file held open by the caller (as a stage reading one part and the master does) must
    /// not turn the master's virtual reads into silent zeros (HDF5 refuses to reopen a file with a different
    /// close degree, and a virtual dataset fills unreadable sources with zeros).
    func testMasterReadsWhileAPartIsOpen() throws {
        let directory = try makeTemporaryDirectory()
        let parts = try writeStitched(in: directory)
        let openPart = try HDF5File.open(path: parts.partPath(rank: 2))
        XCTAssertEqual(try openPart.read("ids", as: Int64.self).values, ids(rank: 2))
        try assertMasterReads(parts.master)
        withExtendedLifetime(openPart) {}
    }

    func testMovedFolderStillReads() throws {
        let root = try makeTemporaryDirectory()
        try FileManager.default.createDirectory(atPath: root + "/run", withIntermediateDirectories: true)
        try writeStitched(in: root + "/run")
        try FileManager.default.moveItem(atPath: root + "/run", toPath: root + "/moved")
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/run"))
        try assertMasterReads(root + "/moved/features.h5")
    }

    func testStitchFailsClearlyWhenAPartIsMissing() throws {
        let directory = try makeTemporaryDirectory()
        let parts = try writeStitched(in: directory, stitch: false)
        try FileManager.default.removeItem(atPath: parts.partPath(rank: 2))
        assertStorageError(try parts.stitch(datasets: ["orh/x"], header: header), mentions: parts.partPath(rank: 2)) {
            $0 == .partMissing(master: parts.master, part: parts.partPath(rank: 2))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: parts.master))
    }

    func testStitchChecksEachPartsHeaderAndShapes() throws {
        let directory = try makeTemporaryDirectory()
        let parts = try writeStitched(in: directory, stitch: false)
        let newer = ArtifactHeader(stage: "extract", version: 4)
        assertStorageError(try parts.stitch(datasets: ["orh/x"], header: newer), mentions: parts.partPath(rank: 0)) {
            $0 == .wrongVersion(file: parts.partPath(rank: 0), stage: "extract", found: 3, expected: 4)
        }
        try parts.writePart(rank: 3) { file in
            try header.write(to: file)
            try file.write([Float](repeating: 1, count: 8), shape: [2, 4], to: "orh/x")
        }
        assertStorageError(try parts.stitch(datasets: ["orh/x"], header: header), mentions: parts.partPath(rank: 3)) {
            $0 == .shapeMismatch(file: parts.partPath(rank: 3), dataset: "orh/x", expected: [nil, 5], got: [2, 4])
        }
        assertStorageError(try parts.stitch(datasets: ["ids"], header: header), mentions: parts.partPath(rank: 3)) {
            $0 == .datasetMissing(file: parts.partPath(rank: 3), name: "ids")
        }
    }

    func testReadingAMasterWhosePartWasDeletedThrows() throws {
        let directory = try makeTemporaryDirectory()
        let parts = try writeStitched(in: directory)
        try FileManager.default.removeItem(atPath: parts.partPath(rank: 3))
        let master = try HDF5File.open(path: parts.master)
        assertStorageError(try master.read("orh/x", as: Float.self), mentions: "part-00003.h5") {
            if case .partMissing = $0 { return true } else { return false }
        }
    }
}
