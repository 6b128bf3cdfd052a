import Core
import LabelGraphJoining
import LabelGraphs
import LinearAlgebra
import NeuralNets
import Stages
import TestSupport
import Training
import XCTest

/// The jointly trained text encoder of `train-paths --text-encoder` (`EndToEndPathModel`): the gradient through
/// decoder and encoder, the standardised input at initialisation, and exact step sums across rank counts.
final class EndToEndPathModelTests: XCTestCase {
    /// The fixture's two-level graph (root → A, B → a1 a2 | b1 b2): fine labels give deterministic paths, the coarse
    /// labels A and B nondeterministic ones (REINFORCE).
    static let graph = try! LabelGraph(parsing: PathFixture.graph, file: "two-level.graph")
    static let textConfiguration = TextClassifier.Configuration(vocabularySize: 9, embeddingSize: 3, hiddenSize: 2,
                                                                contextSize: 4, classCount: 2)

    func makeModel() throws -> EndToEndPathModel {
        let decoder = try PathDecoder(graph: Self.graph, configuration: .init(featureSize: 4, embeddingSize: 3, hiddenSize: 5,
                                                                             encoder: .mlp(hiddenSize: 3)))
        return EndToEndPathModel(text: TextClassifier(Self.textConfiguration), decoder: decoder,
                                 mean: [0.1, -0.2, 0.3, 0], scale: [1.5, 0.7, 2, 1])
    }

    func truth(_ label: String, _ dataset: String) throws -> GroundTruth {
        try PredictionPaths(graph: Self.graph).groundTruth(label: label, dataset: dataset)
    }

    /// Token ids 2 ..< 9 (0 pads, 1 is unknown), lengths 1 ... 5.
    func sequences(_ n: Int, seed: UInt64) -> [[Int]] {
        var rng = SeededRandom(seed: seed)
        return (0 ..< n).map { _ in (0 ... rng.bounded(5)).map { _ in 2 + rng.bounded(7) } }
    }

    /// Central differences (Double) of the summed loss over EVERY parameter, encoder (embedding, both LSTM
    /// directions, context layer) and decoder alike: deterministic paths (teacher forcing) and one coarse sample's
    /// REINFORCE surrogate (its draw is seeded, the same for every perturbation).
    func testGradientThroughEncoderAndDecoderMatchesFiniteDifferences() throws {
        let model = try makeModel()
        let textValues: Parameters<Double> = model.text.makeParameters(seed: 2)
        let start: Parameters<Double> = model.makeParameters(text: textValues.values, seed: 3)
        let batch = TextBatch(sequences: sequences(3, seed: 5), labels: [0, 0, 0])
        let truths = [try truth("a1", "fine"), try truth("b2", "fine"), try truth("A", "coarse")]
        XCTAssertTrue(truths[2].hasNondeterministicPaths, "the coarse sample must exercise REINFORCE")
        let options = PathTrainingOptions(teacherForcingRate: 1)
        func loss(_ p: inout Parameters<Double>) -> PathLoss<Double> {
            var rng = SeededRandom(seed: 11)
            let streams = (0 ..< 3).map { SeededRandom(seed: 12, stream: UInt64($0)) }
            return model.loss(batch, truths: truths, options: options, baseline: 0.3, parameters: &p, rng: &rng, sampleStreams: streams)
        }
        var p = start
        p.zeroGrads()
        let result = loss(&p)
        XCTAssertNotEqual(result.reinforceLoss, 0, "REINFORCE must contribute")
        let numeric = numericalGradient(start.values) { theta in
            var q = start
            q.values = theta
            return loss(&q).loss
        }
        let error = maxRelativeError(p.grads, numeric, floor: 1e-4)
        XCTAssertLessThan(error, 1e-6, "max relative error \(error)")
        // The encoder's part is not vacuous: the LSTM and context weights get gradient through dFeatures.
        let encoderGrads = p.grads[0 ..< model.decoderOffset].map(abs).max() ?? 0
        XCTAssertGreaterThan(encoderGrads, 1e-4)
        XCTAssertEqual(p.grads[model.decoderOffset - 2 * 4 - 2 ..< model.decoderOffset].map(abs).max(), 0,
                       "the train-text classifier head (4 × 2 + 2) is not used")
    }

    /// At initialisation the decoder reads (c − μ) ⊙ s of the train-text model's own context vectors: the frozen
    /// pipeline's input, so the text encoder changes only what training moves.
    func testFeaturesAreTheStandardisedContextVectors() throws {
        let model = try makeModel()
        let textValues: Parameters<Float> = model.text.makeParameters(seed: 2)
        let parameters: Parameters<Float> = model.makeParameters(text: textValues.values, seed: 3)
        let batch = TextBatch(sequences: sequences(4, seed: 6), labels: [0, 0, 0, 0])
        let c = model.text.encode(batch, parameters: textValues.values)
        let x = model.features(batch, parameters: parameters.values)
        for i in 0 ..< 4 {
            for j in 0 ..< 4 { XCTAssertEqual(x[i, j], (c[i, j] - model.mean[j]) * model.scale[j]) }
        }
        XCTAssertEqual(model.layout.views.first?.name, "text.embedding.E")
        XCTAssertEqual(model.layout.view(named: "decoder.nodes.E").map { $0.offset >= model.decoderOffset }, true)
    }

