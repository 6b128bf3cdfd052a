import Core
import FisherAnnotation
import Foundation
import LinearAlgebra
import Stages
import Storage
import TestSupport
import XCTest

/// Bad input gives errors that name the file (or image) and the fix.
final class FisherBadInputTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws { folder = try makeTemporaryDirectory("fisher-bad") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    private func corruptFolder() throws -> URL {
        let root = folder.appendingPathComponent("images")
        let classFolder = root.appendingPathComponent("tulip")
        try FileManager.default.createDirectory(at: classFolder, withIntermediateDirectories: true)
        try Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3]).write(to: classFolder.appendingPathComponent("bad.png"))
        return root
    }

    func testCorruptImageFailsNamingTheImageAndThePolicy() throws {
        let source = ImageSource.folder(root: try corruptFolder().path, labelsCSV: nil, split: nil)
        let config = ExtractConfig(source: source, output: folder.appendingPathComponent("out/descriptors.h5").path)
        let text = FisherFixture.message { try ExtractStage(config: config).run(communicator: SingleProcessCommunicator()) }
        XCTAssertTrue(text.contains("tulip/bad.png") && text.contains("--on-bad-image skip"), text)
        XCTAssertFalse(FileManager.default.fileExists(atPath: config.output), "no master after a failure")
    }

    func testCorruptImageIsKeptWithoutDescriptorsUnderSkip() throws {
        let source = ImageSource.folder(root: try corruptFolder().path, labelsCSV: nil, split: nil)
        let config = ExtractConfig(source: source, output: folder.appendingPathComponent("descriptors.h5").path,
                                   badImages: .skip)
        try ExtractStage(config: config).run(communicator: SingleProcessCommunicator())
        XCTAssertEqual(try FisherFixture.ints(config.output, "descriptor_counts"), [0])
    }

    func testMissingCSVImageNamesTheLine() throws {
        let csv = folder.appendingPathComponent("labels.csv")
        try "path,labels\nnot-there.jpg,rose\n".write(to: csv, atomically: true, encoding: .utf8)
        let text = FisherFixture.message {
            _ = try ImageSource.folder(root: folder.path, labelsCSV: csv.path, split: nil).open()
        }
        XCTAssertTrue(text.contains("labels.csv:2: image") && text.contains("not-there.jpg not found"), text)
    }

    func testMoreRanksThanImages() throws {
        let config = ExtractConfig(source: .synthetic(count: 3, width: 32, height: 32, seed: 1),
                                   output: folder.appendingPathComponent("d.h5").path)
        let results = try ThreadedWorld.run(size: 5) { comm in
            (FisherFixture.message { try ExtractStage(config: config).run(communicator: comm) }, comm.collectiveCalls)
        }
        for (text, calls) in results {
            XCTAssertTrue(text.contains("5 ranks for 3 images") && text.contains("mpirun -np 3"), text)
            XCTAssertEqual(calls, [:], "the check must fail before any collective")
        }
    }

    func testMissingDescriptorsNameTheStageToRun() {
        let config = PCAConfig(descriptors: folder.appendingPathComponent("none.h5").path,
                               output: folder.appendingPathComponent("pca.h5").path)
        let text = FisherFixture.message { try FitPCAStage(config: config).run(communicator: SingleProcessCommunicator()) }
        XCTAssertTrue(text.contains("none.h5 does not exist") && text.contains("tributary extract"), text)
    }

    func testWrongStageAndVersionNameTheStageToRerun() throws {
        let wrongStage = folder.appendingPathComponent("pca-as-descriptors.h5").path
        try HDF5File.createAtomic(path: wrongStage) { try ArtifactHeader(stage: "fit-pca", version: 1).write(to: $0) }
        let stageText = FisherFixture.message { _ = try DescriptorsFile.open(wrongStage) }
        XCTAssertTrue(stageText.contains("pca-as-descriptors.h5") && stageText.contains("re-run `tributary extract`"), stageText)

        let oldVersion = folder.appendingPathComponent("old-gmm.h5").path
        try HDF5File.createAtomic(path: oldVersion) { try ArtifactHeader(stage: "fit-gmm", version: 99).write(to: $0) }
        let versionText = FisherFixture.message { _ = try ModelFiles.readGMM(oldVersion, pca: [:]) }
        XCTAssertTrue(versionText.contains("old-gmm.h5 has version 99") && versionText.contains("re-run `tributary fit-gmm`"),
                      versionText)
    }

    func testTooManyComponentsForTheSample() throws {
        var pipeline = FisherFixture.pipeline(folder)
        pipeline.gmm.components = 10_000
        try ExtractStage(config: pipeline.extract).run(communicator: SingleProcessCommunicator())
        try FitPCAStage(config: pipeline.pca).run(communicator: SingleProcessCommunicator())
        let text = FisherFixture.message { try FitGMMStage(config: pipeline.gmm).run(communicator: SingleProcessCommunicator()) }
        XCTAssertTrue(text.contains("--components = 10000") && text.contains("260 extracted"), text)
    }
}
