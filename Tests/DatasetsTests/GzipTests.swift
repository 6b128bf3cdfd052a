import Datasets
import Foundation
import TestSupport
import XCTest

final class GzipTests: XCTestCase {
    /// gzip of "hello tributary\n" (from `printf 'hello tributary\n' | gzip -n`), 36 bytes.
    private let helloGzip: [UInt8] = [
        0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xcb, 0x48, 0xcd, 0xc9, 0xc9, 0x57, 0x28, 0x29,
        0xca, 0x4c, 0x2a, 0x2d, 0x49, 0x2c, 0xaa, 0xe4, 0x02, 0x00, 0x93, 0x56, 0x6b, 0x56, 0x10, 0x00, 0x00, 0x00,
    ]

    func testDecompressesAndReadsConcatenatedMembers() throws {
        XCTAssertEqual(String(decoding: try Gzip.decompress(helloGzip), as: UTF8.self), "hello tributary\n")
        let twice = try Gzip.decompress(helloGzip + helloGzip)
        XCTAssertEqual(String(decoding: twice, as: UTF8.self), "hello tributary\nhello tributary\n")
    }

    func testTruncatedCorruptAndEmptyInputsAreErrors() {
        XCTAssertThrowsError(try Gzip.decompress(Array(helloGzip.prefix(20)), name: "cut.gz")) { error in
            XCTAssertEqual(error as? GzipError, .truncated(path: "cut.gz"))
            XCTAssertTrue("\(error)".contains("cut.gz"))
        }
        var corrupt = helloGzip
        corrupt[12] ^= 0xff
        XCTAssertThrowsError(try Gzip.decompress(corrupt, name: "bad.gz")) { error in
            XCTAssertTrue("\(error)".contains("bad.gz"), "\(error)")
        }
        XCTAssertThrowsError(try Gzip.decompress(Array("plain text".utf8), name: "plain.txt")) { error in
            XCTAssertTrue("\(error)".contains("not valid gzip"), "\(error)")
        }
        XCTAssertThrowsError(try Gzip.decompress([], name: "empty.gz")) { error in
            XCTAssertEqual(error as? GzipError, .empty(path: "empty.gz"))
        }
        XCTAssertThrowsError(try Gzip.decompress(contentsOfFile: "/nonexistent/x.gz")) { error in
            XCTAssertEqual(error as? GzipError, .unreadable(path: "/nonexistent/x.gz"))
        }
    }

    func testLargeRoundTripThroughSystemGzip() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var rng = SeededRandomBytes(seed: 7)
        let original = (0 ..< 3_000_000).map { _ in rng.next() }
        let path = directory.appendingPathComponent("data.bin").path
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(original)))
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = ["-1", path]
        try gzip.run()
        gzip.waitUntilExit()
        XCTAssertEqual(gzip.terminationStatus, 0)
        XCTAssertEqual(try Gzip.decompress(contentsOfFile: path + ".gz"), original)
    }
}

/// Compressible pseudo-random bytes (a small alphabet), so the gzip stream spans many inflate chunks.
private struct SeededRandomBytes {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt8 {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return UInt8(truncatingIfNeeded: (state >> 59) + 97)
    }
}
