import Core
import Foundation
import InstanceInfusion
import LinearAlgebra
import Stages
import Storage
import TestSupport
import Training
import XCTest

/// `train-infused` end to end on a small CSV corpus (train-text → embed → index → train-infused): the infused
/// model starts as the baseline, learns, gives the same loss curve on 1 and 2 (threaded) ranks, and refuses bad
/// inputs with the documented errors.
final class InfusedTrainingTests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws { root = try makeTemporaryDirectory("infused-stage") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    func path(_ name: String) -> String { root.appendingPathComponent(name).path }

    /// A baseline model on the target, the source embedded with it and indexed on 1 and 2 ranks.
    func prepare() throws -> (target: String, model: String, one: String, two: String, baseline: ClassificationMetrics) {
        let (target, model, test) = try InfusionTestCorpus.baseline(path)
        let one = IndexConfig(embeddings: path("source-emb.h5"), output: path("one/index.h5"), trees: 8, maxDepth: 12,
                              candidatesPerTree: 8)
        var two = one
        two.output = path("two/index.h5")
        try IndexStage(config: one).run(communicator: SingleProcessCommunicator())
        let twoRanks = two
        _ = try ThreadedWorld.run(size: 2) { comm in try IndexStage(config: twoRanks).run(communicator: comm) }
        return (target, model, one.output, two.output, test)
    }

    func infused(_ target: String, _ model: String, _ index: String, epochs: Int = 4) -> InfusedTrainingStage.Configuration {
        var c = InfusedTrainingStage.Configuration(
            modelPath: model, source: TextCorpusSource(kind: .csv, path: target), split: .fold(0, of: 4),
            indexes: [index], training: TrainingOptions(epochs: epochs, batchSize: 8, learningRate: 0.02))
        c.outputPath = path("infused.h5")
        return c
    }

    /// `base` checkpointing every 2 steps into `checkpoint` (created here), stopped after `stopAfter` steps (nil: to
    /// the end) or resumed, writing `output`.
    func resumable(_ base: InfusedTrainingStage.Configuration, checkpoint: String, output: String, stopAfter: Int?,
                   resume: Bool) throws -> InfusedTrainingStage.Configuration {
        var c = base
        c.training.checkpointDirectory = checkpoint
        c.training.checkpointEverySteps = 2
        c.training.stopAfterSteps = stopAfter
        c.resume = resume
        c.outputPath = output
        try FileManager.default.createDirectory(atPath: checkpoint, withIntermediateDirectories: true)
        return c
    }

    /// One run of the resume tests: `base` on `ranks` threaded ranks, checkpointing every 2 steps into the folder
    /// `<name>-<ranks>`, stopped after `stopAfter` steps (nil: to the end) or resumed, writing `<name>-<ranks>.h5`
    /// (returned: it exists only when the run finished).
    @discardableResult
    func runResumable(_ base: InfusedTrainingStage.Configuration, _ name: String, ranks: Int, stopAfter: Int?,
                      resume: Bool) throws -> String {
        let run = try resumable(base, checkpoint: path("\(name)-\(ranks)"), output: path("\(name)-\(ranks).h5"),
                                stopAfter: stopAfter, resume: resume)
        _ = try ThreadedWorld.run(size: ranks) { comm in try InfusedTrainingStage(run).run(communicator: comm) }
        return run.outputPath!
    }

