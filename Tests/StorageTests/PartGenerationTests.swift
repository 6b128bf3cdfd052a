import Foundation
@testable import Storage
import TestSupport
import XCTest

/// A master and its parts as one unit: generations (a failed rerun never mixes sets), the manifest every read
/// verifies (a deleted or replaced part is an error naming it, never zeros), and `pack`.
final class PartGenerationTests: XCTestCase {
    private let header = ArtifactHeader(stage: "extract", version: 1, parameters: ["step": .int(4)])
    private let rowCounts = [3, 5]
    private let d = 4

    /// Rank `rank`'s rows for a run whose values start at `base`.
    private func rows(rank: Int, base: Float) -> [Float] {
        (0 ..< rowCounts[rank] * d).map { base + Float(rank * 100 + $0) }
    }

    private func writePart(_ parts: PartFiles, rank: Int, base: Float) throws {
        try parts.writePart(rank: rank) { file in
            try header.write(to: file)
            try file.write(rows(rank: rank, base: base), shape: [rowCounts[rank], d], to: "x")
        }
    }

    /// A complete run with settings `key`: every part, then the stitch.
    @discardableResult
    private func run(_ master: String, key: String, base: Float) throws -> PartFiles {
        let parts = PartFiles.forWriting(master: master, count: 2, key: key)
        for rank in 0 ..< 2 { try writePart(parts, rank: rank, base: base) }
        try parts.stitch(datasets: ["x"], header: header)
        return parts
    }

    private func readX(_ master: String) throws -> [Float] {
        let file = try HDF5File.open(path: master)
        defer { try? file.close() }
        return try file.read("x", as: Float.self).values
    }

    private func expected(base: Float) -> [Float] { rows(rank: 0, base: base) + rows(rank: 1, base: base) }

    // MARK: - Generations

    func testFailedRerunWithNewSettingsLeavesTheOldSetReadable() throws {
        let master = try makeTemporaryDirectory() + "/fv.h5"
        let old = try run(master, key: "aaaa", base: 0)
        XCTAssertEqual(old.generation, "", "a first run writes into the parts folder itself")
        // The rerun with other settings writes part 0, then fails before its stitch.
        let new = PartFiles.forWriting(master: master, count: 2, key: "bbbb")
        XCTAssertEqual(new.generation, "gbbbb")
        try writePart(new, rank: 0, base: 1000)
        XCTAssertTrue(FileManager.default.fileExists(atPath: new.partPath(rank: 0)))
        XCTAssertEqual(try readX(master), expected(base: 0), "the old master reads exactly its own parts")
        // Resuming the interrupted run finds its generation and its finished part.
        let resumed = PartFiles.forWriting(master: master, count: 2, key: "bbbb")
        XCTAssertEqual(resumed, new)
        try writePart(resumed, rank: 1, base: 1000)
        try resumed.stitch(datasets: ["x"], header: header)
        XCTAssertEqual(try readX(master), expected(base: 1000))
        // Only now is the old generation gone.
        XCTAssertEqual(listing(old.directory), ["gbbbb"])
        // The next new key goes back to the folder itself, and removes gbbbb after its stitch.
        let third = try run(master, key: "cccc", base: 2000)
        XCTAssertEqual(third.generation, "")
        XCTAssertEqual(listing(third.directory), ["part-00000.h5", "part-00001.h5"])
        XCTAssertEqual(try readX(master), expected(base: 2000))
        // The same key again (a repeated run) stays in the live slot.
        XCTAssertEqual(PartFiles.forWriting(master: master, count: 2, key: "cccc"), third)
    }

    func testAPartReplacedUnderALiveMasterIsAnErrorNamingIt() throws {
        let master = try makeTemporaryDirectory() + "/fv.h5"
        let parts = try run(master, key: "aaaa", base: 0)
        // What a pre-generation build did on a failed rerun: a new part renamed over the live one.
        try writePart(parts, rank: 1, base: 1000)
        let file = try HDF5File.open(path: master)
        assertStorageError(try file.read("x", as: Float.self), mentions: "part-00001.h5") {
            if case let .partMismatch(m, part, reason) = $0 {
                return m == master && part == parts.partPath(rank: 1) && reason.contains("digest")
            }
            return false
        }
        assertStorageError(try file.readRows("x", rows: 0 ..< 1, as: Float.self), mentions: "tributary pack") { _ in true }
    }

    func testARewrittenPartWithTheSameContentKeepsTheMasterValid() throws {
        let master = try makeTemporaryDirectory() + "/fv.h5"
        let parts = try run(master, key: "aaaa", base: 0)
        try writePart(parts, rank: 1, base: 0)  // a resumed, deterministic run rewrites part 1
        XCTAssertEqual(try readX(master), expected(base: 0))
    }

    // MARK: - Missing parts and old masters

