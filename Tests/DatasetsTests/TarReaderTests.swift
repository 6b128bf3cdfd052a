import Core
import Datasets
import Foundation
import TestSupport
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// `TarReader` (member by member, bounded memory) against `TarArchive` (whole archive in memory): the same
/// entries in the same order with the same bytes, and a gzip bomb refused before it is read.
final class TarReaderTests: XCTestCase {
    /// The bad-input corpus's bomb: `labels.csv`, `a.png`, then `bad.png` = 64 MiB of zeros, ~70 KB gzipped.
    static let bomb = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("bad-inputs/images/tar-gzip-member-over-memory-budget.tar.gz").path

    /// A corpus with small, empty, multi-chunk (300 KB, > the 64 KiB chunks) and long-named (GNU 'L' or pax)
    /// members and a directory entry, archived by /bin/tar in `format`.
    private func makeArchive(compress: Bool, format: String) throws -> (path: String, directory: URL) {
        let directory = try makeTemporaryDirectory()
        let root = directory.appendingPathComponent("corpus/business", isDirectory: true)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try "first text\n".write(to: root.appendingPathComponent("001.txt"), atomically: true, encoding: .utf8)
        try "".write(to: root.appendingPathComponent("empty.txt"), atomically: true, encoding: .utf8)
        var rng = SeededRandom(seed: 5)
        try Data((0 ..< 300_000).map { _ in UInt8(rng.bounded(256)) }).write(to: root.appendingPathComponent("big.bin"))
        let long = String(repeating: "long-folder-name-", count: 8)
        let deep = directory.appendingPathComponent("corpus/\(long)", isDirectory: true)
        try FileManager.default.createDirectory(at: deep, withIntermediateDirectories: true)
        try Data((0 ..< 1000).map { UInt8($0 % 251) }).write(to: deep.appendingPathComponent("blob.bin"))
        let path = directory.appendingPathComponent(compress ? "corpus.tar.gz" : "corpus.tar").path
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/bin/tar")
        tar.currentDirectoryURL = directory
        tar.arguments = [compress ? "-czf" : "-cf", path, "--format=\(format)", "--sort=name", "corpus"]
        try tar.run()
        tar.waitUntilExit()
        XCTAssertEqual(tar.terminationStatus, 0)
        return (path, directory)
    }

    func testStreamedEqualsInMemoryForTarAndTarGz() throws {
        for compress in [false, true] {
            for format in ["gnu", "pax"] {
                let (path, directory) = try makeArchive(compress: compress, format: format)
                defer { try? FileManager.default.removeItem(at: directory) }
                let whole = try TarArchive(contentsOfFile: path)
                XCTAssertEqual(whole.entries.count, 4)
                let reader = try TarReader(contentsOfFile: path)
                var streamed: [TarArchive.Entry] = []
                while let entry = try reader.next() {
                    streamed.append(entry)
                    XCTAssertEqual(try reader.contents(of: entry), Array(whole.contents(of: entry)), entry.path)
                }
                XCTAssertEqual(streamed, whole.entries, "\(format) \(compress)")
                // Skipping members (never reading them) lists the same entries.
                let skipper = try TarReader(contentsOfFile: path)
                var skipped: [TarArchive.Entry] = []
                while let entry = try skipper.next() { skipped.append(entry) }
                XCTAssertEqual(skipped, whole.entries)
                // The cursor reads in any order (backwards reopens the archive).
                let cursor = TarMemberCursor(path: path)
                for entry in whole.entries.reversed() + whole.entries {
                    XCTAssertEqual(try cursor.contents(of: entry), Array(whole.contents(of: entry)), entry.path)
                }
            }
        }
    }

    func testCutArchivesAreErrorsWhenStreamed() throws {
        for compress in [false, true] {
            let (path, directory) = try makeArchive(compress: compress, format: "gnu")
            defer { try? FileManager.default.removeItem(at: directory) }
            let bytes = try Gzip.readFile(path)
            let cut = directory.appendingPathComponent("cut").path
            try Data(bytes.prefix(bytes.count / 2)).write(to: URL(fileURLWithPath: cut))
            XCTAssertThrowsError(try {
                let reader = try TarReader(contentsOfFile: cut)
                while let entry = try reader.next() { _ = try reader.contents(of: entry) }
            }()) { error in
                XCTAssertTrue("\(error)".contains("truncated") && "\(error)".contains(cut), "\(error)")
            }
        }
    }

    func testAGzipBombIsRefusedBeforeItIsRead() throws {
        let budget = MemoryBudget(bytes: 8 << 20, origin: "--memory 8MiB")
        let before = Self.peakResidentBytes()
        try MemoryBudget.$current.withValue(budget) {
            let reader = try TarReader(contentsOfFile: Self.bomb)
            var read: [String] = []
            XCTAssertThrowsError(try {
                while let entry = try reader.next() {
                    _ = try reader.contents(of: entry)
                    read.append(entry.path)
                }
            }()) { error in
                guard case let .overMemoryBudget(archive, entry, size, _)? = error as? TarError else {
                    return XCTFail("\(error)")
                }
                XCTAssertEqual(archive, Self.bomb)
                XCTAssertEqual(entry, "bad.png")
                XCTAssertEqual(size, 64 << 20)
                let message = "\(error)"
                for part in [Self.bomb, "'bad.png'", "64.0 MiB", "8.0 MiB", "--memory", "tar -xf"] {
                    XCTAssertTrue(message.contains(part), "\(part) missing from: \(message)")
                }
            }
            XCTAssertEqual(read, ["labels.csv", "a.png"])
            // Listing (skipping the member) inflates all 64 MiB through the fixed chunks and holds none of it.
            let lister = try TarReader(contentsOfFile: Self.bomb)
            var paths: [String] = []
            while let entry = try lister.next() { paths.append(entry.path) }
            XCTAssertEqual(paths, ["labels.csv", "a.png", "bad.png"])
        }
        // Peak RSS (a high-water mark: growth shows only if this test set a new peak) stays far below 64 MiB.
        let growth = Self.peakResidentBytes() - before
        XCTAssertLessThan(growth, 16 << 20, "peak RSS grew by \(growth) bytes")
    }

    func testTextCorpusRefusesAGzipBombDocument() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let folder = directory.appendingPathComponent("c/sport", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try "goal\n".write(to: folder.appendingPathComponent("a.txt"), atomically: true, encoding: .utf8)
        _ = FileManager.default.createFile(atPath: folder.appendingPathComponent("b.txt").path, contents: Data(count: 16 << 20))
        let path = directory.appendingPathComponent("c.tar.gz").path
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/bin/tar")
        tar.currentDirectoryURL = directory
        tar.arguments = ["-czf", path, "--sort=name", "c"]
        try tar.run()
        tar.waitUntilExit()
        try FileManager.default.removeItem(at: folder)
        let budget = MemoryBudget(bytes: 8 << 20, origin: "--memory 8MiB")
        XCTAssertThrowsError(try MemoryBudget.$current.withValue(budget) { try TextCorpus.classFolders(path: path) }) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("c/sport/b.txt") && message.contains("memory budget"), message)
        }
    }

    /// The process's peak resident set (getrusage; Linux reports KiB).
    static func peakResidentBytes() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss * 1024
    }
}
