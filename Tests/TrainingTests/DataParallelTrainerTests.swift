import Core
import Foundation
import LinearAlgebra
import NeuralNets
import TestSupport
import Training
import XCTest

/// The data-parallel trainer against its contract: 1 rank ≡ 2 ranks (to float rounding), the gradient is
/// averaged over the GLOBAL batch, resume is bit-identical, a divergence is caught, a tiny set is learnt.
final class DataParallelTrainerTests: XCTestCase {
    static let model = TextClassifier(.init(vocabularySize: 12, embeddingSize: 6, hiddenSize: 5, contextSize: 4,
                                            classCount: 3))

    /// N sequences of length 1…6; class c has token 2 + c at a random position, the rest is noise from 5..<12.
    static func data(count: Int, seed: UInt64 = 3) -> (sequences: [[Int]], labels: [Int]) {
        var rng = SeededRandom(seed: seed)
        var sequences: [[Int]] = [], labels: [Int] = []
        for i in 0 ..< count {
            let c = i % 3
            var s = (0 ..< 1 + rng.bounded(6)).map { _ in 5 + rng.bounded(7) }
            s[rng.bounded(s.count)] = 2 + c
            sequences.append(s)
            labels.append(c)
        }
        return (sequences, labels)
    }

    static func lossSum(_ data: (sequences: [[Int]], labels: [Int])) -> ([Int], inout Parameters<Float>) -> Float {
        { samples, parameters in
            model.loss(TextBatch(sequences: samples.map { data.sequences[$0] }, labels: samples.map { data.labels[$0] }),
                       parameters: &parameters)
        }
    }

    static func train(_ options: TrainingOptions, comm: any Communicator, count: Int = 37, resume: Bool = false)
        throws -> DataParallelTrainer.Result {
        let data = Self.data(count: count)
        // Rank 1 starts from other parameters: the broadcast must overwrite them.
        let initial: Parameters<Float> = model.makeParameters(seed: comm.rank == 0 ? 11 : 99)
        return try DataParallelTrainer(options: options, communicator: comm)
            .train(initial: initial, sampleCount: count, resume: resume, lossSum: lossSum(data))
    }

    // 1 rank and 2 ranks (slices 4/4 and, for the last batch of 5, 3/2) give the same loss curve and parameters
    // within float tolerance; both ranks end bit-identical.
    func testTwoRanksMatchOneRank() throws {
        let options = TrainingOptions(epochs: 3, batchSize: 8, learningRate: 0.02, consistencyCheckEvery: 2)
        let one = try Self.train(options, comm: SingleProcessCommunicator())
        let two = try ThreadedWorld.run(size: 2) { comm in try UncheckedResult(Self.train(options, comm: comm)) }
        XCTAssertEqual(bits(two[0].value.parameters.values), bits(two[1].value.parameters.values))
        XCTAssertEqual(one.history.count, 3)
        for (a, b) in zip(one.history, two[0].value.history) {
            XCTAssertEqual(a.meanLoss, b.meanLoss, accuracy: 1e-5 * a.meanLoss, "epoch \(a.epoch)")
            XCTAssertEqual(a.samples, 37)
        }
        assertClose(two[0].value.parameters.values, one.parameters.values, rtol: 1e-3, atol: 1e-4)
        XCTAssertEqual(two[0].value.consistencyChecks, 15 / 2 + 3)  // every 2 of 15 steps, plus 3 epoch ends
        XCTAssertLessThan(one.history[2].meanLoss, one.history[0].meanLoss)
    }

    // One SGD step on a batch of 5 split 3/2: θ₁ = θ₀ − η·(Σ_i ∇ℓ_i)/5, not the mean of the two ranks' means.
    func testGradientIsAveragedOverTheGlobalCount() throws {
        let data = Self.data(count: 5)
        var reference: Parameters<Float> = Self.model.makeParameters(seed: 11)
        let initial = reference.values
        _ = Self.lossSum(data)(Array(0 ..< 5), &reference)
        let expected = zip(initial, reference.grads).map { $0 - 0.1 * $1 / 5 }
        let options = TrainingOptions(epochs: 1, batchSize: 5, learningRate: 0.1, optimizer: .sgd)
        let two = try ThreadedWorld.run(size: 2) { comm in try UncheckedResult(Self.train(options, comm: comm, count: 5)) }
        assertClose(two[0].value.parameters.values, expected, rtol: 1e-5, atol: 1e-6)
        XCTAssertEqual(two[0].value.history[0].samples, 5)
    }

