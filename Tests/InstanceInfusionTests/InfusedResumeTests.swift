import Core
import Foundation
import InstanceInfusion
import Storage
import TestSupport
import Training
import XCTest

/// `train-infused` checkpoints through `DataParallelTrainer` with its own state as `CheckpointExtras`: a run
/// stopped anywhere and resumed (once or twice) writes the same model file, bit for bit, as an uninterrupted run,
/// on 1 and 2 ranks. The stops fall mid-epoch after a retrieval refresh (the ids of that epoch come from θ of
/// the refresh, which the mid-epoch checkpoint no longer holds: only the stored ids give the same steps) and at
/// an epoch boundary (the refresh and the per-rank penalty sums must be in that checkpoint).
extension InfusedTrainingTests {
    func testStoppedAndResumedRunsWriteTheSameModel() throws {
        let p = try prepare()
        for ranks in [1, 2] {
            let base = infused(p.target, p.model, ranks == 1 ? p.one : p.two, epochs: 3)
            let whole = try InfusedModelFile.read(
                path: try runResumable(base, "whole", ranks: ranks, stopAfter: nil, resume: false))
            // 36 training documents, batch 8: 5 steps per epoch. 7 = epoch 2, step 2 (after the first refresh);
            // 5 = the end of epoch 1; then 4 more = epoch 3, step 1.
            for (name, stops) in [("mid", [7, 4]), ("boundary", [5])] {
                for (i, stop) in stops.enumerated() {
                    let output = try runResumable(base, name, ranks: ranks, stopAfter: stop, resume: i > 0)
                    XCTAssertFalse(FileManager.default.fileExists(atPath: output),
                                   "\(ranks) rank(s), \(name): an interrupted run wrote a model")
                }
                let resumed = try InfusedModelFile.read(
                    path: try runResumable(base, name, ranks: ranks, stopAfter: nil, resume: true))
                XCTAssertEqual(resumed.parameters, whole.parameters, "\(ranks) rank(s), \(name): θ")
                XCTAssertEqual(resumed.history, whole.history, "\(ranks) rank(s), \(name): curves")
                XCTAssertEqual(resumed.attributes, whole.attributes, "\(ranks) rank(s), \(name): attributes")
                XCTAssertEqual(Set(whole.history.keys), ["mean_loss", "mean_penalty", "test_accuracy", "test_macro_f1"])
                XCTAssertEqual(whole.history["mean_penalty"]?.count, 3)
            }
        }
    }

    /// A checkpoint holds every rank's penalty sums, so it resumes only on its own rank count: 1 → 2 is refused,
    /// naming what does not fit, on every rank (no rank waits for the others).
    func testResumeOnAnotherRankCountIsRefused() throws {
        let p = try prepare()
        var c = infused(p.target, p.model, p.one, epochs: 2)
        c.training.checkpointDirectory = path("ranks")
        c.training.stopAfterSteps = 3
        try FileManager.default.createDirectory(atPath: path("ranks"), withIntermediateDirectories: true)
        _ = try InfusedTrainingStage(c).run(communicator: SingleProcessCommunicator())
        c.training.stopAfterSteps = nil
        c.resume = true  // the 1-rank index loads on 2 ranks (re-sharded): only the checkpoint is in the way
        let resumed = c
        XCTAssertThrowsError(try ThreadedWorld.run(size: 2) { comm in try InfusedTrainingStage(resumed).run(communicator: comm) }) { error in
            XCTAssertTrue("\(error)".contains("its extra/penalty is 2 values, not 4"), "\(error)")
        }
    }

    /// A checkpoint of another setting (λ) is refused with the setting named, before any step.
    func testResumeRefusesACheckpointOfOtherSettings() throws {
        let p = try prepare()
        var c = infused(p.target, p.model, p.one, epochs: 2)
        c.training.checkpointDirectory = path("ckpt")
        c.training.stopAfterSteps = 3
        try FileManager.default.createDirectory(atPath: path("ckpt"), withIntermediateDirectories: true)
        _ = try InfusedTrainingStage(c).run(communicator: SingleProcessCommunicator())
        c.training.stopAfterSteps = nil
        c.resume = true
        c.penaltyScale = 0.5
        XCTAssertThrowsError(try InfusedTrainingStage(c).run(communicator: SingleProcessCommunicator())) { error in
            XCTAssertTrue("\(error)".contains("penalty_scale: checkpoint 0.0001, now 0.5"), "\(error)")
        }
    }
}
