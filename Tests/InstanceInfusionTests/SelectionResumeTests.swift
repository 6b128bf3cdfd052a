import Core
import Foundation
import InstanceInfusion
import Stages
import Storage
import TestSupport
import Training
import XCTest

/// A selecting `train-text` run stopped in its final run and resumed does not train its finished trials again:
/// they are recorded in the checkpoint folder (`SelectionTrials`), the resumed run reuses the recorded curves and
/// ends with the uninterrupted run's choice and bits. Before, a resume reran every trial.
final class SelectionResumeTests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws { root = try makeTemporaryDirectory("selection-resume") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    func path(_ name: String) -> String { root.appendingPathComponent(name).path }

    func configuration(checkpoint: String?) throws -> TextTrainingStage.Configuration {
        let csv = path("corpus.csv")
        if !FileManager.default.fileExists(atPath: csv) { try SelectionTestCorpus.write(to: csv) }
        var c = TextTrainingStage.Configuration(source: TextCorpusSource(kind: .csv, path: csv), split: .predefined,
                                                training: TrainingOptions(epochs: 6, batchSize: 4, learningRate: 0.5,
                                                                          checkpointDirectory: checkpoint))
        (c.embeddingSize, c.hiddenSize, c.contextSize, c.minimumCount) = (8, 6, 5, 1)
        c.selection = Selection(holdout: ValidationHoldout(fraction: 0.25, seed: 3), learningRates: [0.001, 0.01, 0.1], patience: 2)
        if let checkpoint { try FileManager.default.createDirectory(atPath: checkpoint, withIntermediateDirectories: true) }
        return c
    }

    /// The record's key and curves, read as a reader of the file would.
    func record(_ folder: String) throws -> (key: [String: HDF5AttributeValue], curves: [[Double]]) {
        try ArtifactFile.read(folder + "/" + SelectionTrials.fileName, stage: SelectionTrials.stage, version: SelectionTrials.version) { a in
            (a.header.parameters, try a.file.children(of: "curve").sorted().map { try a.file.read("curve/\($0)", as: Double.self).values })
        }
    }

    func testAResumedSelectingRunReusesItsFinishedTrials() throws {
        let comm = SingleProcessCommunicator()
        var plain = try configuration(checkpoint: nil)
        plain.outputPath = path("plain.h5")
        let uninterrupted = try TextTrainingStage(plain).run(communicator: comm)
        let chosen = try XCTUnwrap(uninterrupted.selection)

        // Stopped 3 steps into the final run: every trial is recorded, with the curves it measured.
        let folder = path("checkpoint")
        var cut = try configuration(checkpoint: folder)
        cut.outputPath = path("resumed.h5")
        cut.training.stopAfterSteps = 3
        XCTAssertFalse(try TextTrainingStage(cut).run(communicator: comm).finished)
        let (key, curves) = try record(folder)
        XCTAssertEqual(curves, chosen.curves)
        XCTAssertEqual(key["learning_rates"], .doubles([0.001, 0.01, 0.1]))

        // Resumed: the same choice and the same bits as the uninterrupted run.
        var resumed = cut
        (resumed.training.stopAfterSteps, resumed.resume) = (nil, true)
        let again = try TextTrainingStage(resumed).run(communicator: comm)
        XCTAssertEqual(again.selection, chosen)
        XCTAssertEqual(again.parameterHash, uninterrupted.parameterHash)
        XCTAssertEqual(try TextModelFile.read(path: resumed.outputPath!).parameters, try TextModelFile.read(path: plain.outputPath!).parameters)

        // The recorded curves are what a resumed run uses, not retrained ones: a record (same key) in which
        // candidate 2 is best at its first epoch makes a resumed run (stopped before its final checkpoint) choose
        // η = 0.1 and 1 epoch, curves as recorded.
        let planted: [[Double]] = [[0.1, 0.2], [0.3], [0.9, 0.5, 0.4]]
        try SelectionTrials(folder: folder, resume: false, communicator: comm)
            .save(key: key, curves: Dictionary(uniqueKeysWithValues: planted.enumerated().map { ($0, $1) }))
        try FileManager.default.removeItem(atPath: folder + "/" + DataParallelTrainer.checkpointFileName)
        let planted0 = try XCTUnwrap(try TextTrainingStage(resumed).run(communicator: comm).selection)
        XCTAssertEqual(planted0.curves, planted)
        XCTAssertEqual([planted0.chosen, planted0.epochs], [2, 1])
        XCTAssertEqual(planted0.learningRate, 0.1)

        // A record of other settings (here: other epochs) is not used: the trials run again.
        var other = key
        other["epochs"] = .int(99)
        try SelectionTrials(folder: folder, resume: false, communicator: comm)
            .save(key: other, curves: Dictionary(uniqueKeysWithValues: planted.enumerated().map { ($0, $1) }))
        try FileManager.default.removeItem(atPath: folder + "/" + DataParallelTrainer.checkpointFileName)
        XCTAssertEqual(try TextTrainingStage(resumed).run(communicator: comm).selection, chosen)
    }
}
