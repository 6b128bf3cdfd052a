import Core
import Foundation
import TestSupport
import XCTest

/// `FileProblem`: every errno the hardening issue met becomes words and a fix, and `diagnose` finds the real
/// condition behind a failed open (directory, a file as a parent folder, missing, not UTF-8).
final class FileProblemTests: XCTestCase {
    func testErrnoBecomesWordsAndAFix() {
        let cases: [(Int32, FileProblem, String)] = [
            (ENOENT, .missing, "does not exist"), (EISDIR, .isADirectory, "is a directory"),
            (EACCES, .permissionDenied, "permission denied"), (EPERM, .permissionDenied, "permission denied"),
            (EROFS, .readOnlyFileSystem, "read-only file system"), (ENOSPC, .noSpace, "no space left"),
            (EDQUOT, .noSpace, "no space left"), (ENOTDIR, .notADirectory, "not a folder"),
        ]
        for (code, problem, words) in cases {
            XCTAssertEqual(FileProblem.from(errno: code, path: "/nonexistent-\(code)/x"), problem)
            XCTAssertTrue(problem.description.contains(words), problem.description)
            XCTAssertFalse(problem.description.contains("errno"), "no bare errno: \(problem)")
        }
        XCTAssertTrue("\(FileProblem.from(errno: EMFILE, path: "x"))".contains("errno \(EMFILE)"))
    }

    func testDiagnoseFindsTheRealCondition() throws {
        let folder = try makeTemporaryDirectory("file-problem").path
        let file = folder + "/a.txt"
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        XCTAssertNil(FileProblem.diagnose(path: file))
        XCTAssertEqual(FileProblem.diagnose(path: folder), .isADirectory)
        XCTAssertEqual(FileProblem.diagnose(path: folder + "/none"), .missing)
        XCTAssertEqual(FileProblem.diagnose(path: file + "/b.h5"), .parentIsAFile(parent: file))
        XCTAssertEqual(FileProblem.diagnose(writing: file + "/b.h5"), .parentIsAFile(parent: file))
        XCTAssertEqual(FileProblem.diagnose(writing: folder), .isADirectory)
        XCTAssertNil(FileProblem.diagnose(writing: folder + "/new.h5"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/new.h5"), "the probe is removed")
        XCTAssertEqual(FileProblem.diagnose(folder: file + "/out"), .parentIsAFile(parent: file))
        XCTAssertEqual(FileProblem.diagnose(folder: file), .notADirectory)
        XCTAssertNil(FileProblem.diagnose(folder: folder + "/x/y/z"))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder + "/x/y/z"), [], "no probe left")
    }

    /// Text that is not UTF-8 is `StrictText`'s to find (FileProblem names file-system conditions only).
    func testFirstInvalidUTF8Offset() {
        XCTAssertNil(StrictText.firstProblem(in: Array("node café root ✓".utf8)))
        XCTAssertEqual(StrictText.firstProblem(in: Array("caf".utf8) + [0xE9, 0x20])?.byteOffset, 3, "Latin-1 é")
        XCTAssertEqual(StrictText.firstProblem(in: Array("é".utf8) + [0xFF])?.byteOffset, 2)
        XCTAssertEqual(StrictText.firstProblem(in: [0xC3])?.byteOffset, 0, "a truncated sequence")
    }
}
