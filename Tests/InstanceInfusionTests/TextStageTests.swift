import Core
import Foundation
import InstanceInfusion
import LinearAlgebra
import Stages
import Storage
import TestSupport
import Training
import XCTest

/// `train-text` and `embed` end to end on a small CSV corpus: the model file round-trips, the embeddings file has
/// the documented layout and does not depend on the rank count, and metrics are right on a known matrix.
final class TextStageTests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws { root = try makeTemporaryDirectory("text-stage") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    /// 30 documents, 3 classes told apart by their topic words.
    func writeCorpus() throws -> String {
        let words = [["stock", "market", "shares"], ["goal", "match", "team"], ["vote", "party", "minister"]]
        var lines = ["text,label"]
        for i in 0 ..< 30 {
            let c = i % 3
            lines.append("the \(words[c][i % 3]) and \(words[c][(i + 1) % 3]) today \(i),class\(c)")
        }
        let path = root.appendingPathComponent("corpus.csv").path
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testTrainThenEmbed() throws {
        let csv = try writeCorpus()
        var configuration = TextTrainingStage.Configuration(
            source: TextCorpusSource(kind: .csv, path: csv), split: .fold(0, of: 5),
            training: TrainingOptions(epochs: 12, batchSize: 6, learningRate: 0.02))
        configuration.embeddingSize = 8
        configuration.hiddenSize = 6
        configuration.contextSize = 5
        configuration.minimumCount = 1
        let modelPath = root.appendingPathComponent("model.h5").path
        configuration.outputPath = modelPath
        let report = try TextTrainingStage(configuration).run(communicator: SingleProcessCommunicator())
        XCTAssertEqual(report.trainCount, 24)
        XCTAssertEqual(report.testCount, 6)
        XCTAssertEqual(report.history.count, 12)
        XCTAssertLessThan(report.history.last!.meanLoss, report.history.first!.meanLoss)

        let model = try TextModelFile.read(path: modelPath)
        XCTAssertEqual(model.classes, ["class0", "class1", "class2"])
        XCTAssertEqual(model.vocabulary.tokens.prefix(2), ["<pad>", "<unk>"])
        XCTAssertEqual(model.configuration.contextSize, 5)
        XCTAssertEqual(model.history["mean_loss"]?.count, 12)

        // Embeddings with 1 rank and with 2 ranks are the same file content.
        let one = root.appendingPathComponent("e1.h5").path, two = root.appendingPathComponent("e2.h5").path
        let source = TextCorpusSource(kind: .csv, path: csv)
        try TextEmbeddingStage(modelPath: modelPath, source: source, outputPath: one).run(communicator: SingleProcessCommunicator())
        _ = try ThreadedWorld.run(size: 2) { comm in
            try TextEmbeddingStage(modelPath: modelPath, source: source, outputPath: two).run(communicator: comm)
        }
        for path in [one, two] {
            let file = try HDF5File.open(path: path)
            defer { try? file.close() }
            try ArtifactHeader.check(file, stage: "embed", version: 1)
            XCTAssertEqual(try file.shape(of: "embeddings"), [30, 5])
            XCTAssertEqual(try file.read("labels", as: Int32.self).values.prefix(4), [0, 1, 2, 0])
            XCTAssertEqual(try file.readStrings("ids").first, "\(csv):2")
        }
        let a = try HDF5File.open(path: one), b = try HDF5File.open(path: two)
        defer { try? a.close(); try? b.close() }
        assertClose(try b.read("embeddings", as: Float.self).values, try a.read("embeddings", as: Float.self).values,
                    rtol: 1e-5, atol: 1e-6)
    }

    /// A run stopped after an epoch boundary and resumed writes the same model file as an uninterrupted run: the
    /// same weights and every history curve (the held-out accuracy and macro-F1 of the epochs before the
    /// checkpoint were lost before they were kept in the checkpoint).
    func testResumeAcrossAnEpochBoundaryKeepsEveryCurve() throws {
        let csv = try writeCorpus()
        func configuration(_ name: String, stopAfter: Int? = nil, resume: Bool = false) throws -> TextTrainingStage.Configuration {
            let folder = root.appendingPathComponent(name).path
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            var c = TextTrainingStage.Configuration(
                source: TextCorpusSource(kind: .csv, path: csv), split: .fold(0, of: 5),
                training: TrainingOptions(epochs: 4, batchSize: 6, learningRate: 0.02, checkpointDirectory: folder,
                                          stopAfterSteps: stopAfter))
            (c.embeddingSize, c.hiddenSize, c.contextSize, c.minimumCount) = (8, 6, 5, 1)
            c.outputPath = folder + "/model.h5"
            c.resume = resume
            return c
        }
        let whole = try configuration("whole")
        _ = try TextTrainingStage(whole).run(communicator: SingleProcessCommunicator())
        // 24 training documents, batch 6: 4 steps per epoch; stop after 6 steps (inside epoch 2), then resume.
        let cut = try configuration("cut", stopAfter: 6)
        let stopped = try TextTrainingStage(cut).run(communicator: SingleProcessCommunicator())
        XCTAssertFalse(stopped.finished)
        XCTAssertFalse(FileManager.default.fileExists(atPath: cut.outputPath!), "an interrupted run wrote a model")
        _ = try TextTrainingStage(try configuration("cut", resume: true)).run(communicator: SingleProcessCommunicator())
        let a = try TextModelFile.read(path: whole.outputPath!), b = try TextModelFile.read(path: cut.outputPath!)
        XCTAssertEqual(a.parameters, b.parameters)
        XCTAssertEqual(Set(a.history.keys), ["mean_loss", "test_accuracy", "test_macro_f1"])
        XCTAssertEqual(a.history, b.history)
        XCTAssertEqual(a.history["test_accuracy"]?.count, 4)
    }

    // accuracy = trace / N; macro-F1 averages the per-class F1 over classes seen in truth or predictions.
    func testMetrics() {
        let m = ClassificationMetrics(truth: [0, 0, 1, 1, 2], predicted: [0, 1, 1, 1, 0], classCount: 4)
        XCTAssertEqual(m.accuracy, 0.6, accuracy: 1e-12)
        // F1: class 0 = 2·1/(2+1+1) = 0.5, class 1 = 2·2/(4+1+0) = 0.8, class 2 = 0; class 3 unseen.
        XCTAssertEqual(m.macroF1, (0.5 + 0.8 + 0) / 3, accuracy: 1e-12)
    }
}
