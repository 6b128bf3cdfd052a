import Core
import XCTest

final class LexicalPathTests: XCTestCase {
    func testPathsAreTidiedByTheirTextAlone() {
        let cases = [("data/pipelines/../../out/default", "out/default"), ("/a/./b//../c", "/a/c"),
                     ("../x/../../y", "../../y"), ("a/..", "."), ("", "."), ("/..", "/"), ("./", "."), ("/", "/"),
                     ("a/b/", "a/b")]
        for (path, expected) in cases { XCTAssertEqual(lexicallyNormalized(path), expected, path) }
    }
}