    func testStartsAsBaselineLearnsAndTwoRanksGiveTheSameCurve() throws {
        let p = try prepare()
        let config = infused(p.target, p.model, p.one)
        let single = try InfusedTrainingStage(config).run(communicator: SingleProcessCommunicator())
        // Before training, W1's z_s rows are 0 and the c_t rows are the baseline's: identical predictions.
        XCTAssertEqual(single.initialTest, p.baseline)
        XCTAssertEqual(single.trainCount, 36)
        XCTAssertEqual(single.testCount, 12)
        XCTAssertEqual(single.history.count, 4)
        XCTAssertLessThan(single.history.last!.meanLoss, single.history.first!.meanLoss)
        let file = try InfusedModelFile.read(path: path("infused.h5"))
        XCTAssertEqual(file.sourceCount, 1)
        XCTAssertEqual(file.history["mean_loss"]?.count, 4)
        // The split it trained and tested on is stored, and is the train-text model's (same ids, same order).
        let modelSplit = try XCTUnwrap(try TextModelFile.read(path: path("model.h5")).split)
        let split = try XCTUnwrap(file.split)
        XCTAssertEqual(split.train, modelSplit.train)
        XCTAssertEqual(split.test, modelSplit.test)
        XCTAssertEqual([split.train.count, split.test.count], [36, 12])
        XCTAssertTrue(Set(split.train).isDisjoint(with: split.test))
        // The penalty part of the loss (λ = 1e-4 by default) is logged per epoch: positive and below the total.
        XCTAssertEqual(single.penaltyHistory.count, 4)
        XCTAssertEqual(file.history["mean_penalty"], single.penaltyHistory)
        for (penalty, epoch) in zip(single.penaltyHistory, single.history) {
            XCTAssertGreaterThan(penalty, 0)
            XCTAssertLessThan(penalty, epoch.meanLoss)
        }
        // P + W1 (2M, C) + b1 (C) with M = 5, C = 3.
        XCTAssertEqual(file.parameters.count, file.encoderParameterCount + 2 * 5 * 3 + 3)

        // 1 vs 2 ranks (the index built on 2): the ordered batch sums give the same bits, so the retrieval refresh
        // after epoch 2 picks the same neighbours and the curves stay equal after it (`TextRankIdentityTests` has
        // 1/2/3 ranks with Adam).
        var sgd = config
        sgd.training = TrainingOptions(epochs: 4, batchSize: 8, learningRate: 0.1, optimizer: .sgd)
        sgd.outputPath = nil
        sgd.refreshEvery = 2
        let reference = try InfusedTrainingStage(sgd).run(communicator: SingleProcessCommunicator())
        sgd.indexes = [p.two]
        let shared = sgd
        let reports = try ThreadedWorld.run(size: 2) { comm in try InfusedTrainingStage(shared).run(communicator: comm) }
        XCTAssertEqual(reports[0].parameterHash, reports[1].parameterHash, "both ranks hold the same model")
        XCTAssertEqual(reports[0].parameterHash, reference.parameterHash, "2 ranks vs 1: parameters")
        XCTAssertEqual(reports[0].history.map(\.meanLoss), reference.history.map(\.meanLoss), "loss curve, 2 ranks vs 1")
        // The penalty's per-block sums are added per rank in Double and all-reduced: equal up to Double rounding.
        assertClose(reports[0].penaltyHistory, reference.penaltyHistory, rtol: 1e-12, atol: 1e-15,
                    label: "penalty curve, 2 ranks vs 1")
        XCTAssertEqual(reports[0].penaltyHistory, reports[1].penaltyHistory)

        // λ = 0: no penalty in the loss.
        var free = sgd
        free.penaltyScale = 0
        free.indexes = [p.one]
        let unpenalised = try InfusedTrainingStage(free).run(communicator: SingleProcessCommunicator())
        XCTAssertEqual(unpenalised.penaltyHistory, [0, 0, 0, 0])
        XCTAssertLessThan(reference.history.last!.meanLoss, reference.history.first!.meanLoss)
        XCTAssertEqual(reports[0].initialTest, single.initialTest)
    }

    /// Sharded source vectors: each rank holds only its rows, and an index loads on any rank count (re-sharded).
    /// At a fixed rank count the trained bits do not depend on the rank count that built the index (same
    /// neighbours, bit-identical fetched rows): P → Q for 2 → 1, 1 → 2, 1 → 3 and 2 → 3.
    func testIndexBuiltOnAnyRankCountTrainsTheSameBits() throws {
        let p = try prepare()
        var config = infused(p.target, p.model, p.one, epochs: 2)
        config.training = TrainingOptions(epochs: 2, batchSize: 8, learningRate: 0.1, optimizer: .sgd)
        config.outputPath = nil
        func train(_ index: String, ranks: Int) throws -> InfusedTrainingStage.Report {
            var c = config
            c.indexes = [index]
            let shared = c
            let reports = try ThreadedWorld.run(size: ranks) { comm in try InfusedTrainingStage(shared).run(communicator: comm) }
            XCTAssertEqual(Set(reports.map(\.parameterHash)).count, 1, "every rank holds the same model")
            return reports[0]
        }
        for ranks in [1, 2, 3] {
            let fromOne = try train(p.one, ranks: ranks), fromTwo = try train(p.two, ranks: ranks)
            XCTAssertEqual(fromOne.parameterHash, fromTwo.parameterHash, "\(ranks) rank(s)")
            XCTAssertEqual(fromOne.history.map(\.meanLoss), fromTwo.history.map(\.meanLoss))
            XCTAssertEqual(fromOne.test, fromTwo.test)
            XCTAssertEqual(fromOne.initialTest, p.baseline)
        }
    }

