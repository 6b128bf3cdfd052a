import Datasets
import Foundation
import TestSupport
import XCTest

final class TarArchiveTests: XCTestCase {
    private func makeArchive(compress: Bool) throws -> (path: String, directory: URL) {
        let directory = try makeTemporaryDirectory()
        let root = directory.appendingPathComponent("corpus/business", isDirectory: true)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try "first text\n".write(to: root.appendingPathComponent("001.txt"), atomically: true, encoding: .utf8)
        try "".write(to: root.appendingPathComponent("empty.txt"), atomically: true, encoding: .utf8)
        let long = String(repeating: "long-folder-name-", count: 8)  // > 100 bytes: GNU 'L' or ustar prefix
        let deep = directory.appendingPathComponent("corpus/\(long)", isDirectory: true)
        try FileManager.default.createDirectory(at: deep, withIntermediateDirectories: true)
        try Data((0 ..< 1000).map { UInt8($0 % 251) }).write(to: deep.appendingPathComponent("blob.bin"))
        let path = directory.appendingPathComponent(compress ? "corpus.tar.gz" : "corpus.tar").path
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/bin/tar")
        tar.currentDirectoryURL = directory
        tar.arguments = [compress ? "-czf" : "-cf", path, "--sort=name", "corpus"]
        try tar.run()
        tar.waitUntilExit()
        XCTAssertEqual(tar.terminationStatus, 0)
        return (path, directory)
    }

    func testReadsFilesOfPlainAndGzippedArchives() throws {
        for compress in [false, true] {
            let (path, directory) = try makeArchive(compress: compress)
            defer { try? FileManager.default.removeItem(at: directory) }
            let archive = try TarArchive(contentsOfFile: path)
            let long = String(repeating: "long-folder-name-", count: 8)
            XCTAssertEqual(archive.entries.map(\.path),
                           ["corpus/business/001.txt", "corpus/business/empty.txt", "corpus/\(long)/blob.bin"])
            XCTAssertEqual(String(decoding: archive.contents(of: archive.entries[0]), as: UTF8.self), "first text\n")
            XCTAssertTrue(archive.contents(of: archive.entries[1]).isEmpty)
            XCTAssertEqual(Array(archive.contents(of: archive.entries[2])), (0 ..< 1000).map { UInt8($0 % 251) })
        }
    }

    func testTruncatedAndCorruptArchivesAreErrors() throws {
        let (path, directory) = try makeArchive(compress: false)
        defer { try? FileManager.default.removeItem(at: directory) }
        let bytes = try Gzip.readFile(path)
        let first = try TarArchive(bytes: bytes, name: "whole.tar").entries[0].range
        XCTAssertThrowsError(try TarArchive(bytes: Array(bytes.prefix(first.lowerBound + 5)), name: "cut.tar")) { error in
            XCTAssertEqual(error as? TarError, .truncated(archive: "cut.tar", entry: "corpus/business/001.txt"))
        }
        XCTAssertThrowsError(try TarArchive(bytes: Array(bytes.prefix(first.lowerBound - 100)), name: "cut.tar")) { error in
            XCTAssertEqual(error as? TarError, .truncated(archive: "cut.tar", entry: "the header at byte \(first.lowerBound - 512)"))
        }
        var corrupt = bytes
        corrupt[10] ^= 0x55
        XCTAssertThrowsError(try TarArchive(bytes: corrupt, name: "bad.tar")) { error in
            XCTAssertEqual(error as? TarError, .corrupt(archive: "bad.tar", offset: 0))
            XCTAssertTrue("\(error)".contains("re-download"))
        }
    }
}
