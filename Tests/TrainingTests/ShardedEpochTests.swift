import Core
import Foundation
import NeuralNets
import TestSupport
import Training
import XCTest

/// Sharded epochs: `prepareEpoch` hands each rank exactly the samples its `lossSum` calls of that epoch ask for
/// (so a stage can read just those), also when an epoch resumes part-way, and the ranks' parts partition it.
final class ShardedEpochTests: XCTestCase {
    /// localSamples over the ranks: disjoint, together every sample of the remaining batches, each ≈ N/R.
    func testLocalSamplesPartitionTheEpoch() {
        let order = DataParallelTrainer.permutation(count: 37, seed: 5, epoch: 2)
        for size in 1 ... 4 {
            for fromBatch in [0, 3] {
                let parts = (0 ..< size).map {
                    DataParallelTrainer.localSamples(order: order, fromBatch: fromBatch, batchSize: 8, rank: $0, size: size)
                }
                XCTAssertEqual(parts.flatMap { $0 }.sorted(), order[(fromBatch * 8)...].sorted(), "R = \(size), from batch \(fromBatch)")
                // Batches of 8 and a last one of 5 (from batch 0): rank r gets shard(8, r, R) of each.
                if fromBatch == 0 {
                    XCTAssertEqual(parts.map(\.count), (0 ..< size).map { 4 * shard(count: 8, rank: $0, size: size).count
                        + shard(count: 5, rank: $0, size: size).count })
                }
            }
        }
        // By hand: order [a b c | d e] in batches of 3 over 2 ranks: rank 0 gets a b, d; rank 1 c, e.
        XCTAssertEqual(DataParallelTrainer.localSamples(order: [10, 11, 12, 13, 14], fromBatch: 0, batchSize: 3, rank: 0, size: 2), [10, 11, 13])
        XCTAssertEqual(DataParallelTrainer.localSamples(order: [10, 11, 12, 13, 14], fromBatch: 0, batchSize: 3, rank: 1, size: 2), [12, 14])
    }

    /// On 3 threaded ranks, per epoch, the samples `lossSum` sees on a rank are exactly those `prepareEpoch`
    /// announced there; a run resumed mid-epoch announces only the remaining batches' samples.
    func testPrepareEpochAnnouncesWhatLossSumAsks() throws {
        let folder = try makeTemporaryDirectory("sharded-epoch")
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = DataParallelTrainerTests.data(count: 29)
        for (stop, resume) in [(7, false), (nil, true)] as [(Int?, Bool)] {
            let options = TrainingOptions(epochs: 3, batchSize: 6, checkpointDirectory: folder.path, stopAfterSteps: stop)
            let logs = try ThreadedWorld.run(size: 3) { comm -> [String] in
                var announced: [Int: [Int]] = [:], asked: [Int: [Int]] = [:], epoch = -1
                let loss = DataParallelTrainerTests.lossSum(data)
                _ = try DataParallelTrainer(options: options, communicator: comm).train(
                    initial: DataParallelTrainerTests.model.makeParameters(seed: 11), sampleCount: 29, resume: resume,
                    lossSum: { samples, parameters in
                        asked[epoch, default: []] += samples
                        return loss(samples, &parameters)
                    },
                    prepareEpoch: { e, samples in
                        epoch = e
                        announced[e] = samples
                    })
                return announced.keys.sorted().map { e in
                    "epoch \(e): announced \(announced[e]!.count), asked \(asked[e, default: []].count), "
                        + (announced[e]! == asked[e, default: []] ? "same"
                            : announced[e]!.starts(with: asked[e, default: []]) ? "prefix" : "DIFFERENT")
                }
            }
            for (rank, log) in logs.enumerated() {
                XCTAssertFalse(log.isEmpty)
                // The stopped run leaves its last epoch part-way: it asked for the first batches' samples only.
                for (i, line) in log.enumerated() {
                    let last = i == log.count - 1 && stop != nil
                    XCTAssertTrue(line.hasSuffix(last ? "prefix" : "same"), "rank \(rank): \(line)")
                }
            }
            // 29 samples, batch 6: 5 steps per epoch; the stop after 7 steps falls in epoch 1 (batch 2), so the
            // resumed run starts there with 3 batches left: 6 + 6 + 5 = 17 samples over the 3 ranks.
            if resume {
                let first = logs.map { $0[0] }
                XCTAssertTrue(first.allSatisfy { $0.hasPrefix("epoch 1:") }, "\(first)")
                let counts = first.map { Int($0.split(separator: " ")[3].dropLast())! }
                XCTAssertEqual(counts.reduce(0, +), 17, "\(first)")
            }
        }
    }
}
