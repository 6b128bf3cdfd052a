import Core
import Foundation
import Storage
import TestSupport
import XCTest

/// `Float` values stored as IEEE half (`storedAs: .float16`): read back as `Float` by every reader, rounded as
/// Swift's own `Float16` rounds, readable by h5py as `<f2`; shuffle + deflate shrink a file and change no value.
final class Float16StorageTests: XCTestCase {
    /// Values that exercise rounding: thirds (inexact in binary), subnormal halves, ±1, a tie, zero, values just
    /// below a power of two (rounding up carries into the exponent: libhdf5's own conversion got 0.12499 → 0.0625),
    /// and seeded values of every magnitude in [−1, 1] (Fisher vectors).
    private let values: [Float] = {
        var rng = SeededRandom(seed: 17)
        let spread = (0 ..< 2000).map { i in Float(rng.normal()) * Float(sign: .plus, exponent: -(i % 30), significand: 1) }
        return (0 ..< 60).map { Float($0 - 30) / 3 } + [1, -1, 0, 1e-6, -3e-5, 1 + 1.0 / 2048, 0.1, 65504,
                                                        0.124988586, 0.0019529165, 1.07306626e-07, -2.2153615e-07] + spread
    }()

    func testHalfRoundTripEqualsSwiftFloat16Rounding() throws {
        let path = try makeTemporaryDirectory() + "/half.h5"
        try HDF5File.createAtomic(path: path) { file in
            try file.write(values, shape: [values.count], to: "whole", storedAs: .float16)
            try file.createExtendable("rows", of: Float.self, rowShape: [4], chunkRows: 2, storedAs: .float16)
            try file.append(rows: Array(values.prefix(32)), to: "rows")
            try file.append(rows: Array(values[32 ..< 64]), to: "rows")
        }
        let file = try HDF5File.open(path: path)
        defer { try? file.close() }
        XCTAssertEqual(try file.elementKind(of: "whole"), .float16)
        XCTAssertEqual(try file.elementKind(of: "rows"), .float16)
        // Rounded to nearest, ties to even (1 + 2⁻¹¹ → 1), carries and subnormals included: exactly Float16(x).
        let expected = values.map { Float(Float16($0)) }
        XCTAssertEqual(try file.read("whole", as: Float.self).values, expected)
        XCTAssertEqual(expected[65], 1, "the tie 1 + 2⁻¹¹ rounds to even")
        XCTAssertEqual(try file.read("rows", as: Float.self).values, Array(expected.prefix(64)))
        XCTAssertEqual(Array(expected[68 ..< 72]), [0.125, 0.001953125, 1.1920929e-07, -2.3841858e-07])
        XCTAssertEqual(try file.readRows("rows", rows: 3 ..< 5, as: Float.self).values, Array(expected[12 ..< 20]))
        // Bound for unit-scale values (Fisher vectors lie in [−1, 1]): |x − half(x)| ≤ 2⁻¹¹ |x|, or ≤ 2⁻²⁵ near 0.
        for (x, h) in zip(values, expected) where abs(x) <= 1 {
            XCTAssertLessThanOrEqual(abs(x - h), max(abs(x) / 2048, 1.0 / 33_554_432), "\(x) → \(h)")
        }
        // Strict otherwise: a half dataset is not a Double one.
        assertStorageError(try file.read("whole", as: Double.self), mentions: path) {
            if case .typeMismatch = $0 { return true } else { return false }
        }
    }

    func testOnlyFloatValuesMayBeStoredAsHalf() throws {
        let path = try makeTemporaryDirectory() + "/bad.h5"
        let file = try HDF5File.create(path: path)
        defer { try? file.close() }
        assertStorageError(try file.write([1, 2] as [Int64], shape: [2], to: "x", storedAs: .float16), mentions: path) {
            if case .typeMismatch = $0 { return true } else { return false }
        }
    }