    // Interrupted mid-epoch (step 7 of 5 per epoch) and resumed: the same bits as an uninterrupted run, at 1
    // and at 2 ranks; the same loss history too.
    func testResumeIsBitIdentical() throws {
        for ranks in [1, 2] {
            let dir = try makeTemporaryDirectory("resume")
            defer { try? FileManager.default.removeItem(at: dir) }
            var options = TrainingOptions(epochs: 3, batchSize: 8, learningRate: 0.02, checkpointDirectory: dir.appendingPathComponent("full").path)
            try FileManager.default.createDirectory(atPath: options.checkpointDirectory!, withIntermediateDirectories: true)
            let fullOptions = options
            let full = try run(ranks) { comm in try Self.train(fullOptions, comm: comm) }
            options.checkpointDirectory = dir.appendingPathComponent("cut").path
            try FileManager.default.createDirectory(atPath: options.checkpointDirectory!, withIntermediateDirectories: true)
            options.stopAfterSteps = 7
            let cutOptions = options
            let cut = try run(ranks) { comm in try Self.train(cutOptions, comm: comm) }
            XCTAssertFalse(cut.finished)
            options.stopAfterSteps = nil
            let resumeOptions = options
            let resumed = try run(ranks) { comm in try Self.train(resumeOptions, comm: comm, resume: true) }
            XCTAssertTrue(resumed.finished)
            XCTAssertEqual(bits(resumed.parameters.values), bits(full.parameters.values), "\(ranks) rank(s)")
            XCTAssertEqual(resumed.history, full.history)
            // Other settings: a clear error naming the difference.
            options.learningRate = 0.03
            XCTAssertThrowsError(try Self.train(options, comm: SingleProcessCommunicator(), resume: true)) { error in
                XCTAssertTrue("\(error)".contains("train.learning_rate"), "\(error)")
                XCTAssertTrue("\(error)".contains("without --resume"), "\(error)")
            }
        }
    }

    // A rank whose parameters drift is caught at the next check.
    func testDivergenceIsCaught() throws {
        let data = Self.data(count: 16)
        let options = TrainingOptions(epochs: 1, batchSize: 8, consistencyCheckEvery: 1)
        let outcomes = try ThreadedWorld.run(size: 2) { comm -> String in
            do {
                _ = try DataParallelTrainer(options: options, communicator: comm).train(
                    initial: Self.model.makeParameters(seed: 1), sampleCount: 16,
                    lossSum: { samples, parameters in
                        if comm.rank == 1 { parameters.values[0] += 1e-3 }
                        return Self.lossSum(data)(samples, &parameters)
                    })
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        XCTAssertTrue(outcomes.allSatisfy { $0.contains("ranks hold different parameters after step 1") }, "\(outcomes)")
    }

    // A tiny data set is learnt through the trainer (every training sample right, loss near 0).
    func testOverfitsTinyDataset() throws {
        let data = Self.data(count: 12, seed: 5)
        let options = TrainingOptions(epochs: 80, batchSize: 4, learningRate: 0.05, decayEvery: 1000, clipNorm: 5)
        let result = try DataParallelTrainer(options: options, communicator: SingleProcessCommunicator())
            .train(initial: Self.model.makeParameters(seed: 2), sampleCount: 12, lossSum: Self.lossSum(data))
        let predicted = Self.model.predict(TextBatch(sequences: data.sequences, labels: data.labels),
                                           parameters: result.parameters.values)
        XCTAssertEqual(predicted, data.labels)
        XCTAssertLessThan(result.history.last!.meanLoss, 0.05)
    }

    /// Runs `body` on 1 rank, or on 2 threaded ranks returning rank 0's result.
    func run(_ ranks: Int, _ body: @escaping @Sendable (any Communicator) throws -> DataParallelTrainer.Result) throws
        -> DataParallelTrainer.Result {
        if ranks == 1 { return try body(SingleProcessCommunicator()) }
        return try ThreadedWorld.run(size: ranks) { comm in try UncheckedResult(body(comm)) }[0].value
    }
}

/// Carries a non-Sendable result out of a rank's thread (it is read only after the thread ends).
struct UncheckedResult<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
