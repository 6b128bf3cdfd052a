import Datasets
import Foundation
import XCTest

/// Each kind of bad input maps to its own `ImageError` case, and the message names the file.
final class BadImageTests: XCTestCase {
    /// Decodes `name`, expecting an error; checks that the message names the file, and returns the error.
    private func error(decoding name: String, file: StaticString = #filePath, line: UInt = #line) throws -> ImageError {
        let path = try fixture(name, file: file, line: line)
        switch Result(catching: { () throws(ImageError) in try ImageDecoder.decode(contentsOfFile: path) }) {
        case .success(let image):
            XCTFail("\(name) decoded as \(image.width)×\(image.height); expected an error", file: file, line: line)
            throw NoErrorThrown()
        case .failure(let error):
            XCTAssertEqual(error.path, path, file: file, line: line)
            XCTAssertTrue(error.description.contains(name), "message lacks the file name: \(error)",
                          file: file, line: line)
            return error
        }
    }

    func testCorruptPNG() throws {
        guard case .corrupt(_, let message) = try error(decoding: "corrupt.png") else {
            return XCTFail("corrupt.png: expected .corrupt")
        }
        XCTAssertFalse(message.isEmpty, "libpng's message should be passed on")
    }

    func testTruncatedPNG() throws {
        XCTAssertEqual(try error(decoding: "truncated.png"), .truncated(path: try fixture("truncated.png")))
    }

    func testTruncatedJPEGIsRejectedNotGrayFilled() throws {
        XCTAssertEqual(try error(decoding: "truncated.jpg"), .truncated(path: try fixture("truncated.jpg")))
    }

    func testEmptyFile() throws {
        XCTAssertEqual(try error(decoding: "empty.png"), .empty(path: try fixture("empty.png")))
    }

    func testTextFileNamedPNG() throws {
        let path = try fixture("not_an_image.png")
        XCTAssertEqual(try error(decoding: "not_an_image.png"),
                       .unsupportedFormat(path: path, magic: Array("This is ".utf8)))
        // The message names the kind of file, never its bytes (a CSV naming /etc/passwd must not print "root:x:0").
        let message = ImageError.unsupportedFormat(path: path, magic: [0x54, 0x0A]).description
        XCTAssertFalse(message.contains("54 0A"), message)
        XCTAssertTrue(message.contains("text file"), message)
        XCTAssertFalse(ImageError.unsupportedFormat(path: "p", magic: Array("root:x:0".utf8)).description.contains("72 6F"))
    }

    func testHugePNGHeaderIsRefusedBeforeAllocating() throws {
        XCTAssertEqual(try error(decoding: "huge.png"),
                       .tooLarge(path: try fixture("huge.png"), width: 20000, height: 20000))
    }

    func testHugeJPEGHeaderIsRefused() throws {
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: try fixture("rgb.jpg"))))
        // SOF0 = FF C0, length (2), precision (1), height (2), width (2): declare 40000 × 40000 (1.6·10⁹ pixels;
        // TurboJPEG's own limit is 65500 per side).
        let sof = try XCTUnwrap((0 ..< bytes.count - 1).first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xC0 })
        for k in [5, 7] { (bytes[sof + k], bytes[sof + k + 1]) = (0x9C, 0x40) }
        XCTAssertThrowsError(try ImageDecoder.decode(bytes, name: "huge.jpg")) { error in
            XCTAssertEqual(error as? ImageError, .tooLarge(path: "huge.jpg", width: 40000, height: 40000))
        }
    }

    func testMissingFileAndFolder() throws {
        XCTAssertThrowsError(try ImageDecoder.decode(contentsOfFile: "/nonexistent/x.png")) { error in
            guard case .unreadable(let path, _)? = error as? ImageError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, "/nonexistent/x.png")
        }
        let folder = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures", withExtension: nil)).path
        XCTAssertThrowsError(try ImageDecoder.decode(contentsOfFile: folder)) { error in
            guard case .unreadable? = error as? ImageError else { return XCTFail("\(error)") }
        }
    }

    func testInMemoryErrorsUseTheGivenName() {
        XCTAssertThrowsError(try ImageDecoder.decode([UInt8](), name: "upload-7")) { error in
            XCTAssertEqual(error as? ImageError, .empty(path: "upload-7"))
            XCTAssertTrue("\(error)".contains("upload-7"))
        }
        XCTAssertThrowsError(try ImageDecoder.decode([0xFF, 0xD8, 0xFF, 0xE0], name: "stub.jpg")) { error in
            XCTAssertEqual(error as? ImageError, .truncated(path: "stub.jpg"))
        }
    }

    func testMessagesSayWhatToDo() {
        let cases: [ImageError] = [
            .unreadable(path: "a.png", reason: "no such file"), .empty(path: "a.png"), .truncated(path: "a.png"),
            .corrupt(path: "a.png", message: "IHDR: CRC error"), .tooLarge(path: "a.png", width: 1, height: 1),
            .unsupportedFormat(path: "a.png", magic: [1]), .unsupportedColorSpace(path: "a.png", colorSpace: "CMYK"),
        ]
        for error in cases {
            XCTAssertTrue(error.description.hasPrefix("a.png: "), "\(error)")
            XCTAssertTrue(error.description.contains("manifest"), "no fix offered: \(error)")
        }
    }
}
