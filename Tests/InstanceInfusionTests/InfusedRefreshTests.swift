import Core
import Foundation
@testable import InstanceInfusion
import Stages
import TestSupport
import Training
import XCTest

/// `train-infused --refresh-unit epochs|steps` end to end on the 36 training documents of the test corpus (exact
/// retrieval over the 60-row source index, so no forest rounding enters). That a step's refresh uses the
/// parameters after the previous step is checked by hand in `PrepareStepTests`; here, the stage:
/// - with one step per epoch (batch ≥ 36), re-retrieving the batch before step t from θ after step t − 1 is the
///   epoch refresh after epoch t − 1: the same model bits;
/// - with N = refresh_every larger than the run, only step 0 refreshes, from the initial θ: the initial retrieval
///   again, so the bits of an epoch run that never refreshes;
/// - with several steps per epoch, per-step refresh gives another model (the option is not ignored), the same on
///   1 and 2 threaded ranks' every rank, and the model header records the unit.
final class InfusedRefreshTests: XCTestCase {
    var root: URL!
    var target = "", model = ""

    override func setUpWithError() throws {
        root = try makeTemporaryDirectory("infused-refresh")
        (target, model, _) = try InfusionTestCorpus.baseline(path)
        try IndexStage(config: IndexConfig(embeddings: path("source-emb.h5"), output: path("index/index.h5"), trees: 2,
                                           maxDepth: 12, candidatesPerTree: 4))
            .run(communicator: SingleProcessCommunicator())
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    func path(_ name: String) -> String { root.appendingPathComponent(name).path }

    func train(_ unit: InfusionRefresh, every n: Int = 1, batchSize: Int, ranks: Int = 1,
               out: String? = nil) throws -> InfusedTrainingStage.Report {
        var c = InfusedTrainingStage.Configuration(
            modelPath: model, source: TextCorpusSource(kind: .csv, path: target), split: .fold(0, of: 4),
            indexes: [path("index/index.h5")],
            training: TrainingOptions(epochs: 3, batchSize: batchSize, learningRate: 0.1, optimizer: .sgd))
        (c.retrieval, c.refreshUnit, c.refreshEvery, c.outputPath) = (.exact, unit, n, out)
        let shared = c
        let reports = try ThreadedWorld.run(size: ranks) { comm in try InfusedTrainingStage(shared).run(communicator: comm) }
        XCTAssertEqual(Set(reports.map(\.parameterHash)).count, 1, "every rank holds the same model")
        XCTAssertEqual(reports[0].trainCount, 36)
        return reports[0]
    }

    func testOneStepPerEpochStepRefreshIsTheEpochRefresh() throws {
        let epochs = try train(.epochs, batchSize: 64)
        let steps = try train(.steps, batchSize: 64)
        XCTAssertEqual(steps.parameterHash, epochs.parameterHash)
        XCTAssertEqual(steps.history.map(\.meanLoss), epochs.history.map(\.meanLoss))
    }

    func testStepRefreshNeverDueIsTheInitialRetrieval() throws {
        // 36 / 8 → 5 steps per epoch, 15 in all: N = 100 refreshes at step 0 only; epochs with N = 100 never.
        XCTAssertEqual(try train(.steps, every: 100, batchSize: 8).parameterHash,
                       try train(.epochs, every: 100, batchSize: 8).parameterHash)
    }

    func testPerStepRefreshChangesTheModelAndIsRecorded() throws {
        let epochs = try train(.epochs, batchSize: 8)
        let steps = try train(.steps, batchSize: 8, out: path("steps.h5"))
        XCTAssertNotEqual(steps.parameterHash, epochs.parameterHash, "5 steps per epoch: ids refreshed within epochs")
        // N counts steps: every 2nd step is neither every step nor every epoch.
        let everyOther = try train(.steps, every: 2, batchSize: 8)
        XCTAssertNotEqual(everyOther.parameterHash, steps.parameterHash)
        XCTAssertNotEqual(everyOther.parameterHash, epochs.parameterHash)
        // 2 ranks: the collective refresh lines up (one rank's slice may be empty), every rank ends with one model
        // (checked in `train`), whose curve agrees with 1 rank's up to the gradient sums' association.
        let two = try train(.steps, batchSize: 8, ranks: 2)
        for (a, b) in zip(two.history, steps.history) { XCTAssertEqual(a.meanLoss, b.meanLoss, accuracy: 1e-4) }
        let file = try InfusedModelFile.read(path: path("steps.h5"))
        XCTAssertEqual(file.attributes["refresh_unit"], .string("steps"))
    }

    /// Both front doors read `refresh_unit` from the one declaration; epochs is the default.
    func testRefreshUnitDefaultsToEpochsAndIsRead() throws {
        let spec = StageSpec.trainInfused
        let parameter = try XCTUnwrap(spec.parameters.first { $0.key == "refresh_unit" })
        XCTAssertEqual(parameter.defaultValue, .string("epochs"))
        XCTAssertEqual(parameter.choices, ["epochs", "steps"])
        let source = TextCorpusSource(kind: .csv, path: "unused.csv")
        for (given, expected) in [(nil, InfusionRefresh.epochs), ("steps", .steps), ("epochs", .epochs)] {
            var values: [String: JSONValue] = ["fold": .string("1/4"), "refresh_every": .int(3)]
            if let given { values["refresh_unit"] = .string(given) }
            let c = try InfusedTrainingStage.Configuration(try spec.resolve(values, door: .commandLine), modelPath: "m.h5",
                                                           source: source, indexes: ["i.h5"], outputPath: nil)
            XCTAssertEqual(c.refreshUnit, expected)
            XCTAssertEqual(c.refreshEvery, 3)
        }
    }
}
