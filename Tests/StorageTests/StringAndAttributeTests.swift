import Storage
import XCTest

/// Variable-length UTF-8 strings and attributes (scalar and array, numeric and string).
final class StringAndAttributeTests: XCTestCase {
    private let texts = ["plain ascii", "", "café — naïve", "日本語のテキスト", "emoji 🦊🌊", "tab\tand\nnewline", ""]

    func testVariableLengthStringsRoundTripIncludingUnicodeAndEmpty() throws {
        let path = try makeTemporaryDirectory() + "/strings.h5"
        let file = try HDF5File.create(path: path)
        try file.writeStrings(texts, to: "labels/names")
        try file.writeStrings([], to: "none")
        try file.close()
        let reopened = try HDF5File.open(path: path)
        XCTAssertEqual(try reopened.readStrings("labels/names"), texts)
        XCTAssertEqual(try reopened.shape(of: "labels/names"), [texts.count])
        XCTAssertEqual(try reopened.readStrings("none"), [])
        XCTAssertNil(try reopened.elementKind(of: "labels/names"))
    }

    func testStringsAndNumbersAreNotConfused() throws {
        let path = try makeTemporaryDirectory() + "/mixed.h5"
        let file = try HDF5File.create(path: path)
        try file.writeStrings(["a"], to: "s")
        try file.write([1] as [Float], shape: [1], to: "x")
        assertStorageError(try file.readStrings("x"), mentions: path) {
            $0 == .typeMismatch(file: path, name: "x", expected: "string", got: "float32")
        }
        assertStorageError(try file.read("s", as: Float.self), mentions: path) {
            $0 == .typeMismatch(file: path, name: "s", expected: "float32", got: "string")
        }
    }

    func testScalarAndArrayAttributesRoundTrip() throws {
        let path = try makeTemporaryDirectory() + "/attrs.h5"
        let file = try HDF5File.create(path: path)
        try file.write([1, 2] as [Float], shape: [2], to: "g/x")
        try file.setAttribute("count", 42)
        try file.setAttribute("big", Int.min + 1)
        try file.setAttribute("rate", 0.125)
        try file.setAttribute("name", "naïve-bayes ✓")
        try file.setAttribute("empty", "")
        try file.setAttribute("sizes", [1, -2, 3_000_000_000])
        try file.setAttribute("scales", [1.0, 1.5, 2.25])
        try file.setAttribute("classes", ["cat", "", "chien"])
        try file.setAttribute("noInts", [Int]())
        try file.setAttribute("units", "m/s", on: "g/x")
        try file.setAttribute("level", 3, on: "g")
        try file.close()

        let reopened = try HDF5File.open(path: path)
        XCTAssertEqual(try reopened.attribute("count", as: Int.self), 42)
        XCTAssertEqual(try reopened.attribute("big", as: Int.self), Int.min + 1)
        XCTAssertEqual(try reopened.attribute("rate", as: Double.self), 0.125)
        XCTAssertEqual(try reopened.attribute("name", as: String.self), "naïve-bayes ✓")
        XCTAssertEqual(try reopened.attribute("empty", as: String.self), "")
        XCTAssertEqual(try reopened.attribute("sizes", as: [Int].self), [1, -2, 3_000_000_000])
        XCTAssertEqual(try reopened.attribute("scales", as: [Double].self), [1.0, 1.5, 2.25])
        XCTAssertEqual(try reopened.attribute("classes", as: [String].self), ["cat", "", "chien"])
        XCTAssertEqual(try reopened.attribute("noInts", as: HDF5AttributeValue.self), .ints([]))
        XCTAssertEqual(try reopened.attribute("units", of: "g/x", as: String.self), "m/s")
        XCTAssertEqual(try reopened.attribute("level", of: "g", as: Int.self), 3)
        XCTAssertEqual(try reopened.attribute("count", as: HDF5AttributeValue.self), .int(42))
        XCTAssertEqual(try reopened.attribute("sizes", as: [Double].self),
                       [1, -2, 3e9], "integers read as doubles convert")
        XCTAssertEqual(try reopened.attributeNames(),
                       ["big", "classes", "count", "empty", "name", "noInts", "rate", "scales", "sizes"])
        XCTAssertTrue(reopened.hasAttribute("units", on: "g/x"))
        XCTAssertFalse(reopened.hasAttribute("units"))
    }

    func testSettingAnAttributeAgainReplacesIt() throws {
        let path = try makeTemporaryDirectory() + "/replace.h5"
        let file = try HDF5File.create(path: path)
        try file.setAttribute("k", 1)
        try file.setAttribute("k", "now a string")
        XCTAssertEqual(try file.attribute("k", as: String.self), "now a string")
        XCTAssertEqual(try file.attributeNames(), ["k"])
    }

    func testAttributeErrorsNameTheFile() throws {
        let path = try makeTemporaryDirectory() + "/attr-errors.h5"
        let file = try HDF5File.create(path: path)
        try file.setAttribute("rate", 0.5)
        assertStorageError(try file.attribute("missing", as: Int.self), mentions: path) {
            $0 == .attributeMissing(file: path, object: "/", name: "missing")
        }
        assertStorageError(try file.attribute("rate", as: Int.self), mentions: path) {
            $0 == .typeMismatch(file: path, name: "/ @rate", expected: "Int", got: "Double")
        }
        assertStorageError(try file.attribute("rate", as: [Double].self), mentions: path) {
            if case .typeMismatch = $0 { return true } else { return false }
        }
        assertStorageError(try file.setAttribute("x", 1, on: "nowhere"), mentions: path) {
            $0 == .datasetMissing(file: path, name: "nowhere")
        }
    }
}
