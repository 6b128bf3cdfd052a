import Datasets
import XCTest

/// `ImageManifest.fromClassFolders(root:)`: sorted classes and files, extension filter, and the error cases.
final class ImageManifestClassFolderTests: XCTestCase {
    private var scratch: ScratchFolder!

    override func setUpWithError() throws { scratch = try ScratchFolder() }
    override func tearDown() { scratch.remove() }

    func testSortedClassesAndImages() throws {
        let d2 = try scratch.write("daisy/2.JPG"), d1 = try scratch.write("daisy/1.png")
        let i1 = try scratch.write("iris/a.jpeg")
        try scratch.write("daisy/notes.txt")
        try scratch.write("daisy/.hidden.png")
        try scratch.write("README.md")
        try scratch.makeFolder(".cache")
        try scratch.write("iris/nested/deep.png")

        let manifest = try ImageManifest.fromClassFolders(root: scratch.path)
        XCTAssertEqual(manifest.entries, [
            .init(path: d1, labels: ["daisy"]), .init(path: d2, labels: ["daisy"]), .init(path: i1, labels: ["iris"]),
        ])
        XCTAssertEqual(manifest.vocabulary, ["daisy", "iris"])
        XCTAssertEqual(manifest.labelIndices, [[0], [0], [1]])
    }

    func testEmptyClassFolder() throws {
        try scratch.write("daisy/1.png")
        try scratch.write("iris/readme.txt")
        XCTAssertThrowsError(try ImageManifest.fromClassFolders(root: scratch.path)) { error in
            let folder = scratch.url.standardizedFileURL.path + "/iris"
            XCTAssertEqual(error as? ManifestError, .emptyClassFolder(path: folder))
            XCTAssertTrue("\(error)".contains(folder))
        }
    }

    func testNoClassFolders() throws {
        try scratch.write("loose.png")
        XCTAssertThrowsError(try ImageManifest.fromClassFolders(root: scratch.path)) { error in
            XCTAssertEqual(error as? ManifestError, .noImages(path: scratch.path))
        }
    }

    func testMissingRoot() {
        let root = scratch.path + "/absent"
        XCTAssertThrowsError(try ImageManifest.fromClassFolders(root: root)) { error in
            XCTAssertEqual(error as? ManifestError, .missingFolder(path: root))
            XCTAssertTrue("\(error)".contains(root))
        }
    }
}
