import Foundation
import Storage
import TestSupport
import XCTest

/// Files written here open in h5py and h5dump (the project promises every artifact can be inspected).
final class InteroperabilityTests: XCTestCase {
    /// Writes a file using every feature, plus a stitched master of two parts; returns (file, master).
    private func writeSampleFiles() throws -> (file: String, master: String) {
        let directory = try makeTemporaryDirectory()
        let path = directory + "/sample.h5"
        try HDF5File.createAtomic(path: path) { file in
            try ArtifactHeader(stage: "encode", version: 2, parameters: ["components": .int(256),
                                                                        "scales": .doubles([1, 2])]).write(to: file)
            try file.write((0..<12).map(Float.init), shape: [3, 4], to: "x", chunk: [2, 4], gzip: 1)
            try file.write([1, 2] as [Int64], shape: [2], to: "groups/ids")
            try file.write([255, 0] as [UInt8], shape: [2], to: "groups/bytes")
            try file.writeStrings(["a", "café", ""], to: "names")
            try file.setAttribute("labels", ["x", "ÿ"], on: "names")
            try file.createExtendable("stream", of: Double.self, rowShape: [2], chunkRows: 2)
            try file.append(rows: [1, 2, 3, 4, 5, 6], to: "stream")
        }
        let parts = PartFiles(master: directory + "/master.h5", count: 2)
        let header = ArtifactHeader(stage: "extract", version: 1)
        for rank in 0..<2 {
            try parts.writePart(rank: rank) { file in
                try header.write(to: file)
                try file.write([Float](repeating: Float(rank + 1), count: (rank + 2) * 3), shape: [rank + 2, 3], to: "x")
            }
        }
        try parts.stitch(datasets: ["x"], header: header)
        return (path, parts.master)
    }

    private func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        try runProcess(executable, arguments)
    }

    func testH5pyReadsTheFiles() throws {
        let python = "/usr/bin/python3"
        guard FileManager.default.isExecutableFile(atPath: python),
              (try? run(python, ["-c", "import h5py"]))?.status == 0 else {
            print("skipping the h5py check: \(python) with h5py is not installed (apt install python3-h5py)")
            throw XCTSkip("\(python) with h5py is not installed")
        }
        let (file, master) = try writeSampleFiles()
        let script = """
        import sys, h5py, numpy as np
        f = h5py.File(sys.argv[1], "r")
        assert f.attrs["format"] == "tributary" and f.attrs["stage"] == "encode", dict(f.attrs)
        assert f.attrs["version"] == 2 and f.attrs["components"] == 256
        assert list(f.attrs["scales"]) == [1.0, 2.0]
        x = f["x"]
        assert x.dtype == np.float32 and x.shape == (3, 4) and x.compression == "gzip", (x.dtype, x.shape)
        assert (x[...] == np.arange(12, dtype=np.float32).reshape(3, 4)).all()
        assert f["groups/ids"].dtype == np.int64 and list(f["groups/ids"][...]) == [1, 2]
        assert f["groups/bytes"].dtype == np.uint8 and list(f["groups/bytes"][...]) == [255, 0]
        assert list(f["names"].asstr()[...]) == ["a", "café", ""], f["names"][...]
        assert list(f["names"].attrs["labels"]) == ["x", "ÿ"]
        assert f["stream"].maxshape == (None, 2) and f["stream"][...].tolist() == [[1, 2], [3, 4], [5, 6]]
        m = h5py.File(sys.argv[2], "r")
        assert m["x"].is_virtual and m["x"].shape == (5, 3), m["x"].shape
        assert m["x"][...].tolist() == [[1.0] * 3] * 2 + [[2.0] * 3] * 3, m["x"][...]
        print("h5py ok")
        """
        let result = try run(python, ["-c", script, file, master])
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains("h5py ok"), result.output)
    }

    func testH5dumpReadsTheFiles() throws {
        guard let h5dump = ["/usr/bin/h5dump", "/usr/local/bin/h5dump"].first(where: {
            FileManager.default.isExecutableFile(atPath: $0)
        }) else {
            print("skipping the h5dump check: h5dump is not installed (apt install hdf5-tools)")
            throw XCTSkip("h5dump is not installed")
        }
        let (file, master) = try writeSampleFiles()
        let header = try run(h5dump, ["-H", file])
        XCTAssertEqual(header.status, 0, header.output)
        for expected in ["DATASET \"x\"", "H5T_IEEE_F32LE", "DATASET \"names\"", "H5T_CSET_UTF8", "ATTRIBUTE \"format\""] {
            XCTAssertTrue(header.output.contains(expected), "h5dump -H lacks \(expected):\n\(header.output)")
        }
        let stitched = try run(h5dump, ["-d", "x", master])
        XCTAssertEqual(stitched.status, 0, stitched.output)
        XCTAssertTrue(stitched.output.contains("( 5, 3 )"), stitched.output)
    }
}
