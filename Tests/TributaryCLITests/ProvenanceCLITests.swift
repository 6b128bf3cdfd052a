import Foundation
import Storage
import TestSupport
import XCTest

/// Every artifact records the build, machine and job that wrote it (`Provenance`), and the report says it too.
final class ProvenanceCLITests: XCTestCase {
    func testArtifactsManifestAndReportCarryTheProvenance() throws {
        let work = try makeTemporaryDirectory("provenance")
        let config = work.appendingPathComponent("c.json")
        try Data(#"""
            {"out": "\#(work.path)/out", "datasets": {"img": {"kind": "synthetic", "count": 8, "width": 32, "height": 32}},
             "stages": [{"name": "fv", "type": "fisher", "dataset": "img", "params": {"components": 2, "pca_dims": 4, "sample_size": 100, "iterations": 2}}]}
            """#.utf8).write(to: config)
        let result = try runTributary(["run", config.path], environment: ["TRIBUTARY_ISA": "baseline"])
        XCTAssertEqual(result.status, 0, result.output)
        let file = try HDF5File.open(path: work.path + "/out/fv/fv.h5")
        defer { try? file.close() }
        let provenance = try Provenance.read(from: file).fields
        // The binary lies under this checkout's .build folder: its commit is this checkout's HEAD (`unknown` when
        // the sources are not a git checkout).
        let git = try runProcess("/usr/bin/env", ["git", "-C", Self.root.path, "rev-parse", "HEAD"],
                                 environment: ProcessInfo.processInfo.environment)
        let head = git.status == 0 ? git.output.trimmingCharacters(in: .whitespacesAndNewlines) : "unknown"
        XCTAssertEqual(provenance["commit"], .string(head))
        XCTAssertEqual(provenance["ranks"], .int(1))
        XCTAssertEqual(provenance["hosts"], .strings(["\(TemporaryFiles.hostName) ×1"]))
        XCTAssertEqual(provenance["hdf5"], .string(HDF5Library.version))
        XCTAssertEqual(provenance["tributary"].map { "\($0)".isEmpty }, false)
        guard case let .string(blas)? = provenance["blas"] else { return XCTFail("no provenance.blas: \(provenance)") }
        XCTAssertTrue(blas.contains("OpenBLAS") && blas.contains("kernel"), blas)
        // The kernels' level: the one TRIBUTARY_ISA asked for, then what the CPU supports.
        guard case let .string(isa)? = provenance["isa"] else { return XCTFail("no provenance.isa: \(provenance)") }
        XCTAssertTrue(isa.hasPrefix("baseline (supported: baseline"), isa)
        // Not a parameter: the header leaves it out, so it never enters a comparison of parameters.
        XCTAssertFalse(try ArtifactHeader.read(from: file).parameters.keys.contains { $0.hasPrefix("provenance.") })
        let report = try String(contentsOfFile: work.path + "/out/report.md", encoding: .utf8)
        XCTAssertTrue(report.contains("commit: \(head)"), report)
        let manifest = try String(contentsOfFile: work.path + "/out/run-manifest.json", encoding: .utf8)
        XCTAssertTrue(manifest.contains("\"provenance\"") && manifest.contains(head), manifest)
    }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
}
