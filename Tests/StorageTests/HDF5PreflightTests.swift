import Core
import Storage
import XCTest

/// `HDF5Preflight`: which files are checked in a child, and what a crashing or hanging child becomes. The checker
/// is a shell script here (its last argument is the file), so each outcome is forced exactly; the real checker
/// (`tributary check-hdf5`) is exercised by `HDF5PreflightCLITests` on a file that crashes libhdf5.
final class HDF5PreflightTests: XCTestCase {
    var folder = ""

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "preflight-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    override func tearDown() {
        HDF5Preflight.disable()
        HDF5Preflight.forgetTrusted()
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// A checker that appends a line to `log` for each file it is asked about, then runs `then`.
    func enable(_ then: String, timeout: Double = 10) -> String {
        let log = folder + "/checks.log"
        HDF5Preflight.enable(HDF5Preflight(command: ["/bin/sh", "-c", "echo \"$4\" >> \(log); \(then)"], timeout: timeout))
        return log
    }

    func checks(_ log: String) -> [String] {
        ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// A valid file written by *another* process (copied bytes: a new inode, not written through HDF5File here).
    func foreignFile(_ name: String) throws -> String {
        let original = folder + "/original-\(name)"
        try HDF5File.createAtomic(path: original) { try $0.write([1, 2, 3] as [Float], shape: [3], to: "x") }
        let copy = folder + "/" + name
        try FileManager.default.copyItem(atPath: original, toPath: copy)
        HDF5Preflight.forgetTrusted()
        return copy
    }

    func testACrashingCheckIsAnErrorNamingTheFileAndNothingIsOpened() throws {
        let path = try foreignFile("hostile.h5")
        _ = enable("kill -SEGV $$")
        XCTAssertThrowsError(try HDF5File.open(path: path)) { error in
            guard case let StorageError.unsafeHDF5(file, reason) = error else { return XCTFail("got \(error)") }
            XCTAssertEqual(file, path)
            XCTAssertTrue(reason.contains("SIGSEGV"), reason)
            XCTAssertTrue("\(error)".contains(path) && "\(error)".contains("corrupt or hostile") && "\(error)".contains("intact copy"))
        }
        XCTAssertEqual(HDF5Library.openFileCount, 0)
    }

    func testAHangingCheckIsKilledAfterTheTimeout() throws {
        let path = try foreignFile("hangs.h5")
        _ = enable("exec sleep 30", timeout: 0.3)
        XCTAssertThrowsError(try HDF5File.open(path: path)) { error in
            guard case let StorageError.unsafeHDF5(_, reason) = error else { return XCTFail("got \(error)") }
            XCTAssertTrue(reason.contains("hang"), reason)
        }
    }

    func testAPassingCheckRunsOncePerFileContentAndTheFileOpens() throws {
        let path = try foreignFile("good.h5")
        let log = enable("exit 0")
        XCTAssertEqual(try HDF5File.open(path: path).read("x", as: Float.self).values, [1, 2, 3])
        XCTAssertEqual(try HDF5File.open(path: path).read("x", as: Float.self).values, [1, 2, 3])
        XCTAssertEqual(checks(log).count, 1, "checked once, then remembered")
        XCTAssertTrue(checks(log)[0].hasSuffix(path), "the file is the last argument: \(checks(log))")
        // Replaced by other bytes (another inode and size): checked again.
        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.copyItem(atPath: try foreignFile("other.h5"), toPath: path)
        _ = try HDF5File.open(path: path)
        XCTAssertEqual(checks(log).count, 2)
    }

    func testFilesThisProcessWroteAreTrustedUntilTheyChange() throws {
        let log = enable("kill -SEGV $$")  // any check would fail: only trusted files open
        let path = folder + "/mine.h5"
        try HDF5File.createAtomic(path: path) { try $0.write([4, 5] as [Double], shape: [2], to: "y") }
        XCTAssertEqual(try HDF5File.open(path: path).read("y", as: Double.self).values, [4, 5])
        let rw = try HDF5File.open(path: path, mode: .readWrite)  // trusted, and trusted again after this write
        try rw.setAttribute("note", "appended")
        try rw.close()
        XCTAssertEqual(try HDF5File.open(path: path).attribute("note", as: String.self), "appended")
        XCTAssertEqual(checks(log), [], "no child for files this process wrote")
        // Changed behind our back (bytes appended by someone else): no longer trusted.
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data([0]))
        handle.closeFile()
        XCTAssertThrowsError(try HDF5File.open(path: path))
        XCTAssertEqual(checks(log).count, 1)
    }

    func testOffByDefault() throws {
        XCTAssertFalse(HDF5Preflight.isEnabled)
        let path = try foreignFile("plain.h5")
        XCTAssertEqual(try HDF5File.open(path: path).read("x", as: Float.self).values, [1, 2, 3])
    }

    func testTheWalkReadsEveryAttributeStringAndSmallDataset() throws {
        let path = folder + "/walked.h5"
        try HDF5File.createAtomic(path: path) { file in
            try file.setAttribute("format", "tributary")
            try file.setAttribute("names", ["a", "b"], on: "/")
            try file.write([1, 2, 3, 4] as [Float], shape: [2, 2], to: "g/x")
            try file.setAttribute("k", 3, on: "g/x")
            try file.writeStrings(["hello", "wörld"], to: "g/h/names")
            try file.write(Array(repeating: 7, count: 1000) as [Int64], shape: [100, 10], to: "big")
        }
        let summary = HDF5File.walk(path: path, readLimit: 1000)
        XCTAssertEqual(summary.groups, 3)       // /, /g, /g/h
        XCTAssertEqual(summary.datasets, 3)     // big, g/x, g/h/names
        XCTAssertEqual(summary.attributes, 3)
        // g/x whole (16 B) + names whole (5 + 6 B) + big's first and last row only (2 × 80 B: 8000 B > the limit)
        XCTAssertEqual(summary.bytesRead, 16 + 11 + 160)
        XCTAssertEqual(summary.errors, [])
        XCTAssertEqual(HDF5File.walk(path: folder + "/absent.h5", readLimit: 0).errors.count, 1)
    }
}
