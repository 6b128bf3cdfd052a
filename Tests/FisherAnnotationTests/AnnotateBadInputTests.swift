import Classifiers
import Core
import FisherAnnotation
import Foundation
import LinearAlgebra
import Stages
import Storage
import TestSupport
import XCTest

/// Bad input to `annotate` gives errors that name the file and the fix (or a documented skip).
final class AnnotateBadInputTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws { folder = try makeTemporaryDirectory("annotate-bad") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    func testUnknownConceptNamesTheAnnotationsAndTheFlag() throws {
        let (fv, csv) = try AnnotateFixture.write(folder)
        var config = AnnotateFixture.trainConfig(folder, fv: fv, csv: csv)
        config.concepts = ["cat", "unicorn"]
        let text = FisherFixture.message { try AnnotateTrainStage(config: config).run(communicator: SingleProcessCommunicator()) }
        XCTAssertTrue(text.contains("concept 'unicorn' is not in") && text.contains("images.csv") && text.contains("--concepts"), text)
        XCTAssertFalse(FileManager.default.fileExists(atPath: config.output))
    }

    func testConceptWithoutPositiveTrainingImageIsSkippedAndListed() throws {
        let (fv, csv) = try AnnotateFixture.write(folder)
        var table = try AnnotationTable.read(csv)
        for i in table.items.indices where table.items[i].split == "train" { table.items[i].concepts.removeAll { $0 == "dog" } }
        try table.write(to: csv)
        var config = AnnotateFixture.trainConfig(folder, fv: fv, csv: csv)
        config.runs = [.svmEarlyVisual]
        var lines: [String] = []
        try AnnotateTrainStage(config: config).run(communicator: SingleProcessCommunicator()) { lines.append($0) }
        let models = try AnnotateModels.read(config.output)
        XCTAssertEqual(models.concepts, ["cat", "sun"])
        XCTAssertEqual(models.skippedConcepts, ["dog"])
        XCTAssertTrue(lines.contains { $0.contains("skipped 1 concept(s) without a positive training image: dog") }, "\(lines)")
    }

    func testNaNFeaturesNameTheFileDatasetAndRow() throws {
        let (fv, csv) = try AnnotateFixture.write(folder, poison: true)
        let text = FisherFixture.message { _ = try AnnotationData.load(fisherVectors: fv, annotations: csv) }
        XCTAssertTrue(text.contains("fv.h5: fv/orh/2x2 row 3 contains NaN") && text.contains("tributary encode"), text)
    }

    func testWrongArtifactStagesNameTheStageToRerun() throws {
        let (fv, csv) = try AnnotateFixture.write(folder, stage: "fit-pca")
        let text = FisherFixture.message { _ = try AnnotationData.load(fisherVectors: fv, annotations: csv) }
        XCTAssertTrue(text.contains("fv.h5") && text.contains("tributary encode"), text)
        let models = FisherFixture.message { _ = try AnnotateModels.read(fv) }
        XCTAssertTrue(models.contains("fv.h5") && models.contains("tributary annotate train"), models)
        let scores = FisherFixture.message { _ = try AnnotationScores.read(self.folder.appendingPathComponent("none.h5").path) }
        XCTAssertTrue(scores.contains("none.h5 does not exist") && scores.contains("tributary annotate predict"), scores)
    }

    func testImageMissingFromTheAnnotationsNamesBothFiles() throws {
        let (fv, csv) = try AnnotateFixture.write(folder)
        var table = try AnnotationTable.read(csv)
        table.items.removeFirst()
        try table.write(to: csv)
        let text = FisherFixture.message { _ = try AnnotationData.load(fisherVectors: fv, annotations: csv) }
        XCTAssertTrue(text.contains("has image 'img/00.png'") && text.contains("images.csv has no row"), text)
    }

    func testMalformedManifestRowsNameTheLine() throws {
        let csv = folder.appendingPathComponent("images.csv")
        try "path,labels,split,concepts,tags\na.png,x,train,x,\nb.png,x,validation,x,\n".write(to: csv, atomically: true, encoding: .utf8)
        let text = FisherFixture.message { _ = try AnnotationTable.read(csv.path) }
        XCTAssertTrue(text.contains("images.csv") && text.contains("3") && text.contains("train or test"), text)
    }
}
