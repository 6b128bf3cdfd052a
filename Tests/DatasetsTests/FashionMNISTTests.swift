import Datasets
import Foundation
import TestSupport
import XCTest

/// The idx loader on hand-made files (3 images of 2×2), its errors, and the real files when installed.
final class FashionMNISTTests: XCTestCase {
    private func bigEndian(_ v: UInt32) -> [UInt8] { [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: v >> $0) } }

    private func imagesBytes(count: UInt32 = 3) -> [UInt8] {
        bigEndian(0x0000_0803) + bigEndian(count) + bigEndian(2) + bigEndian(2) + (0 ..< 12).map { UInt8($0 * 20) }
    }

    private func labelsBytes(count: UInt32 = 3) -> [UInt8] {
        bigEndian(0x0000_0801) + bigEndian(count) + [0, 9, 4]
    }

    func testParsesImagesAndLabels() throws {
        let data = try FashionMNIST.parse(images: imagesBytes(), labels: labelsBytes())
        XCTAssertEqual(data.count, 3)
        XCTAssertEqual(data.rows, 2)
        XCTAssertEqual(data.columns, 2)
        XCTAssertEqual(data.labels, [0, 9, 4])
        XCTAssertEqual(data.image(at: 1), [80, 100, 120, 140].map { Float($0) / 255 })
    }

    func testLoadsUncompressedFilesOfASplit() throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(imagesBytes()).write(to: folder.appendingPathComponent("t10k-images-idx3-ubyte"))
        try Data(labelsBytes()).write(to: folder.appendingPathComponent("t10k-labels-idx1-ubyte"))
        let data = try FashionMNIST.load(split: .test, directory: folder.path)
        XCTAssertEqual(data.count, 3)
    }

    private func message(_ body: () throws -> Void) -> String {
        do {
            try body()
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    func testWrongMagicNamesTheFile() {
        let text = message { _ = try FashionMNIST.parse(images: labelsBytes(), labels: labelsBytes(), imagesName: "imgs.idx") }
        XCTAssertTrue(text.contains("imgs.idx") && text.contains("0x00000801") && text.contains("0x00000803"), text)
    }

    func testTruncatedImagesSayHowToFix() {
        let text = message { _ = try FashionMNIST.parse(images: Array(imagesBytes().dropLast(3)), labels: labelsBytes(),
                                                        imagesName: "short.idx") }
        XCTAssertTrue(text.contains("short.idx is truncated") && text.contains("apt-get install --reinstall dataset-fashion-mnist"), text)
    }

    func testCountMismatchNamesBothFiles() {
        let text = message { _ = try FashionMNIST.parse(images: imagesBytes(), labels: labelsBytes(count: 2),
                                                        imagesName: "a.idx", labelsName: "b.idx") }
        XCTAssertTrue(text.contains("a.idx holds 3 images but b.idx holds 2 labels"), text)
    }

    func testMissingFilesNameThePackage() {
        let text = message { _ = try FashionMNIST.load(split: .train, directory: "/nonexistent/fmnist") }
        XCTAssertTrue(text.contains("/nonexistent/fmnist/train-images-idx3-ubyte.gz not found"), text)
        XCTAssertTrue(text.contains("apt-get install dataset-fashion-mnist"), text)
    }

    func testRealTestSplitWhenInstalled() throws {
        let path = FashionMNIST.defaultDirectory + "/t10k-labels-idx1-ubyte.gz"
        try XCTSkipUnless(FileManager.default.fileExists(atPath: path), "dataset-fashion-mnist is not installed")
        let data = try FashionMNIST.load(split: .test)
        XCTAssertEqual(data.count, 10_000)
        XCTAssertEqual([data.rows, data.columns], [28, 28])
        XCTAssertEqual(Set(data.labels).count, 10)
    }
}
