import Core
import Datasets
import Foundation
@testable import InstanceInfusion
import LinearAlgebra
import NeuralNets
import Stages
import Storage
import TestSupport
import Training
import XCTest

/// Where the source vectors of the index come from (issue 19's ablation): the source dataset's own bi-LSTM or the
/// target model's encoder. Either `train-text` model embeds the source documents (`embed`, the choice being its
/// `model`), and the index then holds exactly that encoder's context vectors of those documents, whatever the
/// rank count the index is built on. The source's labels are not the target's classes: `embed` with `classes corpus`
/// keeps the source's (the default, `model`, refuses them).
final class SourceEncoderTests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws { root = try makeTemporaryDirectory("source-encoder") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    func path(_ name: String) -> String { root.appendingPathComponent(name).path }

    /// c = f_θ(x) of every document of `corpus` under the model at `model`, one document per batch (no padding,
    /// no batch composition): the reference the index rows are compared with.
    func contexts(model: String, corpus: String) throws -> Matrix<Float> {
        let file = try TextModelFile.read(path: model)
        let texts = try TextCorpusSource(kind: .csv, path: corpus).load()
        let data = EncodedTexts.encode(texts, labels: [Int](repeating: 0, count: texts.count), vocabulary: file.vocabulary,
                                       tokenizer: TextTokenizer(stripNewsgroupArtifacts: file.stripNewsgroup),
                                       maxLength: file.maxLength)
        let model = TextClassifier(file.configuration)
        let m = file.configuration.contextSize
        var values: [Float] = []
        for i in 0 ..< data.count { values += model.encode(data.batch([i]), parameters: file.parameters).values }
        return Matrix(rows: data.count, columns: m, values: values)
    }

    func maxDifference(_ a: Matrix<Float>, _ b: Matrix<Float>) -> Float {
        zip(a.values, b.values).map { abs($0 - $1) }.max() ?? .infinity
    }

    func testIndexHoldsTheChosenEncodersVectorsOfTheSourceDocuments() throws {
        let (_, target, _) = try InfusionTestCorpus.baseline(path)  // the target's bi-LSTM (classes class0 … class2)
        // A source with labels of its own (src0 … src2), and its own bi-LSTM (same context size M = 5).
        let text = try String(contentsOfFile: path("source.csv"), encoding: .utf8).replacingOccurrences(of: ",class", with: ",src")
        try text.write(toFile: path("foreign.csv"), atomically: true, encoding: .utf8)
        var configuration = TextTrainingStage.Configuration(
            source: TextCorpusSource(kind: .csv, path: path("foreign.csv")), split: .testFraction(0.1),
            training: TrainingOptions(epochs: 2, batchSize: 8, learningRate: 0.02))
        (configuration.embeddingSize, configuration.hiddenSize, configuration.contextSize) = (8, 6, 5)
        configuration.minimumCount = 1
        configuration.outputPath = path("source-model.h5")
        _ = try TextTrainingStage(configuration).run(communicator: SingleProcessCommunicator())

        let encoders = ["source": path("source-model.h5"), "target": target]
        var expected: [String: Matrix<Float>] = [:]
        for (name, model) in encoders {
            expected[name] = try contexts(model: model, corpus: path("foreign.csv"))
            try TextEmbeddingStage(modelPath: model, source: TextCorpusSource(kind: .csv, path: path("foreign.csv")),
                                   corpusClasses: true, outputPath: path("\(name)-emb.h5")).run(communicator: SingleProcessCommunicator())
            let embeddings = try HDF5File.open(path: path("\(name)-emb.h5"))
            XCTAssertEqual(try embeddings.readStrings("classes"), ["src0", "src1", "src2"], "the source's own labels")
            try embeddings.close()
            for ranks in [1, 2] {
                let index = path("\(name)-\(ranks)/index.h5"), embeddings = path("\(name)-emb.h5")
                _ = try ThreadedWorld.run(size: ranks) { comm in
                    try IndexStage(config: IndexConfig(embeddings: embeddings, output: index, trees: 2, maxDepth: 8))
                        .run(communicator: comm)
                }
                let rows = try IndexFiles.readVectors(master: index, rows: 0 ..< 60)
                XCTAssertEqual(rows.rows, 60)
                // The same vectors up to the rounding of a batch of 1 against the embed stage's length-sorted batches.
                XCTAssertLessThan(maxDifference(rows, expected[name]!), 1e-5, "\(name) encoder, index on \(ranks) rank(s)")
            }
        }
        // The two encoders give different vectors, so the comparison above tells them apart.
        XCTAssertGreaterThan(maxDifference(expected["source"]!, expected["target"]!), 1e-2)
        let targetRows = try IndexFiles.readVectors(master: path("target-1/index.h5"), rows: 0 ..< 60)
        XCTAssertGreaterThan(maxDifference(targetRows, expected["source"]!), 1e-2)
    }
}
