import Foundation
@testable import Storage
import XCTest

/// Input paths in artifact headers are stored relative to the file that names them (answers by hand).
final class HeaderPathTests: XCTestCase {
    func testStoredPathsAreRelativeToTheFileAndResolveBack() {
        var cases: [(path: String, file: String, stored: String)] = [
            ("out/a/pca.h5", "out/a/gmm.h5", "pca.h5"),
            ("data/x.csv", "out/a/m.h5", "../../data/x.csv"),
            ("data/pipelines/../../out/d/fv/fv.h5", "data/pipelines/../../out/d/svm/models.h5", "../fv/fv.h5"),
            ("./out/./a/b.h5", "out/c/d.h5", "../a/b.h5"),
            ("/tmp/run/fv/fv.h5", "/tmp/run/svm/models.h5", "../fv/fv.h5"),
            ("/usr/share/datasets/x", "/work/out/m.h5", "/usr/share/datasets/x"),  // only / in common: absolute
        ]
        // Relative paths are from the working directory: mixed cases go through it (by hand, from cwd's parts).
        let cwd = FileManager.default.currentDirectoryPath
        cases += [
            ("/abs/x.h5", "out/m.h5", "/abs/x.h5"),  // cwd/out and /abs share only the root: absolute
            ("rel/x.h5", "/\(cwd.split(separator: "/").first!)/m.h5", cwd.split(separator: "/").dropFirst().joined(separator: "/") + "/rel/x.h5"),
        ]
        for c in cases {
            XCTAssertEqual(ArtifactHeader.storedPath(c.path, in: c.file), .string(c.stored), "\(c.path) in \(c.file)")
            let back = ArtifactHeader.resolvedPath(c.stored, in: c.file)
            XCTAssertEqual(ArtifactHeader.absolute(back), ArtifactHeader.absolute(c.path), "\(c.stored) back from \(c.file)")
        }
    }
}
