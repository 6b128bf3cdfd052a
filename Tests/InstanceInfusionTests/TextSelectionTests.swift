import Core
import Foundation
import InstanceInfusion
import Stages
import Storage
import TestSupport
import Training
import XCTest

/// The corpus of the selection tests: 45 documents of 3 classes with a predefined split (the last 9 are `test`, so
/// the split cannot depend on the test labels); `poison` gives every test document the wrong class.
enum SelectionTestCorpus {
    static func write(to path: String, poison: Bool = false) throws {
        let topics = [["stock", "market", "shares", "bank", "profit", "trade"], ["goal", "match", "team", "cup", "coach", "league"],
                      ["vote", "party", "minister", "poll", "election", "law"]]
        var rng = SeededRandom(seed: 11)
        var lines = ["text,label,subset"]
        for i in 0 ..< 45 {
            let c = i % 3, isTest = i >= 36
            let words = (0 ..< 2).flatMap { _ in [topics[c][rng.bounded(6)], "w\(rng.bounded(20))"] }
            let label = poison && isTest ? (c + 1) % 3 : c
            lines.append(words.joined(separator: " ") + ",class\(label)," + (isTest ? "test" : "train"))
        }
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }
}

/// `train-text --select-on validation`: the learning rate and epochs are chosen on documents held out of the
/// training documents, never by the test documents, recorded in model.h5, and the same on 1 and 2 ranks.
final class TextSelectionTests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws { root = try makeTemporaryDirectory("text-selection") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    func writeCorpus(_ name: String, poison: Bool = false) throws -> String {
        let path = root.appendingPathComponent(name).path
        try SelectionTestCorpus.write(to: path, poison: poison)
        return path
    }

    /// Batch size 1 (fast on this corpus); 1 and 2 ranks give the same bits at any batch size (the trainer's
    /// ordered batch sums, `TextRankIdentityTests`).
    func configuration(_ csv: String, out: String) -> TextTrainingStage.Configuration {
        var c = TextTrainingStage.Configuration(source: TextCorpusSource(kind: .csv, path: csv), split: .predefined,
                                                training: TrainingOptions(epochs: 8, batchSize: 1, learningRate: 0.5))
        (c.embeddingSize, c.hiddenSize, c.contextSize, c.minimumCount) = (8, 6, 5, 1)
        c.selection = Selection(holdout: ValidationHoldout(fraction: 0.25, seed: 3), learningRates: [0.001, 0.01, 0.1], patience: 2)
        c.outputPath = root.appendingPathComponent(out).path
        return c
    }

