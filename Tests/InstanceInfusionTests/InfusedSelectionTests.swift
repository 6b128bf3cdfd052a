import Core
import Foundation
import InstanceInfusion
import Stages
import Storage
import TestSupport
import Training
import XCTest

/// `train-infused --select-on validation`: the same mechanism as `train-text` (`Selection`), on the infused model:
/// the choice and the model do not move when the test labels are poisoned, the validation documents are training
/// documents recorded in infused.h5, and 1 and 2 ranks choose alike with the same bits.
final class InfusedSelectionTests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws { root = try makeTemporaryDirectory("infused-selection") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    func path(_ name: String) -> String { root.appendingPathComponent(name).path }

    /// The baseline (no selection) on the clean corpus, the source embedded with it and indexed (1 rank).
    func prepare() throws {
        try SelectionTestCorpus.write(to: path("clean.csv"))
        try SelectionTestCorpus.write(to: path("poisoned.csv"), poison: true)
        try InfusionTestCorpus.write(to: path("source.csv"), documents: 60, seed: 2)
        var baseline = TextTrainingStage.Configuration(source: TextCorpusSource(kind: .csv, path: path("clean.csv")),
                                                       split: .predefined,
                                                       training: TrainingOptions(epochs: 3, batchSize: 4, learningRate: 0.05))
        (baseline.embeddingSize, baseline.hiddenSize, baseline.contextSize, baseline.minimumCount) = (8, 6, 5, 1)
        baseline.outputPath = path("model.h5")
        _ = try TextTrainingStage(baseline).run(communicator: SingleProcessCommunicator())
        try TextEmbeddingStage(modelPath: path("model.h5"), source: TextCorpusSource(kind: .csv, path: path("source.csv")),
                               outputPath: path("source-emb.h5")).run(communicator: SingleProcessCommunicator())
        try IndexStage(config: IndexConfig(embeddings: path("source-emb.h5"), output: path("index/index.h5"), trees: 8,
                                           maxDepth: 12, candidatesPerTree: 8)).run(communicator: SingleProcessCommunicator())
    }

    /// Batch size 1 (see `TextSelectionTests.configuration`) and exact retrieval, so 1 and 2 ranks can agree bit for bit.
    func infused(_ corpus: String, out: String) -> InfusedTrainingStage.Configuration {
        var c = InfusedTrainingStage.Configuration(
            modelPath: path("model.h5"), source: TextCorpusSource(kind: .csv, path: path(corpus)), split: .predefined,
            indexes: [path("index/index.h5")], training: TrainingOptions(epochs: 4, batchSize: 1, learningRate: 0.5))
        c.retrieval = .exact
        c.selection = Selection(holdout: ValidationHoldout(fraction: 0.25, seed: 5), learningRates: [0.001, 0.05], patience: 1)
        c.outputPath = path(out)
        return c
    }

    func testInfusedSelectionIgnoresTestLabelsRecordsItsChoiceAndMatchesAcrossRanks() throws {
        try prepare()
        let clean = try InfusedTrainingStage(infused("clean.csv", out: "clean.h5")).run(communicator: SingleProcessCommunicator())
        let poisoned = try InfusedTrainingStage(infused("poisoned.csv", out: "poisoned.h5")).run(communicator: SingleProcessCommunicator())
        let outcome = try XCTUnwrap(clean.selection)
        XCTAssertEqual(poisoned.selection, outcome, "poisoned test labels changed the selection")
        XCTAssertEqual(poisoned.parameterHash, clean.parameterHash, "poisoned test labels changed the model")
        XCTAssertNotEqual(poisoned.test?.accuracy, clean.test?.accuracy, "the poison must reach the test figures")
        XCTAssertEqual(outcome.learningRates, [0.001, 0.05])
        for (curve, best) in zip(outcome.curves, outcome.bestEpochs) {
            XCTAssertEqual(best, Selection.argmax(curve) + 1)
            XCTAssertTrue(curve.count == 4 || curve.count == best + 1, "stopped only by the patience rule: \(curve)")
        }
        XCTAssertEqual(clean.history.count, outcome.epochs)

        let file = try InfusedModelFile.read(path: path("clean.h5"))
        let split = try XCTUnwrap(file.split)
        XCTAssertEqual(file.validationIDs.count, 9)
        XCTAssertTrue(Set(file.validationIDs).isSubset(of: split.train))
        XCTAssertTrue(Set(file.validationIDs).isDisjoint(with: split.test))
        XCTAssertEqual(file.attributes["selection.scores"], .doubles(outcome.scores))
        XCTAssertEqual(file.attributes["train.learning_rate"], .double(outcome.learningRate))
        XCTAssertEqual(file.attributes["epochs"], .int(outcome.epochs))

        let twoRanks = infused("clean.csv", out: "two.h5")
        let ranks = try ThreadedWorld.run(size: 2) { comm in
            let report = try InfusedTrainingStage(twoRanks).run(communicator: comm)
            return (report.parameterHash, report.selection)
        }
        for (hash, selection) in ranks {
            XCTAssertEqual(selection, outcome)
            XCTAssertEqual(hash, clean.parameterHash)
        }
    }
}
