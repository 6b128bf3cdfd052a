import Datasets
import XCTest

/// `ImageManifest.load(csv:)`: labels, vocabulary, indices, path resolution, and every error case.
final class ImageManifestCSVTests: XCTestCase {
    private var scratch: ScratchFolder!

    override func setUpWithError() throws { scratch = try ScratchFolder() }
    override func tearDown() { scratch.remove() }

    /// Writes the CSV `text` as `labels.csv` and expects `load` to fail with a message naming the CSV.
    private func loadError(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> ManifestError {
        let csv = try scratch.write("labels.csv", text)
        switch Result(catching: { () throws(ManifestError) in try ImageManifest.load(csv: csv) }) {
        case .success(let manifest):
            XCTFail("loaded \(manifest.count) entries; expected an error", file: file, line: line)
            throw NoErrorThrown()
        case .failure(let error):
            XCTAssertTrue(error.description.contains(csv), "message lacks the CSV path: \(error)", file: file, line: line)
            return error
        }
    }

    func testMultiLabelsQuotedCommasAndOrder() throws {
        let a = try scratch.write("img/b.png"), b = try scratch.write("img/sunset, beach.jpg")
        let c = try scratch.write("other/c.jpeg")
        let csv = try scratch.write("labels.csv", """
            path,labels
            img/b.png,sky; sea
            "img/sunset, beach.jpg","sea;sunset,orange"
            \(c),sky

            """)
        let manifest = try ImageManifest.load(csv: csv)
        XCTAssertEqual(manifest.entries, [
            .init(path: a, labels: ["sky", "sea"]),
            .init(path: b, labels: ["sea", "sunset,orange"]),
            .init(path: c, labels: ["sky"]),
        ])
        XCTAssertEqual(manifest.vocabulary, ["sea", "sky", "sunset,orange"])
        XCTAssertEqual(manifest.labelIndices, [[1, 0], [0, 2], [1]])
        XCTAssertEqual(manifest.count, 3)
    }

    func testCustomColumnsLikeTheFlowersLabels() throws {
        // shared/data/flowers17/labels.csv: filename,label,class_name with paths like jpg/image_0001.jpg.
        let one = try scratch.write("jpg/image_0001.jpg"), two = try scratch.write("jpg/image_0081.jpg")
        let csv = try scratch.write("labels.csv", "filename,label,class_name\njpg/image_0001.jpg,0,Daffodil\n"
                                    + "jpg/image_0081.jpg,1,Snowdrop\n")
        let manifest = try ImageManifest.load(csv: csv, pathColumn: "filename", labelsColumn: "class_name")
        XCTAssertEqual(manifest.entries.map(\.path), [one, two])
        XCTAssertEqual(manifest.vocabulary, ["Daffodil", "Snowdrop"])
        XCTAssertEqual(manifest.labelIndices, [[0], [1]])
    }

    func testDuplicateLabelsInARowAreMergedAndDotPathsResolved() throws {
        let a = try scratch.write("a.png")
        let csv = try scratch.write("sub/labels.csv", "path,labels\n../a.png,x;y;x\n")
        // `../a.png` leaves the CSV's folder: refused unless allowed explicitly (HostileInputTests), so allowed here.
        XCTAssertEqual(try ImageManifest.load(csv: csv, allowOutsidePaths: true).entries, [.init(path: a, labels: ["x", "y"])])
    }

    func testMissingCSV() {
        let path = scratch.path + "/nope.csv"
        XCTAssertThrowsError(try ImageManifest.load(csv: path)) { error in
            XCTAssertEqual(error as? ManifestError, .missingCSV(path: path))
            XCTAssertTrue("\(error)".contains(path))
        }
    }

    func testMissingHeader() throws {
        guard case .missingHeader = try loadError("\n\n") else { return XCTFail("expected .missingHeader") }
    }

    func testMissingColumn() throws {
        guard case .missingColumn(_, "labels", ["path", "label"]) = try loadError("path,label\na.png,x\n") else {
            return XCTFail("expected .missingColumn(labels)")
        }
    }

    func testEmptyLabel() throws {
        try scratch.write("a.png")
        try scratch.write("b.png")
        guard case .emptyLabel(_, 3) = try loadError("path,labels\na.png,x\nb.png,\n") else {
            return XCTFail("expected .emptyLabel on line 3")
        }
        guard case .emptyLabel(_, 2) = try loadError("path,labels\na.png,x;;y\n") else {
            return XCTFail("expected .emptyLabel on line 2 for `x;;y`")
        }
    }

    func testMissingImageNamesTheLine() throws {
        try scratch.write("a.png")
        let error = try loadError("path,labels\na.png,x\n\"gone.png\",y\n")
        guard case .missingImage(_, 3, "gone.png", let resolved) = error else { return XCTFail("got \(error)") }
        XCTAssertEqual(resolved, scratch.url.standardizedFileURL.path + "/gone.png")
        XCTAssertTrue(error.description.contains(":3:") && error.description.contains("gone.png"), "\(error)")
    }

    func testDuplicatePath() throws {
        try scratch.write("a.png")
        let error = try loadError("path,labels\na.png,x\n./a.png,y\n")
        guard case .duplicatePath(_, 3, 2, "./a.png") = error else { return XCTFail("got \(error)") }
    }

    func testMalformedRows() throws {
        try scratch.write("a.png")
        guard case .malformedCSV(_, 2, _) = try loadError("path,labels\na.png,x,extra\n") else {
            return XCTFail("expected .malformedCSV for a row with too many fields")
        }
        guard case .malformedCSV(_, 2, _) = try loadError("path,labels\n\"a.png,x\n") else {
            return XCTFail("expected .malformedCSV for an unterminated quote")
        }
        guard case .malformedCSV(_, 2, _) = try loadError("path,labels\n,x\n") else {
            return XCTFail("expected .malformedCSV for an empty path")
        }
    }

    func testHeaderOnlyHasNoImages() throws {
        guard case .noImages = try loadError("path,labels\n") else { return XCTFail("expected .noImages") }
    }
}