    func testDeletedPartAndMasterCopiedAloneNameThePartAndTheFix() throws {
        let directory = try makeTemporaryDirectory()
        let parts = try run(directory + "/fv.h5", key: "aaaa", base: 0)
        try FileManager.default.createDirectory(atPath: directory + "/copy", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: parts.master, toPath: directory + "/copy/fv.h5")
        let alone = try HDF5File.open(path: directory + "/copy/fv.h5")
        assertStorageError(try alone.read("x", as: Float.self), mentions: "fv.h5.parts/part-00000.h5") {
            if case .partMissing = $0 { return true } else { return false }
        }
        try FileManager.default.removeItem(atPath: parts.partPath(rank: 1))
        let master = try HDF5File.open(path: parts.master)
        do {
            _ = try master.read("x", as: Float.self)
            XCTFail("a deleted part must not read as zeros")
        } catch let error as StorageError {
            XCTAssertEqual(error, .partMissing(master: parts.master, part: parts.partPath(rank: 1)))
            for words in ["part-00001.h5", "must travel together", "tributary pack"] {
                XCTAssertTrue(error.description.contains(words), "\(words) not in: \(error)")
            }
            XCTAssertFalse(error.description.contains("disk space"), "\(error)")
        }
    }

    func testAMasterWithoutManifestAsksForARerun() throws {
        let directory = try makeTemporaryDirectory()
        let parts = PartFiles(master: directory + "/old.h5", count: 2)
        for rank in 0 ..< 2 { try writePart(parts, rank: rank, base: 0) }
        // A master as a pre-manifest build wrote it: virtual datasets with part_files and part_rows only.
        try HDF5File.createAtomic(path: parts.master) { file in
            try header.write(to: file)
            let sources = (0 ..< 2).map { HDF5File.VirtualSource(file: parts.relativePartPath(rank: $0), dataset: "x",
                                                                 rows: rowCounts[$0]) }
            try file.createVirtualDataset("x", kind: .float32, rowShape: [d], sources: sources)
            try file.setAttribute("part_files", sources.map(\.file), on: "x")
            try file.setAttribute("part_rows", rowCounts, on: "x")
        }
        let master = try HDF5File.open(path: parts.master)
        assertStorageError(try master.read("x", as: Float.self), mentions: "re-run") {
            $0 == .partManifestMissing(master: parts.master, dataset: "x")
        }
    }

    // MARK: - Digest

    func testTheDigestFollowsTheContentNotTheWrite() throws {
        let directory = try makeTemporaryDirectory()
        let a = PartFiles(master: directory + "/a.h5", count: 2), b = PartFiles(master: directory + "/b.h5", count: 2)
        try writePart(a, rank: 0, base: 0)
        try writePart(b, rank: 0, base: 0)
        try writePart(b, rank: 1, base: 0)
        func digest(_ path: String) throws -> String {
            let file = try HDF5File.open(path: path)
            defer { try? file.close() }
            let stored = try file.attribute(PartFiles.digestAttribute, as: String.self)
            XCTAssertEqual(try file.contentDigest(), stored, "recomputing gives the stored digest")
            return stored
        }
        XCTAssertEqual(try digest(a.partPath(rank: 0)), try digest(b.partPath(rank: 0)))
        XCTAssertNotEqual(try digest(b.partPath(rank: 0)), try digest(b.partPath(rank: 1)))
        XCTAssertEqual(try digest(a.partPath(rank: 0)).count, 16)
        let part = try HDF5File.open(path: a.partPath(rank: 0))
        XCTAssertEqual(try ArtifactHeader.read(from: part), header, "part_digest is not a header parameter")
    }

    // MARK: - Pack