    /// Source = target with self-exclusion, and two sources at once (per-source retrieval, W1 (3M, C)).
    func testSelfSourceAndSeveralSources() throws {
        let p = try prepare()
        try TextEmbeddingStage(modelPath: p.model, source: TextCorpusSource(kind: .csv, path: p.target),
                               outputPath: path("target-emb.h5")).run(communicator: SingleProcessCommunicator())
        let own = IndexConfig(embeddings: path("target-emb.h5"), output: path("own/index.h5"), trees: 8, maxDepth: 12,
                              candidatesPerTree: 8)
        try IndexStage(config: own).run(communicator: SingleProcessCommunicator())
        var config = infused(p.target, p.model, own.output, epochs: 2)
        config.excludeSelf = true
        let report = try InfusedTrainingStage(config).run(communicator: SingleProcessCommunicator())
        XCTAssertEqual(report.initialTest, p.baseline)
        // Exclusion on a foreign source (60 rows for 48 documents) is refused.
        config.indexes = [p.one]
        XCTAssertEqual(errorText { _ = try InfusedTrainingStage(config).run(communicator: SingleProcessCommunicator()) },
                       "\(InfusedTrainingError.notTheTargetCorpus(index: p.one, indexed: 60, documents: 48))")
        config.excludeSelf = false
        config.indexes = [p.one, own.output]
        _ = try InfusedTrainingStage(config).run(communicator: SingleProcessCommunicator())
        let file = try InfusedModelFile.read(path: path("infused.h5"))
        XCTAssertEqual(file.parameters.count, file.encoderParameterCount + 3 * 5 * 3 + 3)
    }

    func testBadInputsGiveClearErrors() throws {
        let p = try prepare()
        // An embeddings file of the wrong width (3 ≠ M = 5), indexed.
        try HDF5File.createAtomic(path: path("wide.h5")) { file in
            try ArtifactHeader(stage: "embed", version: 1, parameters: ["context_size": .int(3)]).write(to: file)
            try file.write((0 ..< 60).map { Float($0 % 7) - 3 }, shape: [20, 3], to: "embeddings")
        }
        let wrong = IndexConfig(embeddings: path("wide.h5"), output: path("wide/index.h5"), trees: 4, maxDepth: 8)
        try IndexStage(config: wrong).run(communicator: SingleProcessCommunicator())
        let single = SingleProcessCommunicator()
        XCTAssertEqual(errorText { _ = try InfusedTrainingStage(self.infused(p.target, p.model, wrong.output)).run(communicator: single) },
                       "\(InfusedTrainingError.dimensionMismatch(index: wrong.output, dimension: 3, model: p.model, contextSize: 5))")
        let missing = path("nowhere/index.h5")
        XCTAssertEqual(errorText { _ = try InfusedTrainingStage(self.infused(p.target, p.model, missing)).run(communicator: single) },
                       "\(PipelineError.missingInput(path: missing, producer: "`tributary index`"))")
        // Another split than the model's (its test documents trained the baseline).
        var other = infused(p.target, p.model, p.one)
        other.split = .fold(1, of: 4)
        XCTAssertTrue(errorText { _ = try InfusedTrainingStage(other).run(communicator: single) }.contains("pass the same --fold"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("infused.h5")), "no output after an error")
    }

    /// Both doors build the configuration from `StageSpec.trainInfused`: Table 3's learning rate (0.01) and the
    /// corpus's epochs and batch size, k = 5, λ = 1e-4, and train-text's split parser.
    func testConfigurationDefaultsAreTable3s() throws {
        let p = try StageSpec.trainInfused.resolve([:], door: .commandLine)
        let bbcsport = try InfusedTrainingStage.Configuration(p, modelPath: "m.h5", source: TextCorpusSource(kind: .bbcsport),
                                                              indexes: ["i.h5"], outputPath: "o.h5")
        XCTAssertEqual(bbcsport.training.learningRate, 0.01)
        XCTAssertEqual([bbcsport.training.epochs, bbcsport.training.batchSize], [20, 16])
        XCTAssertEqual(bbcsport.training.optimizer, .adam)
        XCTAssertNil(bbcsport.training.clipNorm)
        XCTAssertEqual(bbcsport.neighbours, 5)
        XCTAssertEqual(bbcsport.penaltyScale, 1e-4)
        XCTAssertFalse(bbcsport.excludeSelf)
        XCTAssertEqual("\(bbcsport.split)", "\(TextTrainingStage.Split.testFraction(0.1))")
        let given = try StageSpec.trainInfused.resolve(["fold": .string("2/5"), "epochs": .int(3), "clip_norm": .double(5)],
                                                       door: .config(file: "cfg.json", prefix: "stages[3].params."))
        let folded = try InfusedTrainingStage.Configuration(given, modelPath: "m.h5", source: TextCorpusSource(kind: .bbc),
                                                            indexes: ["i.h5"], outputPath: nil)
        XCTAssertEqual("\(folded.split)", "\(TextTrainingStage.Split.fold(1, of: 5))")
        XCTAssertEqual([folded.training.epochs, folded.training.batchSize], [3, 32])
        XCTAssertEqual(folded.training.clipNorm, 5)
    }
}

