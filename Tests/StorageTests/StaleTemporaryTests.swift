import Foundation
import Storage
import XCTest

/// A killed writer leaves `<path>.tmp-<host>-<pid>` behind (28 MB in one case); the next atomic write into that
/// folder deletes it, and only it: a live writer's, another host's and any other file stay.
final class StaleTemporaryTests: XCTestCase {
    /// The pid of a process that has exited.
    func deadPID() throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        XCTAssertFalse(TemporaryFiles.isAlive(process.processIdentifier))
        return process.processIdentifier
    }

    func testTemporaryNamesParse() {
        let host = TemporaryFiles.hostName
        XCTAssertEqual(TemporaryFiles.owner(ofName: "fv.h5.tmp-\(host)-123")?.host, host)
        XCTAssertEqual(TemporaryFiles.owner(ofName: "fv.h5.tmp-\(host)-123")?.pid, 123)
        XCTAssertEqual(TemporaryFiles.owner(ofName: "fv.h5.tmp-node-7-42")?.host, "node-7")
        XCTAssertEqual(TemporaryFiles.owner(ofName: "run-manifest.json.tmp-99")?.pid, 99)
        XCTAssertNil(TemporaryFiles.owner(ofName: "run-manifest.json.tmp-99")?.host)
        for name in ["fv.h5", "fv.h5.tmp-", "fv.h5.tmp-abc", ".tmp-12", "fv.h5.tmp-host-", "a.tmp-12x", "fv.h5.tmp--12"] {
            XCTAssertNil(TemporaryFiles.owner(ofName: name), name)
        }
        XCTAssertTrue(TemporaryFiles.path(for: "out/fv.h5").hasPrefix("out/fv.h5.tmp-\(host)-"))
    }

    func testTheNextAtomicWriteRemovesOnlyDeadWritersTemporariesOfThisHost() throws {
        let directory = try makeTemporaryDirectory()
        let dead = try deadPID(), host = TemporaryFiles.hostName
        let stale = ["fv.h5.tmp-\(host)-\(dead)", "run-manifest.json.tmp-\(dead)"]
        let kept = ["fv.h5.tmp-\(host)-\(getppid())",          // a live writer
                    "fv.h5.tmp-another-host-\(dead)",           // another host: its pid means nothing here
                    "notes.tmp-12x", "data.csv", "model.h5"]
        for name in stale + kept {
            XCTAssertTrue(FileManager.default.createFile(atPath: directory + "/" + name, contents: Data(count: 1024)))
        }
        try FileManager.default.createDirectory(atPath: directory + "/dir.tmp-\(dead)", withIntermediateDirectories: false)
        try HDF5File.createAtomic(path: directory + "/out.h5") { try $0.write([1] as [Int64], shape: [1], to: "v") }
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: directory)),
                       Set(kept + ["out.h5", "dir.tmp-\(dead)"]), "a folder is never deleted, whatever its name")
        // A part file write cleans the parts folder the same way.
        let parts = PartFiles(master: directory + "/fv.h5", count: 1)
        try FileManager.default.createDirectory(atPath: parts.directory, withIntermediateDirectories: true)
        let leftover = parts.partPath(rank: 0) + ".tmp-\(host)-\(dead)"
        XCTAssertTrue(FileManager.default.createFile(atPath: leftover, contents: Data(count: 28)))
        try parts.writePart(rank: 0) { try $0.write([1] as [Int64], shape: [1], to: "v") }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: parts.directory), ["part-00000.h5"])
    }
}