    func testPackEqualsTheVirtualReadBitForBitAndTravelsAlone() throws {
        let directory = try makeTemporaryDirectory()
        let parts = PartFiles.forWriting(master: directory + "/fv.h5", count: 2, key: "aaaa")
        for rank in 0 ..< 2 {
            try parts.writePart(rank: rank) { file in
                try header.write(to: file)
                try file.write(rows(rank: rank, base: -0.5).map { $0.squareRoot() }, shape: [rowCounts[rank], d], to: "fv/x")
                try file.write((0 ..< rowCounts[rank]).map { Int64(rank * 10 + $0) }, shape: [rowCounts[rank]], to: "image")
            }
        }
        try parts.stitch(datasets: ["fv/x", "image"], header: header) { file in
            try file.writeStrings(["a", "b", "c", "d", "e", "f", "g", "h"], to: "ids")
            try file.setAttribute("note", "kept", on: "ids")
        }
        let packed = directory + "/moved/packed.h5"
        try FileManager.default.createDirectory(atPath: directory + "/moved", withIntermediateDirectories: true)
        XCTAssertEqual(try HDF5File.pack(parts.master, to: packed), ["/fv/x", "/ids", "/image"])
        let master = try HDF5File.open(path: parts.master)
        let copy = try HDF5File.open(path: packed)
        XCTAssertEqual(try ArtifactHeader.read(from: copy), try ArtifactHeader.read(from: master))
        XCTAssertEqual(try copy.read("fv/x", as: Float.self).values.map(\.bitPattern),
                       try master.read("fv/x", as: Float.self).values.map(\.bitPattern), "NaNs included")
        XCTAssertEqual(try copy.read("image", as: Int64.self).values, try master.read("image", as: Int64.self).values)
        XCTAssertEqual(try copy.readStrings("ids"), try master.readStrings("ids"))
        XCTAssertEqual(try copy.attribute("note", of: "ids", as: String.self), "kept")
        XCTAssertFalse(copy.hasAttribute("part_files", on: "fv/x"), "no manifest: nothing to travel with")
        try copy.close()
        try FileManager.default.removeItem(atPath: parts.directory)
        XCTAssertEqual(try HDF5File.open(path: packed).read("image", as: Int64.self).values, [0, 1, 2, 10, 11, 12, 13, 14])
        // Packing a master whose parts are gone fails instead of packing zeros, and leaves no output.
        assertStorageError(try HDF5File.pack(parts.master, to: directory + "/bad.h5"), mentions: "part-00000.h5") {
            if case .partMissing = $0 { return true } else { return false }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/bad.h5"))
    }

    func testPackCopiesLargeDatasetsInBlocks() throws {
        let directory = try makeTemporaryDirectory()
        let parts = PartFiles(master: directory + "/big.h5", count: 2)
        let rowsPerPart = 40_000, width = 64  // 2 × 10 MiB > one 8 MiB block
        for rank in 0 ..< 2 {
            try parts.writePart(rank: rank) { file in
                try header.write(to: file)
                try file.write((0 ..< rowsPerPart * width).map { Float(rank * 7 + $0 % 977) }, shape: [rowsPerPart, width], to: "x")
            }
        }
        try parts.stitch(datasets: ["x"], header: header)
        try HDF5File.pack(parts.master, to: directory + "/packed.h5")
        XCTAssertEqual(try HDF5File.open(path: directory + "/packed.h5").read("x", as: Float.self).values,
                       try readX(parts.master))
    }

    // MARK: - h5py

    /// The check the docs give h5py users: it passes on a good master and fails on one with a deleted part.
    func testTheDocumentedH5pyCheckCatchesAMissingPart() throws {
        let python = "/usr/bin/python3"
        guard FileManager.default.isExecutableFile(atPath: python),
              (try? runProcess(python, ["-c", "import h5py"]))?.status == 0 else {
            throw XCTSkip("\(python) with h5py is not installed")
        }
        let parts = try run(try makeTemporaryDirectory() + "/fv.h5", key: "aaaa", base: 0)
        let script = Self.h5pyCheck + "\ncheck(sys.argv[1])\nprint('parts ok')\n"
        let good = try runProcess(python, ["-c", script, parts.master])
        XCTAssertEqual(good.status, 0, good.output)
        XCTAssertTrue(good.output.contains("parts ok"), good.output)
        try FileManager.default.removeItem(atPath: parts.partPath(rank: 1))
        let bad = try runProcess(python, ["-c", script, parts.master])
        XCTAssertNotEqual(bad.status, 0, bad.output)
        XCTAssertTrue(bad.output.contains("part-00001.h5"), bad.output)
    }

    func testTheDocsCarryTheH5pyCheckVerbatim() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let docs = try String(contentsOf: root.appendingPathComponent("docs/reliability.md"), encoding: .utf8)
        XCTAssertTrue(docs.contains("## Sharded outputs"))
        XCTAssertTrue(docs.contains(Self.h5pyCheck), "docs/reliability.md and this test's h5py check differ")
    }

    /// The snippet of docs/reliability.md ("Sharded outputs"), verbatim.
    static let h5pyCheck = """
        import os, sys, h5py

        def check(master):
            \"\"\"Raise unless every part file of every virtual dataset exists and holds what the master recorded.\"\"\"
            folder = os.path.dirname(os.path.abspath(master))
            with h5py.File(master, "r") as f:
                def visit(name, obj):
                    if isinstance(obj, h5py.Dataset) and obj.is_virtual:
                        digests = obj.attrs["part_digests"]
                        for i, part in enumerate(obj.attrs["part_files"]):
                            path = os.path.join(folder, part)
                            if not os.path.exists(path):
                                raise FileNotFoundError(f"{name}: part {path} is missing")
                            with h5py.File(path, "r") as p:
                                if p.attrs["part_digest"] != digests[i]:
                                    raise ValueError(f"{name}: part {path} is not the one {master} was stitched from")
                f.visititems(visit)
        """
}
