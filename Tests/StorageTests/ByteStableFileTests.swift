import Foundation
import Storage
import TestSupport
import XCTest

/// The same content written twice, into two folders and at two different seconds, gives files with the same
/// bytes: no dataset records timestamps (`HDF5File.untimedCreationList`). Before, every dataset's object header
/// held its creation time, so two `fisher` runs of one config into two out folders wrote `fv.h5` files that
/// h5diff found equal but `cmp` did not (10 bytes apart, one per dataset).
final class ByteStableFileTests: XCTestCase {
    /// Every way this type creates a dataset: contiguous, chunked + gzip + shuffle, extendable rows, strings,
    /// float16, in nested groups, with attributes, and a master of virtual datasets over two part files.
    func writeEveryKind(in folder: String) throws -> [String] {
        let header = ArtifactHeader(stage: "encode", version: 1, parameters: ["components": .int(4), "note": .string("x")])
        let single = folder + "/single.h5"
        let file = try HDF5File.create(path: single)
        try header.write(to: file)
        try file.write((0 ..< 12).map(Float.init), shape: [3, 4], to: "fv/orh/1x1")
        try file.write((0 ..< 600).map { Double($0) / 7 }, shape: [100, 6], to: "big", chunk: [10, 6], gzip: 4, shuffle: true)
        try file.write((0 ..< 8).map(Float.init), shape: [8], to: "half", storedAs: .float16)
        try file.createExtendable("rows", of: Int32.self, rowShape: [2], chunkRows: 4)
        try file.append(rows: [Int32]([1, 2, 3, 4]), to: "rows")
        try file.writeStrings(["a", "bb", "ccc"], to: "ids")
        try file.setAttribute("count", 3, on: "fv/orh/1x1")
        try file.close()

        let parts = PartFiles(master: folder + "/master.h5", count: 2)
        for rank in 0 ..< 2 {
            try parts.writePart(rank: rank) { part in
                try header.write(to: part)
                try part.write((0 ..< 10).map { Float(rank * 10 + $0) }, shape: [5, 2], to: "x")
            }
        }
        try parts.stitch(datasets: ["x"], header: header) { master in try master.writeStrings(["p", "q"], to: "names") }
        return [single, parts.master, parts.partPath(rank: 0), parts.partPath(rank: 1)]
    }

    func testSameContentTwiceGivesTheSameBytes() throws {
        let root = try TestSupport.makeTemporaryDirectory("byte-stable")
        defer { try? FileManager.default.removeItem(at: root) }
        let first = root.appendingPathComponent("out-a").path, second = root.appendingPathComponent("out-b").path
        for folder in [first, second] { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        let a = try writeEveryKind(in: first)
        // HDF5's timestamps count whole seconds: the second copy is written in a later second.
        Thread.sleep(forTimeInterval: 1.1)
        let b = try writeEveryKind(in: second)
        for (pathA, pathB) in zip(a, b) {
            let bytesA = try Data(contentsOf: URL(fileURLWithPath: pathA)), bytesB = try Data(contentsOf: URL(fileURLWithPath: pathB))
            let name = URL(fileURLWithPath: pathA).lastPathComponent
            XCTAssertGreaterThan(bytesA.count, 0)
            XCTAssertEqual(bytesA.count, bytesB.count, "\(name): sizes")
            let x = [UInt8](bytesA), y = [UInt8](bytesB)
            let differing: [Int] = x.indices.filter { $0 < y.count && x[$0] != y[$0] }
            XCTAssertEqual(differing, [Int](), "\(name): byte offsets that differ")
        }
        // The master still reads through its parts (the timestamps were all that changed).
        let master = try HDF5File.open(path: b[1])
        defer { try? master.close() }
        XCTAssertEqual(try master.read("x", as: Float.self).values, (0 ..< 20).map(Float.init))
    }
}
