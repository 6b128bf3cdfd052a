import Core
import Foundation
import LabelGraphJoining
import Stages
import Storage
import TestSupport
import Training
import XCTest

/// `train-paths --select-on validation` (`PathTrainingStage+Selection`): the shared mechanism on the joined samples.
/// The fine rows 45 ..< 60 of `PathFixture` play the test rows (outside the training spec's rows, as the runner's
/// test rows are): poisoning their labels changes nothing; the validation samples are fine training samples,
/// recorded in model.h5; each trial stops by the patience rule; 1 and 2 ranks choose alike.
final class PathSelectionTests: XCTestCase {
    var fixture: PathFixture!

    override func setUpWithError() throws { fixture = try PathFixture() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: fixture.directory) }

    /// `row,label` for the fine rows 0 ..< 60; `poison` gives rows 45 ..< 60 another fine label.
    func writeFineLabels(_ name: String, poison: Bool) throws -> String {
        let path = fixture.directory.appendingPathComponent(name).path
        let lines = (0 ..< 60).map { row in
            let c = fixture.classes[row]
            return "\(row),\(PathFixture.fine[poison && row >= 45 ? (c + 1) % 4 : c])\n"
        }
        try ("row,label\n" + lines.joined()).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func configuration(_ method: PathMethod, labels: String, out: String) -> PathTrainingStage.Configuration {
        var c = fixture.configuration(method, epochs: 6, batchSize: 10)
        c.specs = [PathDataSpec(dataset: "fine", features: fixture.features, labels: labels, rows: 0 ..< 45), fixture.specs[1]]
        c.selection = Selection(holdout: ValidationHoldout(fraction: 0.25, seed: 2), learningRates: [0.0001, 0.01], patience: 2)
        c.outputPath = fixture.directory.appendingPathComponent(out).path
        return c
    }

    func testSelectionIgnoresRowsOutsideTrainingAndRecordsItsChoice() throws {
        for method in [PathMethod.ffn, .labelAug] {
            let clean = configuration(method, labels: try writeFineLabels("clean.csv", poison: false), out: "clean.h5")
            let poisoned = configuration(method, labels: try writeFineLabels("poisoned.csv", poison: true), out: "poisoned.h5")
            let a = try PathTrainingStage(clean).run(communicator: SingleProcessCommunicator())
            let b = try PathTrainingStage(poisoned).run(communicator: SingleProcessCommunicator())
            let outcome = try XCTUnwrap(a.selection)
            XCTAssertEqual(b.selection, outcome, "\(method): labels outside the training rows changed the selection")
            XCTAssertEqual(b.parameterHash, a.parameterHash, "\(method): labels outside the training rows changed the model")
            for (curve, best) in zip(outcome.curves, outcome.bestEpochs) {
                XCTAssertEqual(best, Selection.argmax(curve) + 1)
                XCTAssertTrue(curve.count == 6 || curve.count == best + 2, "\(method): stopped only by the patience rule: \(curve)")
            }
            XCTAssertEqual(a.history.count, outcome.epochs, "\(method): the final run trains the chosen epochs")
            XCTAssertGreaterThan(outcome.scores.max()!, 0.5, "\(method): the fixture's classes are separable")

            let model = try PathModelFile.read(clean.outputPath!)
            let validation = try XCTUnwrap(model.split["validation"])
            let fineTrain = try XCTUnwrap(model.split["train.fine"])
            XCTAssertEqual(fineTrain.count, 45)
            XCTAssertGreaterThan(validation.count, 8)
            XCTAssertTrue(Set(validation).isSubset(of: fineTrain), "\(method): validation samples are fine training samples")
            XCTAssertEqual(model.attributes["selection.scores"], .doubles(outcome.scores))
            XCTAssertEqual(model.attributes["train.learning_rate"], .double(outcome.learningRate))
            XCTAssertEqual(model.attributes["train.epochs"], .int(outcome.epochs))
        }
    }

    func testOneAndTwoRanksChooseAlike() throws {
        let config = configuration(.ffn, labels: try writeFineLabels("fine-labels.csv", poison: false), out: "one.h5")
        let one = try PathTrainingStage(config).run(communicator: SingleProcessCommunicator())
        var twoConfig = config
        twoConfig.outputPath = fixture.directory.appendingPathComponent("two.h5").path
        let frozen = twoConfig
        let two = try ThreadedWorld.run(size: 2) { comm in try PathTrainingStage(frozen).run(communicator: comm).selection }
        XCTAssertEqual(two[0], two[1])
        XCTAssertEqual(two[0]?.learningRate, one.selection?.learningRate)
        XCTAssertEqual(two[0]?.epochs, one.selection?.epochs)
        XCTAssertEqual(try PathModelFile.read(twoConfig.outputPath!).split["validation"],
                       try PathModelFile.read(config.outputPath!).split["validation"])
    }
}
