import Core
import LinearAlgebra
import NeuralNets
import TestSupport
import Training
import XCTest

/// `DataParallelTrainer` with ordered batch sums (`orderedBlockSize`): the same bits on 1, 2 and 3 ranks, the
/// step's gradient and statistics equal to a sequential block-by-block sum computed by hand here, and the
/// samples each rank gets equal to `localSamples(…, orderedBlockSize:)`.
final class OrderedBatchSumTests: XCTestCase {
    static let model = DataParallelTrainerTests.model
    static let options = TrainingOptions(epochs: 2, batchSize: 11, learningRate: 0.02, seed: 6, consistencyCheckEvery: 1)

    /// Trains 37 sequences (batches of 11 = blocks 4 + 4 + 3; the last batch of 4 is one block, so a 3-rank run
    /// has idle ranks) and records, per step, the statistics `afterStep` saw and the samples this rank got.
    static func train(comm: any Communicator, blockSize: Int? = 4) throws
        -> (result: DataParallelTrainer.Result, statistics: [[Double]], samples: [[Int]]) {
        let data = DataParallelTrainerTests.data(count: 37)
        let log = StepLog()
        var trainer = DataParallelTrainer(options: options, communicator: comm)
        trainer.orderedBlockSize = blockSize
        let result = try trainer.train(
            initial: model.makeParameters(seed: 11), sampleCount: 37, statisticsWidth: 2,
            blockLoss: { samples, step, parameters in
                log.seen.append(samples)
                let loss = DataParallelTrainerTests.lossSum(data)(samples, &parameters)
                // t_k = [Σ sample ids · 0.1, step]: an exact check of the order-free part, and the step index
                return .init(loss: loss, statistics: [samples.reduce(0.0) { $0 + 0.1 * Double($1) }, Double(step)])
            }, afterStep: { log.statistics.append($0) },
            onEpoch: { _, _ in log.epochs.append(log.seen.flatMap { $0 }); log.seen = [] })
        return (result, log.statistics, log.epochs)
    }

    func testOneTwoThreeRanksGiveTheSameBits() throws {
        let one = try Self.train(comm: SingleProcessCommunicator())
        for size in [2, 3] {
            let many = try ThreadedWorld.run(size: size) { comm in try UncheckedResult(Self.train(comm: comm)) }
            for (rank, run) in many.enumerated() {
                XCTAssertEqual(bits(run.value.result.parameters.values), bits(one.result.parameters.values), "rank \(rank) of \(size)")
                XCTAssertEqual(run.value.result.history.map(\.meanLoss.bitPattern), one.result.history.map(\.meanLoss.bitPattern))
                XCTAssertEqual(run.value.statistics.map { $0.map(\.bitPattern) }, one.statistics.map { $0.map(\.bitPattern) })
                for (epoch, samples) in run.value.samples.enumerated() {
                    XCTAssertEqual(samples, DataParallelTrainer.localSamples(
                        order: DataParallelTrainer.permutation(count: 37, seed: 6, epoch: epoch), fromBatch: 0, batchSize: 11,
                        rank: rank, size: size, orderedBlockSize: 4), "rank \(rank) of \(size), epoch \(epoch)")
                }
            }
        }
        // 4 steps per epoch (blocks 3, 3, 3, 1): Σ_k s = s · blocks for s = 0 … 7; the id sums are the batches' own
        XCTAssertEqual(one.statistics.map { $0[1] }, (0 ..< 8).map { Double($0 * ($0 % 4 == 3 ? 1 : 3)) })
        let order = DataParallelTrainer.permutation(count: 37, seed: 6, epoch: 0)
        XCTAssertEqual(one.statistics[0][0], order[0 ..< 11].reduce(0.0) { $0 + 0.1 * Double($1) }, accuracy: 1e-9)
        // Without ordered sums 1 and 3 ranks part in the last bits (the defect this mode fixes).
        let plain = try ThreadedWorld.run(size: 3) { comm in
            try UncheckedResult(DataParallelTrainer(options: Self.options, communicator: comm).train(
                initial: Self.model.makeParameters(seed: 11), sampleCount: 37,
                lossSum: DataParallelTrainerTests.lossSum(DataParallelTrainerTests.data(count: 37))))
        }
        let plainOne = try DataParallelTrainer(options: Self.options, communicator: SingleProcessCommunicator()).train(
            initial: Self.model.makeParameters(seed: 11), sampleCount: 37,
            lossSum: DataParallelTrainerTests.lossSum(DataParallelTrainerTests.data(count: 37)))
        XCTAssertNotEqual(bits(plain[0].value.parameters.values), bits(plainOne.parameters.values))
    }

    /// One SGD step on one batch of 11 (blocks of 4): θ₁ = θ₀ − η·((g_0 + g_1) + g_2)/11 with g_k each block's
    /// gradient computed alone, summed in block order: bit for bit, at 2 ranks.
    func testStepIsTheBlockOrderedSum() throws {
        let data = DataParallelTrainerTests.data(count: 11)
        let order = DataParallelTrainer.permutation(count: 11, seed: 6, epoch: 0)
        var reference: Parameters<Float> = Self.model.makeParameters(seed: 11)
        var sum = [Float](repeating: 0, count: reference.values.count)
        for block in [0 ..< 4, 4 ..< 8, 8 ..< 11] {
            reference.zeroGrads()
            _ = DataParallelTrainerTests.lossSum(data)(Array(order[block]), &reference)
            for j in sum.indices { sum[j] += reference.grads[j] }
        }
        let rate = Float(0.1) * (Float(1) / 11)  // SGD: θ −= (η · 1/n) · g
        let expected = zip(reference.values, sum).map { $0 - rate * $1 }
        let options = TrainingOptions(epochs: 1, batchSize: 11, learningRate: 0.1, optimizer: .sgd, seed: 6)
        let two = try ThreadedWorld.run(size: 2) { comm -> UncheckedResult<DataParallelTrainer.Result> in
            var trainer = DataParallelTrainer(options: options, communicator: comm)
            trainer.orderedBlockSize = 4
            return try UncheckedResult(trainer.train(initial: Self.model.makeParameters(seed: 11), sampleCount: 11,
                                                     lossSum: DataParallelTrainerTests.lossSum(data)))
        }
        XCTAssertEqual(bits(two[0].value.parameters.values), bits(expected))
    }
}

/// What the closures saw (a class: the trainer's closures share it).
private final class StepLog: @unchecked Sendable {
    var seen: [[Int]] = []
    var epochs: [[Int]] = []
    var statistics: [[Double]] = []
}