    func testShuffleDeflateShrinksAndKeepsEveryValue() throws {
        let folder = try makeTemporaryDirectory()
        var rng = SeededRandom(seed: 3)
        // Sparse-ish rows, as Fisher vectors of regions without descriptors are: compressible.
        let rows = (0 ..< 512 * 64).map { i -> Float in i % 5 == 0 ? Float(rng.normal()) * 0.1 : 0 }
        func write(_ name: String, gzip: Int?, shuffle: Bool, half: Bool) throws -> Int {
            let path = folder + "/" + name
            try HDF5File.createAtomic(path: path) { file in
                try file.createExtendable("fv", of: Float.self, rowShape: [64], chunkRows: 16, gzip: gzip, shuffle: shuffle,
                                          storedAs: half ? .float16 : nil)
                try file.append(rows: rows, to: "fv")
            }
            let file = try HDF5File.open(path: path)
            defer { try? file.close() }
            XCTAssertEqual(try file.read("fv", as: Float.self).values, half ? rows.map { Float(Float16($0)) } : rows, name)
            return try (FileManager.default.attributesOfItem(atPath: path)[.size] as! NSNumber).intValue
        }
        let plain = try write("plain.h5", gzip: nil, shuffle: false, half: false)
        let deflated = try write("deflate.h5", gzip: 4, shuffle: true, half: false)
        let half = try write("half.h5", gzip: nil, shuffle: false, half: true)
        XCTAssertGreaterThan(plain, rows.count * 4)
        XCTAssertLessThan(half, plain * 6 / 10, "half \(half) vs float32 \(plain)")
        XCTAssertLessThan(deflated, plain / 2, "shuffle+deflate \(deflated) vs \(plain)")
    }

    func testStitchedAndPackedHalfPartsStayHalf() throws {
        let folder = try makeTemporaryDirectory()
        let parts = PartFiles(master: folder + "/fv.h5", count: 2)
        let header = ArtifactHeader(stage: "encode", version: 1)
        for rank in 0 ..< 2 {
            try parts.writePart(rank: rank) { file in
                try header.write(to: file)
                try file.write([Float](repeating: Float(rank) + 1.0 / 3, count: 6), shape: [2, 3], to: "x", storedAs: .float16)
            }
        }
        try parts.stitch(datasets: ["x"], header: header)
        try HDF5File.pack(parts.master, to: folder + "/packed.h5")
        for path in [parts.master, folder + "/packed.h5"] {
            let file = try HDF5File.open(path: path)
            defer { try? file.close() }
            XCTAssertEqual(try file.elementKind(of: "x"), .float16, path)
            XCTAssertEqual(try file.read("x", as: Float.self).values,
                           [Float](repeating: Float(Float16(Float(1.0 / 3))), count: 6)
                           + [Float](repeating: Float(Float16(Float(4.0 / 3))), count: 6), path)
        }
    }

    func testH5pyReadsHalfAsF2() throws {
        let python = "/usr/bin/python3"
        guard FileManager.default.isExecutableFile(atPath: python), (try? runProcess(python, ["-c", "import h5py"]))?.status == 0 else {
            throw XCTSkip("\(python) with h5py is not installed")
        }
        let path = try makeTemporaryDirectory() + "/half.h5"
        try HDF5File.createAtomic(path: path) { file in
            try file.write(values, shape: [values.count], to: "x", gzip: 4, shuffle: true, storedAs: .float16)
        }
        let script = """
        import sys, h5py, numpy as np
        x = h5py.File(sys.argv[1], "r")["x"]
        assert x.dtype == np.dtype("<f2"), x.dtype
        assert x.compression == "gzip" and x.shuffle, (x.compression, x.shuffle)
        want = np.array([float(v) for v in sys.argv[2].split(",")], dtype=np.float32)
        assert (x[...].astype(np.float32) == want).all(), (x[...], want)
        print("h5py half ok")
        """
        let file = try HDF5File.open(path: path)
        let read = try file.read("x", as: Float.self).values  // what Tributary reads: h5py must see the same halves
        try file.close()
        let result = try runProcess(python, ["-c", script, path, read.map { "\($0)" }.joined(separator: ",")])
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains("h5py half ok"), result.output)
    }
}
