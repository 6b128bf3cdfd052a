import Foundation
import XCTest

/// Builders of the hostile inputs: ustar archives with chosen size fields and names, base-256 sizes, and gzip
/// streams of stored (uncompressed) blocks; and a temporary folder removed at teardown.
extension HostileInputTests {
    /// A ustar archive of `files`; a non-nil size field replaces the octal size (base-256 or hostile bytes).
    static func tar(_ files: [(String, [UInt8], [UInt8]?)], latin1Names: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        for (name, body, sizeField) in files {
            var h = [UInt8](repeating: 0, count: 512)
            let nameBytes = latin1Names ? name.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) } : Array(name.utf8)
            h.replaceSubrange(0 ..< nameBytes.count, with: nameBytes)
            for (at, text) in [(100, "0000644"), (108, "0000000"), (116, "0000000"), (136, "00000000000")] {
                h.replaceSubrange(at ..< at + text.utf8.count, with: Array(text.utf8))
            }
            let octal = String(body.count, radix: 8)
            let size = sizeField ?? Array((String(repeating: "0", count: 11 - octal.count) + octal).utf8) + [0]
            h.replaceSubrange(124 ..< 136, with: size)
            h[156] = UInt8(ascii: "0")
            h.replaceSubrange(257 ..< 263, with: Array("ustar".utf8) + [0])
            h.replaceSubrange(263 ..< 265, with: Array("00".utf8))
            h.replaceSubrange(148 ..< 156, with: [UInt8](repeating: 32, count: 8))
            let sum = String(h.reduce(0) { $0 + Int($1) }, radix: 8)
            h.replaceSubrange(148 ..< 156, with: Array((String(repeating: "0", count: 6 - sum.count) + sum).utf8) + [0, 32])
            out += h + body + [UInt8](repeating: 0, count: (512 - body.count % 512) % 512)
        }
        return out + [UInt8](repeating: 0, count: 1024)
    }

    /// A GNU base-256 size field holding `value`.
    static func base256(_ value: UInt64) -> [UInt8] {
        [0x80, 0, 0, 0] + (0 ..< 8).reversed().map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
    }

    /// A gzip member holding `data` in stored (uncompressed) deflate blocks, CRC-32 and size trailer (RFC 1952).
    static func gzipStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF]
        var start = 0
        repeat {
            let n = min(65535, data.count - start), last: UInt8 = start + n == data.count ? 1 : 0
            out += [last, UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)] + data[start ..< start + n]
            start += n
        } while start < data.count
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data {
            crc ^= UInt32(byte)
            for _ in 0 ..< 8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        crc = ~crc
        let size = UInt32(truncatingIfNeeded: data.count)
        return out + (0 ..< 4).map { UInt8(truncatingIfNeeded: crc >> (8 * UInt32($0))) }
            + (0 ..< 4).map { UInt8(truncatingIfNeeded: size >> (8 * UInt32($0))) }
    }

    func makeTemporaryFolder() throws -> String {
        let path = NSTemporaryDirectory() + "hostile-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }
}
