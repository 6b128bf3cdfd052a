import Core
import Datasets
import Foundation
import LabelGraphJoining
import LabelGraphs
import NeuralNets
import Stages
import Storage
import TestSupport
import Training
import XCTest

/// `train-paths` with a text encoder (`PathTrainingStage.Configuration.textEncoder`), through the stage: a CSV
/// corpus whose documents the features file's `ids` name, the same bits on 1, 2 and 3 ranks, a model file that
/// holds both parts and decodes, and a stopped-and-resumed run that ends with the same bits.
final class EndToEndPathTrainingTests: XCTestCase {
    /// 40 documents: rows 0 ..< 32 fine (a1 a2 b1 b2), 32 ..< 40 coarse (A, B); words w<k>… mark fine class k.
    struct Fixture {
        let directory: URL
        var path: (String) -> String { { self.directory.appendingPathComponent($0).path } }
        let encoder: PathTextEncoder

        init() throws {
            directory = try makeTemporaryDirectory("end-to-end-paths")
            let corpus = directory.appendingPathComponent("corpus.csv").path
            try PathFixture.graph.write(toFile: directory.appendingPathComponent("g.graph").path, atomically: true, encoding: .utf8)
            var rng = SeededRandom(seed: 5)
            var lines = ["text,label"], ids: [String] = [], fine = ["id,label"], coarse = ["id,label"]
            for i in 0 ..< 40 {
                let k = i % 4
                lines.append((0 ... 2 + rng.bounded(3)).map { _ in rng.bounded(3) == 0 ? "noise\(rng.bounded(3))" : "w\(k)x\(rng.bounded(2))" }
                    .joined(separator: " ") + ",c\(k)")
                ids.append("\(corpus):\(i + 2)")  // `TextCorpus+CSV`: path:line, the header is line 1
                if i < 32 { fine.append("\(ids[i]),\(PathFixture.fine[k])") } else { coarse.append("\(ids[i]),\(k < 2 ? "A" : "B")") }
            }
            try (lines.joined(separator: "\n") + "\n").write(toFile: corpus, atomically: true, encoding: .utf8)
            try (fine.joined(separator: "\n") + "\n").write(toFile: directory.appendingPathComponent("fine.csv").path, atomically: true, encoding: .utf8)
            try (coarse.joined(separator: "\n") + "\n").write(toFile: directory.appendingPathComponent("coarse.csv").path, atomically: true, encoding: .utf8)
            let tokens = ["<pad>", "<unk>"] + (0 ..< 4).flatMap { k in (0 ..< 2).map { "w\(k)x\($0)" } } + ["noise0", "noise1"]
            let configuration = TextClassifier.Configuration(vocabularySize: tokens.count, embeddingSize: 4, hiddenSize: 3,
                                                             contextSize: 5, classCount: 4)
            let text = TextClassifier(configuration)
            let initial: Parameters<Float> = text.makeParameters(seed: 8)
            encoder = PathTextEncoder(configuration: configuration, parameters: initial.values, vocabulary: try Vocabulary(tokens: tokens),
                                      maxLength: 6, stripNewsgroup: false, corpus: TextCorpusSource(kind: .csv, path: corpus))
            // The features file `embed` would write: the initial encoder's c, with the document ids.
            let sequences = try TextCorpusSource(kind: .csv, path: corpus).load().documents.map { encoder.tokens($0.text) }
            let c = text.encode(TextBatch(sequences: sequences, labels: sequences.map { _ in 0 }), parameters: initial.values)
            let file = try HDF5File.create(path: directory.appendingPathComponent("embed.h5").path)
            try file.write(c.values, shape: [40, 5], to: "embeddings")
            try file.writeStrings(ids, to: "ids")
            try file.close()
        }

        func configuration(epochs: Int = 2) -> PathTrainingStage.Configuration {
            let features = path("embed.h5")
            var c = PathTrainingStage.Configuration(
                graphPath: path("g.graph"), specs: [PathDataSpec(dataset: "fine", features: features, labels: path("fine.csv"), rows: 0 ..< 32),
                                                    PathDataSpec(dataset: "coarse", features: features, labels: path("coarse.csv"), rows: 32 ..< 40)],
                target: "fine", method: .labelAug, training: TrainingOptions(epochs: epochs, batchSize: 8, learningRate: 0.02, seed: 4))
            c.encoderHidden = 6
            c.embeddingSize = 4
            c.hiddenSize = 5
            c.pathOptions = PathTrainingOptions(teacherForcingRate: 0.5)
            c.seed = 4
            c.textEncoder = encoder
            return c
        }
    }

