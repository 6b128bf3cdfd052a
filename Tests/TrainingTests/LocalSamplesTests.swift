import Core
import NeuralNets
import TestSupport
import Training
import XCTest

final class LocalSamplesTests: XCTestCase {
    /// The samples `DataParallelTrainer.localSamples` predicts for each rank and epoch (what train-infused
    /// prefetches source rows for) are exactly those `train` hands that rank's `lossSum`, in order.
    func testLocalSamplesAreWhatTheTrainerHandsEachRank() throws {
        let options = TrainingOptions(epochs: 3, batchSize: 7, learningRate: 0.1, optimizer: .sgd, seed: 5)
        let count = 47
        for size in [1, 2, 3] {
            let seen = try ThreadedWorld.run(size: size) { comm -> [[Int]] in
                let log = SampleLog()
                var layout = ParameterLayout()
                _ = layout.register("w", rows: 1, columns: 1)
                let initial = Parameters<Float>(layout: layout)
                _ = try DataParallelTrainer(options: options, communicator: comm).train(
                    initial: initial, sampleCount: count,
                    lossSum: { samples, _ in log.samples.append(samples); return 0 },
                    onEpoch: { _, _ in log.epochs.append(log.samples.flatMap { $0 }); log.samples = [] })
                return log.epochs
            }
            for (rank, epochs) in seen.enumerated() {
                for (epoch, samples) in epochs.enumerated() {
                    XCTAssertEqual(samples, DataParallelTrainer.localSamples(count: count, batchSize: 7, seed: 5, epoch: epoch,
                                                                             rank: rank, size: size), "rank \(rank)/\(size)")
                }
                XCTAssertEqual(epochs.count, 3)
            }
        }
    }
}

/// What `lossSum` received, per epoch (a class: the trainer's closures share it).
private final class SampleLog: @unchecked Sendable {
    var samples: [[Int]] = []
    var epochs: [[Int]] = []
}
