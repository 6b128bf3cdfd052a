import Foundation
import Storage
import XCTest

/// The size check before a write: the margin by hand, the refusal's numbers and fixes, the free-space probe.
final class DiskSpaceTests: XCTestCase {
    func testUsableSpaceKeepsOnePercentOrSixteenMiB() {
        XCTAssertEqual(DiskSpace.usable(free: 100 << 30), (100 << 30) - Int(Double(100 << 30) * 0.01))
        XCTAssertEqual(DiskSpace.usable(free: 100 << 20), (100 - 16) << 20)  // 1 % = 1 MiB < the 16 MiB floor
        XCTAssertEqual(DiskSpace.usable(free: 1 << 20), 0)
    }

    func testAPlanThatFitsIsLoggedAndPasses() throws {
        var lines: [String] = []
        let plan = DiskSpace.Plan(what: "fv.h5", folder: "/out", bytes: 1 << 30, fixes: ["fewer images"], free: 2 << 30)
        XCTAssertEqual(try DiskSpace.check(plan) { lines.append($0) }, 2 << 30)
        XCTAssertEqual(lines, ["will write 1.0 GiB (1073741824 bytes) of fv.h5 in /out (free: 2.0 GiB)"])
    }

    func testAPlanBeyondTheUsableSpaceIsRefusedWithTheNumbersAndTheFixes() {
        // 12.6 GB of float32 vectors (fisher --limit 6000 at the paper's size: 2 MiB + 16 bytes an image) on a disk
        // with 10 GiB free; the margin (1 % = 102 MiB) makes 10 GiB − 1 byte too much as well.
        let free = 10 << 30
        for bytes in [free - 1, 6000 * (2 << 20) + 6000 * 16, DiskSpace.usable(free: free) + 1] {
            let plan = DiskSpace.Plan(what: "encode out/fv.h5", folder: "out", bytes: bytes,
                                      fixes: ["fewer images (--limit)", "--fv-storage float16"], free: free)
            do {
                try DiskSpace.check(plan)
                XCTFail("\(bytes) bytes on \(free) free passed")
            } catch {
                XCTAssertEqual(error, DiskSpaceError(plan: plan, free: free))
                let text = error.description
                for part in ["encode out/fv.h5", "\(bytes) bytes", "\(free) bytes", "out has", "fewer images (--limit)",
                             "--fv-storage float16", "another disk"] {
                    XCTAssertTrue(text.contains(part), "missing '\(part)' in: \(text)")
                }
            }
        }
    }

    func testFreeSpaceIsMeasuredOnTheNearestExistingFolder() throws {
        let tmp = FileManager.default.temporaryDirectory.path
        let free = try XCTUnwrap(DiskSpace.freeBytes(at: tmp))
        XCTAssertGreaterThan(free, 0)
        // A folder that does not exist yet (the stage creates it) is measured on its parent's file system.
        let deeper = try XCTUnwrap(DiskSpace.freeBytes(at: tmp + "/no-such-\(UUID().uuidString)/a/b"))
        XCTAssertEqual(Double(deeper), Double(free), accuracy: Double(256 << 20), "same file system, give or take other writers")
        XCTAssertNotNil(DiskSpace.freeBytes(at: "relative-no-such-folder"))
    }
}