    func testRanksModelFileAndDecode() throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.directory) }
        var c = fixture.configuration()
        c.outputPath = fixture.path("model.h5")
        let one = try PathTrainingStage(c).run(communicator: SingleProcessCommunicator())
        c.outputPath = nil
        for size in [2, 3] {
            let configuration = c
            let hashes = try ThreadedWorld.run(size: size) { comm in try PathTrainingStage(configuration).run(communicator: comm).parameterHash }
            XCTAssertEqual(hashes, [UInt64](repeating: one.parameterHash, count: size), "\(size) ranks")
        }
        let model = try PathModelFile.read(fixture.path("model.h5"))
        let text = try XCTUnwrap(model.textEncoder)
        XCTAssertEqual(text.vocabulary, fixture.encoder.vocabulary)
        XCTAssertEqual(text.corpus, fixture.encoder.corpus)
        XCTAssertEqual(model.parameters, one.model.parameters)
        XCTAssertNotEqual(text.parameters, fixture.encoder.parameters, "the encoder was not trained")
        let names = try HDF5File.open(path: fixture.path("model.h5")).readStrings("parameter_names")
        XCTAssertEqual(names.first, "text.embedding.E")
        XCTAssertTrue(names.contains("decoder.nodes.E"))
        let report = try PathDecodeStage(modelPath: fixture.path("model.h5"), input: c.specs[0]).run()
        XCTAssertEqual(report.predictions.count, 32)
        XCTAssertNotNil(report.accuracy)
    }

    /// 40 samples in batches of 13: the last batch of each epoch has 1 sample, fewer than 2 or 3 ranks. Every
    /// sample is used each epoch on every rank count (the ranks without one join the step's exact sum with an
    /// empty slice), and the bits stay those of 1 rank. Before, 2 and 3 ranks dropped that sample (39 per epoch).
    func testAShortLastBatchIsTrainedOnEveryRankCount() throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.directory) }
        var c = fixture.configuration()
        c.training.batchSize = 13
        let configuration = c
        let one = try PathTrainingStage(configuration).run(communicator: SingleProcessCommunicator())
        XCTAssertEqual(one.history.map(\.samples), [40, 40])
        for size in [2, 3] {
            let runs = try ThreadedWorld.run(size: size) { comm in
                let report = try PathTrainingStage(configuration).run(communicator: comm)
                return (report.parameterHash, report.history.map(\.samples), report.history.map(\.meanLoss.bitPattern))
            }
            for (rank, run) in runs.enumerated() {
                XCTAssertEqual(run.1, [40, 40], "samples per epoch, rank \(rank) of \(size)")
                XCTAssertEqual(run.0, one.parameterHash, "parameters, rank \(rank) of \(size)")
                XCTAssertEqual(run.2, one.history.map(\.meanLoss.bitPattern), "loss curve, rank \(rank) of \(size)")
            }
        }
    }

    func testStoppedAndResumedRunEndsWithTheSameBits() throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.directory) }
        func configuration(_ folder: String, stop: Int?, resume: Bool) throws -> PathTrainingStage.Configuration {
            var c = fixture.configuration(epochs: 3)
            try FileManager.default.createDirectory(atPath: fixture.path(folder), withIntermediateDirectories: true)
            c.training.checkpointDirectory = fixture.path(folder)
            c.training.checkpointEverySteps = 2
            c.training.stopAfterSteps = stop
            c.resume = resume
            c.outputPath = fixture.path(folder + "/model.h5")
            return c
        }
        let whole = try PathTrainingStage(try configuration("whole", stop: nil, resume: false)).run(communicator: SingleProcessCommunicator())
        _ = try PathTrainingStage(try configuration("cut", stop: 7, resume: false)).run(communicator: SingleProcessCommunicator())
        XCTAssertFalse(FileManager.default.fileExists(atPath: fixture.path("cut/model.h5")))
        let resumed = try PathTrainingStage(try configuration("cut", stop: nil, resume: true)).run(communicator: SingleProcessCommunicator())
        XCTAssertEqual(resumed.parameterHash, whole.parameterHash)
        XCTAssertEqual(try PathModelFile.read(fixture.path("cut/model.h5")).parameters, whole.model.parameters)
    }
}
