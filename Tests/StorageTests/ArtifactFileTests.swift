import Foundation
import Storage
import XCTest

/// `ArtifactFile`: the one writer and reader of model, score and index files.
final class ArtifactFileTests: XCTestCase {
    func testRoundTripOfHeaderDatasetsAndSeries() throws {
        let path = try makeTemporaryDirectory() + "/model.h5"
        let header = ArtifactHeader(stage: "train-x", version: 2,
                                    parameters: ["count": .int(3), "rate": .double(0.5), "name": .string("m")])
        try ArtifactFile.create(path, header: header) { file in
            try file.write([Float](arrayLiteral: 1, 2, 3), shape: [3], to: "parameters")
            try file.write(series: ["mean_loss": [0.5, 0.25], "test_accuracy": []], under: "history")
        }
        let (count, rate, name, series, values) = try ArtifactFile.read(path, stage: "train-x", version: 2) { a in
            (try a.int("count"), try a.double("rate"), try a.string("name"), try a.series(under: "history"),
             try a.file.read("parameters", as: Float.self).values)
        }
        XCTAssertEqual(count, 3)
        XCTAssertEqual(rate, 0.5)
        XCTAssertEqual(name, "m")
        XCTAssertEqual(values, [1, 2, 3])
        // Every series comes back, an empty one as an empty dataset (a resumed run must write the same datasets).
        XCTAssertEqual(series, ["mean_loss": [0.5, 0.25], "test_accuracy": []])
        XCTAssertEqual(try ArtifactFile.read(path, stage: "train-x", version: 2) { try $0.series(under: "nothing") }, [:])
    }

    func testReadChecksTheHeaderAndNamesMissingAttributes() throws {
        let path = try makeTemporaryDirectory() + "/model.h5"
        try ArtifactFile.create(path, header: ArtifactHeader(stage: "train-x", version: 1)) { _ in }
        assertStorageError(try ArtifactFile.read(path, stage: "train-y", version: 1) { _ in 0 }, mentions: "model.h5") {
            if case .wrongStage = $0 { true } else { false }
        }
        assertStorageError(try ArtifactFile.read(path, stage: "train-x", version: 2) { _ in 0 }, mentions: "model.h5") {
            if case .wrongVersion = $0 { true } else { false }
        }
        assertStorageError(try ArtifactFile.read(path, stage: "train-x", version: 1) { try $0.int("count") }, mentions: "count") {
            if case .attributeMissing = $0 { true } else { false }
        }
    }

    /// A body that throws leaves no file behind: nothing that looks complete.
    func testAFailedCreateLeavesNothing() throws {
        let path = try makeTemporaryDirectory() + "/model.h5"
        struct Stop: Error {}
        XCTAssertThrowsError(try ArtifactFile.create(path, header: ArtifactHeader(stage: "x", version: 1)) { _ in throw Stop() })
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    }
}