    func testSelectionNeverReadsTestLabelsAndRecordsItsChoice() throws {
        let clean = configuration(try writeCorpus("clean.csv"), out: "clean.h5")
        let poisoned = configuration(try writeCorpus("poisoned.csv", poison: true), out: "poisoned.h5")
        let a = try TextTrainingStage(clean).run(communicator: SingleProcessCommunicator())
        let b = try TextTrainingStage(poisoned).run(communicator: SingleProcessCommunicator())
        let outcome = try XCTUnwrap(a.selection)
        XCTAssertEqual(b.selection, outcome, "poisoned test labels changed the selection")
        XCTAssertEqual(a.parameterHash, b.parameterHash, "poisoned test labels changed the model")
        XCTAssertNotEqual(a.test?.accuracy, b.test?.accuracy, "the poison must reach the test figures, or it proves nothing")

        // The rule on the recorded curves: each candidate's best epoch is its first maximum; with patience 2 a trial
        // ran at most 2 epochs past it; the final run trained the chosen epochs with the chosen learning rate.
        for (curve, best) in zip(outcome.curves, outcome.bestEpochs) {
            XCTAssertEqual(best, Selection.argmax(curve) + 1)
            XCTAssertLessThanOrEqual(curve.count, min(8, best + 2))
            XCTAssertTrue(curve.count == 8 || curve.count == best + 2, "stopped early only by the patience rule: \(curve)")
        }
        XCTAssertTrue(outcome.curves.contains { $0.count < 8 }, "no trial stopped early: the fixture does not exercise patience")
        XCTAssertGreaterThan(outcome.epochs, 1, "the fixture's best epoch should not be the first")
        XCTAssertEqual(outcome.chosen, Selection.argmax(outcome.scores))
        XCTAssertEqual(a.history.count, outcome.epochs)
        XCTAssertEqual(a.history.first?.learningRate, outcome.learningRate)

        let model = try TextModelFile.read(path: clean.outputPath!)
        let split = try XCTUnwrap(model.split)
        XCTAssertEqual(split.train.count, 36)
        XCTAssertEqual(model.validationIDs.count, 9, "round(12 · 0.25) = 3 per class")
        XCTAssertTrue(Set(model.validationIDs).isSubset(of: split.train), "validation documents are training documents")
        XCTAssertTrue(Set(model.validationIDs).isDisjoint(with: split.test), "validation documents are never test documents")
        XCTAssertEqual(model.attributes["select_on"], .string("validation"))
        XCTAssertEqual(model.attributes["selection.learning_rates"], .doubles([0.001, 0.01, 0.1]))
        XCTAssertEqual(model.attributes["selection.best_epochs"], .ints(outcome.bestEpochs))
        XCTAssertEqual(model.attributes["train.learning_rate"], .double(outcome.learningRate))
        XCTAssertEqual(model.attributes["epochs"], .int(outcome.epochs))
        XCTAssertEqual(try TextModelFile.read(path: poisoned.outputPath!).validationIDs,
                       model.validationIDs.map { $0.replacingOccurrences(of: "clean.csv", with: "poisoned.csv") })
    }

    /// A selecting run interrupted in its final training and resumed (the selection reruns and chooses the same,
    /// so the checkpoint's learning rate matches) writes the model of an uninterrupted run.
    func testAnInterruptedSelectingRunResumesToTheSameModel() throws {
        let csv = try writeCorpus("corpus.csv")
        let whole = configuration(csv, out: "whole.h5")
        _ = try TextTrainingStage(whole).run(communicator: SingleProcessCommunicator())
        let folder = root.appendingPathComponent("checkpoint").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var cut = configuration(csv, out: "cut.h5")
        (cut.training.checkpointDirectory, cut.training.stopAfterSteps) = (folder, 50)  // 36 steps per epoch: inside epoch 2
        let stopped = try TextTrainingStage(cut).run(communicator: SingleProcessCommunicator())
        XCTAssertFalse(stopped.finished)
        XCTAssertFalse(FileManager.default.fileExists(atPath: cut.outputPath!), "an interrupted run wrote a model")
        (cut.training.stopAfterSteps, cut.resume) = (nil, true)
        _ = try TextTrainingStage(cut).run(communicator: SingleProcessCommunicator())
        let a = try TextModelFile.read(path: whole.outputPath!), b = try TextModelFile.read(path: cut.outputPath!)
        XCTAssertEqual(a.parameters, b.parameters)
        XCTAssertEqual(a.validationIDs, b.validationIDs)
        XCTAssertEqual(a.attributes["selection.scores"], b.attributes["selection.scores"])
    }

    func testOneAndTwoRanksChooseTheSameAndGiveTheSameBits() throws {
        let csv = try writeCorpus("corpus.csv")
        let one = configuration(csv, out: "one.h5"), two = configuration(csv, out: "two.h5")
        let single = try TextTrainingStage(one).run(communicator: SingleProcessCommunicator())
        let ranks = try ThreadedWorld.run(size: 2) { comm in
            let report = try TextTrainingStage(two).run(communicator: comm)
            return (report.parameterHash, report.selection)
        }
        for (hash, selection) in ranks {
            XCTAssertEqual(selection, single.selection)
            XCTAssertEqual(hash, single.parameterHash)
        }
        let a = try TextModelFile.read(path: one.outputPath!), b = try TextModelFile.read(path: two.outputPath!)
        XCTAssertEqual(a.parameters, b.parameters)
        XCTAssertEqual(a.validationIDs, b.validationIDs)
    }
}
