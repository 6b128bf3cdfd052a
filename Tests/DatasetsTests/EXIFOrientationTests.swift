import Core
@testable import Datasets
import Foundation
import XCTest

/// EXIF orientation: the reader (hand-built APP1 segments, hostile ones, a seeded fuzz), the move
/// (`RGBImage.oriented` against a naive per-pixel twin), and JPEGs with orientations 1, 3, 6, 8 decoded upright.
final class EXIFOrientationTests: XCTestCase {
    // MARK: - Fixtures built in code

    /// An APP1 "Exif" segment (FF E1 …) whose IFD0 holds two other entries and then Orientation = `value`.
    static func app1(orientation value: Int, bigEndian: Bool = false, type: Int = 3, count: Int = 1) -> [UInt8] {
        func u16(_ v: Int) -> [UInt8] { bigEndian ? [UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] : [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
        func u32(_ v: Int) -> [UInt8] { bigEndian ? u16(v >> 16) + u16(v & 0xFFFF) : u16(v & 0xFFFF) + u16(v >> 16) }
        func entry(_ tag: Int, _ type: Int, _ count: Int, _ value: Int) -> [UInt8] {
            u16(tag) + u16(type) + u32(count) + (type == 3 ? u16(value) + [0, 0] : u32(value))
        }
        var tiff: [UInt8] = (bigEndian ? [0x4D, 0x4D] : [0x49, 0x49]) + u16(42) + u32(8)
        tiff += u16(3)
        tiff += entry(0x010F, 2, 4, 0x0041_4141)  // Make = "AAA\0", inline
        tiff += entry(0x0110, 2, 4, 0x0042_4242)  // Model
        tiff += entry(0x0112, type, count, value)
        tiff += u32(0)                              // no IFD1
        let payload: [UInt8] = Array("Exif".utf8) + [0, 0] + tiff
        let length = payload.count + 2
        return [0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + payload
    }

    /// `jpeg` with `segment` inserted after SOI and any APP0 (JFIF) segment.
    static func inserting(_ segment: [UInt8], into jpeg: [UInt8]) -> [UInt8] {
        var at = 2
        if jpeg[2] == 0xFF, jpeg[3] == 0xE0 { at = 4 + (Int(jpeg[4]) << 8 | Int(jpeg[5])) }
        return Array(jpeg[..<at]) + segment + Array(jpeg[at...])
    }

    private func progressive() throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: try fixture("progressive.jpg")))) }

    // MARK: - The reader

    func testReadsEveryValueInBothByteOrders() {
        for value in 1 ... 8 {
            for big in [false, true] {
                let jpeg: [UInt8] = [0xFF, 0xD8] + Self.app1(orientation: value, bigEndian: big) + [0xFF, 0xDA, 0, 2]
                XCTAssertEqual(EXIFOrientation.read(jpeg: jpeg).rawValue, value, "value \(value), MM \(big)")
            }
        }
    }

    func testTheTableOfCompositions() {
        let expected: [(Bool, Bool, Bool)] = [(false, false, false), (false, true, false), (false, true, true), (false, false, true),
                                              (true, false, false), (true, true, false), (true, true, true), (true, false, true)]
        for o in EXIFOrientation.allCases {
            let (t, fx, fy) = expected[o.rawValue - 1]
            XCTAssertEqual([o.transposes, o.flipsX, o.flipsY], [t, fx, fy], "\(o)")
        }
    }

    func testHostileSegmentsFallBackToOne() {
        let soi: [UInt8] = [0xFF, 0xD8]
        let good = Self.app1(orientation: 6)
        var cases: [(String, [UInt8])] = [
            ("no EXIF", soi + [0xFF, 0xDA, 0, 2]),
            ("not a JPEG", [0x89, 0x50] + good),
            ("empty", []),
            ("value 0", soi + Self.app1(orientation: 0)),
            ("value 9", soi + Self.app1(orientation: 9)),
            ("value 0xFFFF", soi + Self.app1(orientation: 0xFFFF)),
            ("type LONG", soi + Self.app1(orientation: 6, type: 4)),
            ("count 2", soi + Self.app1(orientation: 6, count: 2)),
            ("EXIF after the scan", soi + [0xFF, 0xDA, 0, 2] + good),
        ]
        // Truncated: the segment claims more bytes than the file has, at every cut.
        for cut in 1 ..< good.count { cases.append(("cut at \(cut)", soi + Array(good[..<cut]))) }
        // Offsets and counts that point past the segment (little-endian TIFF starts at byte 10 of the segment).
        func patched(_ at: Int, _ bytes: [UInt8]) -> [UInt8] {
            var s = good
            s.replaceSubrange((10 + at) ..< (10 + at + bytes.count), with: bytes)
            return soi + s
        }
        cases += [
            ("IFD offset past the end", patched(4, [0xFF, 0xFF, 0xFF, 0xFF])),
            ("IFD offset 2³¹", patched(4, [0, 0, 0, 0x80])),
            ("IFD offset inside the header", patched(4, [2, 0, 0, 0])),
            ("entry count overflows", patched(8, [0xFF, 0xFF])),
            ("entry count one too many", patched(8, [5, 0])),
            ("bad byte order", patched(0, [0x49, 0x4D])),
            ("not 42", patched(2, [43, 0])),
            ("segment length 0", soi + [0xFF, 0xE1, 0, 0] + good.dropFirst(4)),
            ("segment length 1", soi + [0xFF, 0xE1, 0, 1] + good.dropFirst(4)),
            ("segment length 0xFFFF", soi + [0xFF, 0xE1, 0xFF, 0xFF] + good.dropFirst(4)),
        ]
        for (name, bytes) in cases {
            XCTAssertEqual(EXIFOrientation.read(jpeg: bytes), .identity, name)
        }
        XCTAssertEqual(EXIFOrientation.read(jpeg: soi + good), .rotate90Clockwise, "the unpatched segment reads")
    }

    /// 600 seeded mutants of an APP1 segment (byte flips, 16/32-bit fields set to extremes, cuts): the reader
    /// never traps (a trap kills the test run) and returns a value in 1…8; 60 of them also go through the decoder.
    func testMutatedSegmentsNeverTrap() throws {
        let stored = try progressive()
        var rng = SeededRandom(seed: 112)
        let extremes: [[UInt8]] = [[0xFF, 0xFF], [0, 0], [0xFF, 0xFF, 0xFF, 0xFF], [0, 0, 0, 0x80], [0xFE, 0xFF, 0xFF, 0x7F]]
        for round in 0 ..< 600 {
            var segment = Self.app1(orientation: 1 + rng.bounded(8), bigEndian: round % 2 == 1)
            for _ in 0 ..< 1 + rng.bounded(4) {
                switch rng.bounded(3) {
                case 0: segment[rng.bounded(segment.count)] = UInt8(truncatingIfNeeded: rng.next())
                case 1:
                    let field = extremes[rng.bounded(extremes.count)]
                    guard segment.count >= field.count else { continue }
                    let at = rng.bounded(segment.count - field.count + 1)
                    segment.replaceSubrange(at ..< at + field.count, with: field)
                default: segment = Array(segment.prefix(1 + rng.bounded(segment.count)))
                }
            }
            let o = EXIFOrientation.read(jpeg: [0xFF, 0xD8] + segment + [0xFF, 0xD9])
            XCTAssertTrue((1 ... 8).contains(o.rawValue))
            guard round % 10 == 0 else { continue }
            // Every 10th mutant inside a real JPEG: decoded upright by what the reader says, or a thrown
            // `ImageError` when the mutant broke the marker structure itself; never a trap.
            let jpeg = Self.inserting(segment, into: stored)
            if let image = try? ImageDecoder.decode(jpeg) {
                let expected = EXIFOrientation.read(jpeg: jpeg)
                XCTAssertEqual([image.width, image.height], expected.transposes ? [16, 24] : [24, 16])
            }
        }
    }

    // MARK: - The move against a naive twin

    /// The 8 turns written out one by one from their EXIF meaning, pixel by pixel.
    private func naive(_ s: RGBImage, _ o: EXIFOrientation) -> RGBImage {
        let (w, h) = (s.width, s.height)
        let (ow, oh) = o.rawValue >= 5 ? (h, w) : (w, h)
        var out = [Float](repeating: -1, count: w * h * 3)
        for y in 0 ..< oh {
            for x in 0 ..< ow {
                let (sx, sy): (Int, Int)
                switch o {
                case .identity: (sx, sy) = (x, y)
                case .mirrorX: (sx, sy) = (w - 1 - x, y)
                case .rotate180: (sx, sy) = (w - 1 - x, h - 1 - y)
                case .mirrorY: (sx, sy) = (x, h - 1 - y)
                case .transpose: (sx, sy) = (y, x)
                case .rotate90Clockwise: (sx, sy) = (y, h - 1 - x)
                case .transverse: (sx, sy) = (w - 1 - y, h - 1 - x)
                case .rotate90CounterClockwise: (sx, sy) = (w - 1 - y, x)
                }
                let p = s[sx, sy]
                out[(y * ow + x) * 3] = p.red
                out[(y * ow + x) * 3 + 1] = p.green
                out[(y * ow + x) * 3 + 2] = p.blue
            }
        }
        return RGBImage(width: ow, height: oh, pixels: out)
    }

    func testOrientedEqualsTheNaiveTwinForAllEight() {
        var rng = SeededRandom(seed: 5)
        for (w, h) in [(1, 1), (1, 5), (4, 1), (5, 3), (2, 7), (6, 6)] {
            let image = RGBImage(width: w, height: h, pixels: (0 ..< w * h * 3).map { _ in rng.uniformFloat() })
            for o in EXIFOrientation.allCases {
                XCTAssertEqual(image.oriented(o), naive(image, o), "\(w)×\(h), \(o)")
            }
        }
    }

    // MARK: - JPEGs decoded upright

    /// progressive.jpg is 24×16, blocks c0 c1 c2 / c3 c4 c5 (8×8 each); the expected layouts are written by hand.
    func testJPEGsWithOrientations1368DecodeUpright() throws {
        let stored = try progressive()
        let c = FixturePixels.jpegSix
        let expected: [(Int, Int, Int, [(UInt8, UInt8, UInt8)])] = [  // value, W, H, blocks row by row
            (1, 24, 16, [c[0], c[1], c[2], c[3], c[4], c[5]]),
            (3, 24, 16, [c[5], c[4], c[3], c[2], c[1], c[0]]),
            (6, 16, 24, [c[3], c[0], c[4], c[1], c[5], c[2]]),  // 90° clockwise: the left column becomes the top row
            (8, 16, 24, [c[2], c[5], c[1], c[4], c[0], c[3]]),  // 90° counter-clockwise
        ]
        let plain = try ImageDecoder.decode(stored)
        for (value, w, h, blocks) in expected {
            let jpeg = Self.inserting(Self.app1(orientation: value, bigEndian: value == 6), into: stored)
            let image = try ImageDecoder.decode(jpeg)
            XCTAssertEqual([image.width, image.height], [w, h], "orientation \(value)")
            var worst: Float = 0
            for y in 0 ..< h {
                for x in 0 ..< w {
                    let want = FixturePixels.block(blocks, perRow: w / 8, x: x, y: y), got = image[x, y]
                    worst = max(worst, abs(got.red - Float(want.0) / 255), abs(got.green - Float(want.1) / 255),
                                abs(got.blue - Float(want.2) / 255))
                }
            }
            XCTAssertLessThanOrEqual(worst, 2.0 / 255 + 1e-6, "orientation \(value)")
            // Bit for bit the stored decode moved: the move happens on the 8-bit samples, before v / 255.
            XCTAssertEqual(image, plain.oriented(EXIFOrientation(rawValue: value)!), "orientation \(value)")
        }
    }

    func testNoEXIFAndOrientationOneAndHostileEXIFAreBitIdenticalToBefore() throws {
        let stored = try progressive()
        let plain = try ImageDecoder.decode(stored)
        XCTAssertEqual(EXIFOrientation.read(jpeg: stored), .identity)
        XCTAssertEqual(try ImageDecoder.decode(Self.inserting(Self.app1(orientation: 1), into: stored)), plain)
        var hostile = Self.app1(orientation: 6)
        hostile.replaceSubrange(14 ..< 18, with: [0xFF, 0xFF, 0xFF, 0x7F])  // IFD0 offset far past the segment
        XCTAssertEqual(try ImageDecoder.decode(Self.inserting(hostile, into: stored)), plain)
    }
}
