import Foundation
import Stages
import TestSupport
import XCTest

/// The real datasets through `ImageCollection`, when present on this machine (skipped otherwise).
final class ImageCollectionTests: XCTestCase {
    func testFashionMNISTTestSplit() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: ImageSource.fashionMNISTDirectory + "/t10k-images-idx3-ubyte.gz"),
                          "dataset-fashion-mnist is not installed")
        let images = try ImageSource.fashionMNIST(directory: ImageSource.fashionMNISTDirectory, split: "test")
            .open(selection: ImageSelection(limit: 4))
        XCTAssertEqual(images.count, 4)
        XCTAssertEqual(images.classNames.count, 10)
        XCTAssertEqual(images.id(at: 3), "test/000003")
        let first = try images.image(at: 0)
        XCTAssertEqual([first.width, first.height], [28, 28])
    }

    func testFlowers17FromTheArchiveWithoutUnpacking() throws {
        let (shared, reason) = sharedDataDirectory()
        guard let shared else { throw XCTSkip(reason) }
        let archive = shared.appendingPathComponent("flowers17/flowers17.tar").path
        let images = try ImageSource.tar(archive: archive, labelsEntry: "labels.csv", split: nil).open()
        XCTAssertEqual(images.count, 1360)
        XCTAssertEqual(images.classNames.count, 17)
        XCTAssertEqual(images.id(at: 0), "jpg/image_0001.jpg")
        XCTAssertEqual(images.classNames[images.label(at: 0)], "Daffodil")
        let image = try images.image(at: 0)
        XCTAssertEqual(max(image.width, image.height), 256)
    }
}
