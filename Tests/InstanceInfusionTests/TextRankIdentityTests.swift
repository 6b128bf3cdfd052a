import Core
import Foundation
import InstanceInfusion
import Stages
import Storage
import TestSupport
import Training
import XCTest

/// `train-text` and `train-infused` give the same bits on 1, 2 and 3 ranks at a batch size above 1: both trainers
/// sum each step's gradient over fixed blocks of `DataParallelTrainer.standardOrderedBlockSize` documents in block
/// order (`DataParallelTrainer+Ordered`). Before, each rank all-reduced its own partial sum, so the saved
/// parameters agreed only to float rounding (and with Adam's g/√v, to ~1e-4).
///
/// 36 training documents in batches of 16: steps of 16, 16 and 4 documents = blocks 8 + 8, 8 + 8, 4, so at 3
/// ranks one rank has no block in every step, and at 2 ranks the last step has one.
final class TextRankIdentityTests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws { root = try makeTemporaryDirectory("text-rank-identity") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    func path(_ name: String) -> String { root.appendingPathComponent(name).path }

    /// What a rank's run reports (Sendable, out of `ThreadedWorld.run`).
    struct Outcome: Sendable {
        var hash: UInt64
        var losses: [UInt64]
        var trainCount: Int
    }

    /// The bits a run leaves: the saved parameters and the loss curve.
    struct Bits: Equatable {
        var parameters: [UInt32]
        var losses: [UInt64]
    }

    /// Runs `stage` (one output file per rank count) on 1, 2 and 3 threaded ranks and returns each rank count's
    /// bits, after checking that every rank reports the same model, 36 training documents, and a saved
    /// `ordered_block` attribute; `read` opens the saved file as (root attributes, parameters).
    func bitsOnOneTwoThreeRanks(
        output: String,
        stage: @escaping @Sendable (String, any Communicator) throws -> Outcome,
        read: (String) throws -> (attributes: [String: HDF5AttributeValue], parameters: [Float])
    ) throws -> [Bits] {
        var runs: [Bits] = []
        for size in [1, 2, 3] {
            let file = path("\(output)-\(size).h5")
            let reports = try ThreadedWorld.run(size: size) { comm in try stage(file, comm) }
            XCTAssertEqual(reports[0].trainCount, 36)
            XCTAssertEqual(Set(reports.map(\.hash)).count, 1, "every rank of \(size) holds the same model")
            let saved = try read(file)
            XCTAssertEqual(saved.attributes["ordered_block"], .int(DataParallelTrainer.standardOrderedBlockSize))
            runs.append(Bits(parameters: saved.parameters.map(\.bitPattern), losses: reports[0].losses))
        }
        XCTAssertNotEqual(runs[0].parameters, [], "a model was saved")
        return runs
    }

    func testTrainTextSameBitsOnOneTwoThreeRanksAtBatch16() throws {
        try InfusionTestCorpus.write(to: path("target.csv"), documents: 48, seed: 1)
        var configuration = TextTrainingStage.Configuration(
            source: TextCorpusSource(kind: .csv, path: path("target.csv")), split: .fold(0, of: 4),
            training: TrainingOptions(epochs: 3, batchSize: 16, learningRate: 0.02))
        configuration.embeddingSize = 8
        configuration.hiddenSize = 6
        configuration.contextSize = 5
        configuration.minimumCount = 1
        let runs = try bitsOnOneTwoThreeRanks(output: "model", stage: { [configuration] file, comm in
            var run = configuration
            run.outputPath = file
            let report = try TextTrainingStage(run).run(communicator: comm)
            return Outcome(hash: report.parameterHash, losses: report.history.map(\.meanLoss.bitPattern), trainCount: report.trainCount)
        }, read: { file in
            let saved = try TextModelFile.read(path: file)
            return (saved.attributes, saved.parameters)
        })
        XCTAssertEqual(runs[1], runs[0], "train-text: 2 ranks vs 1, saved parameters and loss curve")
        XCTAssertEqual(runs[2], runs[0], "train-text: 3 ranks vs 1, saved parameters and loss curve")
    }

    func testTrainInfusedSameBitsOnOneTwoThreeRanksAtBatch16() throws {
        let (target, model, _) = try InfusionTestCorpus.baseline(path)
        let index = IndexConfig(embeddings: path("source-emb.h5"), output: path("index/index.h5"), trees: 8, maxDepth: 12,
                                candidatesPerTree: 8)
        try IndexStage(config: index).run(communicator: SingleProcessCommunicator())
        // Adam, retrieval refreshed after every epoch: the refreshed ids come from each run's own encoder, so they
        // match only when the parameters match bit for bit.
        var configuration = InfusedTrainingStage.Configuration(
            modelPath: model, source: TextCorpusSource(kind: .csv, path: target), split: .fold(0, of: 4),
            indexes: [index.output], training: TrainingOptions(epochs: 3, batchSize: 16, learningRate: 0.02))
        configuration.refreshEvery = 1
        let runs = try bitsOnOneTwoThreeRanks(output: "infused", stage: { [configuration] file, comm in
            var run = configuration
            run.outputPath = file
            let report = try InfusedTrainingStage(run).run(communicator: comm)
            return Outcome(hash: report.parameterHash, losses: report.history.map(\.meanLoss.bitPattern), trainCount: report.trainCount)
        }, read: { file in
            let saved = try InfusedModelFile.read(path: file)
            return (saved.attributes, saved.parameters)
        })
        XCTAssertEqual(runs[1], runs[0], "train-infused: 2 ranks vs 1, saved parameters and loss curve")
        XCTAssertEqual(runs[2], runs[0], "train-infused: 3 ranks vs 1, saved parameters and loss curve")
    }
}
