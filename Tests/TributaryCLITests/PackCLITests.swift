import Foundation
import Storage
import TestSupport
import XCTest

/// `tributary pack` and the part checks, through the binary: an index master (virtual datasets over its parts)
/// packs to one file that reads the same bit for bit without its `.parts/` folder, and a deleted part is an
/// error naming it and the fix, for `pack` and for `query`.
final class PackCLITests: XCTestCase {
    private var folder = ""

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("pack-cli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: folder) }

    /// An `embed`-format file of `rows` × 6 values.
    private func writeEmbeddings(_ name: String, rows: Int) throws -> String {
        let path = folder + "/" + name
        try HDF5File.createAtomic(path: path) { file in
            try ArtifactHeader(stage: "embed", version: 1, parameters: ["context_size": .int(6)]).write(to: file)
            try file.write((0 ..< rows * 6).map { Float(($0 * 37) % 101) - 50 }, shape: [rows, 6], to: "embeddings")
            try file.write((0 ..< rows).map { Int32($0 % 3) }, shape: [rows], to: "labels")
            try file.writeStrings((0 ..< rows).map { "doc-\($0)" }, to: "ids")
        }
        return path
    }

    private func index(_ embeddings: String) throws -> String {
        let master = folder + "/index.h5"
        let result = try runTributary(["index", "--embeddings", embeddings, "--out", master, "--trees", "4",
                                       "--max-depth", "8", "--seed", "5"])
        XCTAssertEqual(result.status, 0, result.output)
        return master
    }

    func testPackedFileReadsLikeTheMasterWithoutItsParts() throws {
        let master = try index(try writeEmbeddings("source.h5", rows: 60))
        let packed = folder + "/alone/index-packed.h5"
        try FileManager.default.createDirectory(atPath: folder + "/alone", withIntermediateDirectories: true)
        let result = try runTributary(["pack", master, packed])
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains("packed"), result.output)
        let virtual = try HDF5File.open(path: master), copy = try HDF5File.open(path: packed)
        XCTAssertEqual(try ArtifactHeader.read(from: copy), try ArtifactHeader.read(from: virtual))
        let vectors = try virtual.read("vectors", as: Float.self).values, ids = try virtual.read("ids", as: Int64.self).values
        let names = try virtual.readStrings("source_ids")
        try FileManager.default.removeItem(atPath: master + ".parts")
        XCTAssertEqual(try copy.read("vectors", as: Float.self).values.map(\.bitPattern), vectors.map(\.bitPattern))
        XCTAssertEqual(try copy.read("ids", as: Int64.self).values, ids)
        XCTAssertEqual(try copy.readStrings("source_ids"), names)
        XCTAssertFalse(copy.hasAttribute("part_files", on: "vectors"))
    }

    func testADeletedPartIsAnErrorNamingItAndTheFix() throws {
        let embeddings = try writeEmbeddings("source.h5", rows: 60)
        let master = try index(embeddings)
        try FileManager.default.removeItem(atPath: master + ".parts/part-00000.h5")
        let pack = try runTributary(["pack", master, folder + "/packed.h5"])
        XCTAssertNotEqual(pack.status, 0, pack.output)
        for words in ["part-00000.h5", "must travel together", "tributary pack"] {
            XCTAssertTrue(pack.output.contains(words), "pack: \(words) not in\n\(pack.output)")
        }
        XCTAssertFalse(pack.output.contains("disk space"), pack.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/packed.h5"))
        let query = try runTributary(["query", "--index", master, "--queries", embeddings, "--out", folder + "/nn.h5"])
        XCTAssertNotEqual(query.status, 0, query.output)
        XCTAssertTrue(query.output.contains("part-00000.h5") && query.output.contains("must travel together"), query.output)
    }

    func testPackRefusesItsOwnInput() throws {
        let result = try runTributary(["pack", "a.h5", "a.h5"])
        XCTAssertEqual(result.status, 64, result.output)
        XCTAssertTrue(result.output.contains("OUT must differ from IN"), result.output)
    }
}