    /// Two epochs of data-parallel training with exact step sums give the same parameter bits (and reward
    /// baseline b) on 1, 2 and 3 threaded ranks: 28 samples, 4 batches of 7 split 7 | 4 + 3 | 3 + 2 + 2, fine
    /// (teacher forcing, r_tf = 0.5) and coarse (REINFORCE) samples mixed.
    func testOneTwoThreeRanksGiveTheSameBits() throws {
        let model = try makeModel()
        let labels = ["a1", "a2", "b1", "b2", "A", "B"]
        let truths = try (0 ..< 28).map { i in try truth(labels[i % 6], i % 6 < 4 ? "fine" : "coarse") }
        let inputs = EndToEndPathModel.StepInputs(sequences: sequences(28, seed: 7), truths: truths,
                                                  options: PathTrainingOptions(teacherForcingRate: 0.5), seed: 9)
        let textValues: Parameters<Float> = model.text.makeParameters(seed: 2)
        let initial: Parameters<Float> = model.makeParameters(text: textValues.values, seed: 3)
        func run(_ size: Int) throws -> [UInt64] {
            try ThreadedWorld.run(size: size) { comm in
                var baseline = RewardBaseline(momentum: 0.9)
                var step: UInt64 = 0
                let trainer = DataParallelTrainer(options: TrainingOptions(epochs: 2, batchSize: 7, learningRate: 0.01, seed: 4),
                                                  communicator: comm)
                let result = try trainer.train(initial: initial, sampleCount: 28, collectiveStep: { _, local, _, parameters in
                    step += 1
                    return try model.exactStep(local, step: step, inputs: inputs, baseline: &baseline, parameters: &parameters,
                                               communicator: comm)
                })
                return [DataParallelTrainer.hash(result.parameters.values), baseline.value.bitPattern]
            }[0]
        }
        let one = try run(1)
        XCTAssertNotEqual(one[0], DataParallelTrainer.hash(initial.values), "training moved nothing")
        XCTAssertEqual(try run(2), one, "2 ranks")
        XCTAssertEqual(try run(3), one, "3 ranks")
    }

    /// The fixed-point sum refuses what it cannot hold, naming the fix.
    func testOverflowIsATypedError() throws {
        let model = try makeModel()
        let textValues: Parameters<Float> = model.text.makeParameters(seed: 2)
        var parameters: Parameters<Float> = model.makeParameters(text: textValues.values, seed: 3)
        parameters.values[0 ..< model.decoderOffset] = ArraySlice(repeating: .nan, count: model.decoderOffset)
        let inputs = EndToEndPathModel.StepInputs(sequences: sequences(2, seed: 7), truths: [try truth("a1", "fine"), try truth("b1", "fine")],
                                                  options: PathTrainingOptions(), seed: 9)
        var baseline = RewardBaseline()
        XCTAssertThrowsError(try model.exactStep([0, 1], step: 1, inputs: inputs, baseline: &baseline, parameters: &parameters,
                                                 communicator: SingleProcessCommunicator())) { error in
            XCTAssertTrue("\(error)".contains("--learning-rate"), "\(error)")
        }
    }

    /// text_encoder needs label-aug and a corpus; the corpus options need text_encoder; the runner's stage (Fisher
    /// vectors) refuses all three, naming the key in each door's spelling.
    func testTextEncoderParametersAreChecked() {
        func error(_ values: [String: JSONValue], _ spec: StageSpec = .trainPaths, door: FrontDoor = .commandLine) -> String {
            do {
                _ = try spec.resolve(values, door: door)
                return ""
            } catch { return "\(error)" }
        }
        let model: JSONValue = .string("encoder.h5"), debian: JSONValue = .string("debian")
        XCTAssertEqual(error(["text_encoder": model, "text_corpus": debian]), "")
        XCTAssertTrue(error(["text_encoder": model]).contains("--text-corpus"))
        XCTAssertTrue(error(["text_encoder": model, "text_corpus": debian, "method": .string("ffn")]).contains("label-aug only"))
        XCTAssertTrue(error(["text_corpus": debian]).contains("needs --text-encoder"))
        XCTAssertTrue(error(["text_data": .string("dump.txt")]).contains("needs --text-encoder"))
        XCTAssertTrue(error(["text_corpus": .string("wiki")]).contains("bbc, bbcsport, 20news, debian, csv"))
        let runner = error(["text_encoder": model, "text_corpus": debian], .trainAndDecodePaths,
                           door: .config(file: "c.json", prefix: "stages[1].params."))
        XCTAssertTrue(runner.contains("stages[1].params.text_encoder") && runner.contains("runner"), runner)
    }
}
