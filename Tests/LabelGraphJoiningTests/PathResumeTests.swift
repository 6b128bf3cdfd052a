import Core
import Foundation
import LabelGraphJoining
import TestSupport
import Training
import XCTest

/// `train-paths` checkpoints through `DataParallelTrainer`: a run stopped anywhere and resumed writes the same
/// model file, bit for bit, as an uninterrupted one, for every method and on 1 and 2 ranks. Label-aug's
/// REINFORCE baseline b and step counter live outside θ (`CheckpointExtras`): without them the resumed steps
/// draw other coins and subtract another b. Pseudo-labels trains twice, each run in its own checkpoint folder.
final class PathResumeTests: XCTestCase {
    func testStoppedAndResumedRunsWriteTheSameModel() throws {
        let fixture = try PathFixture()
        defer { try? FileManager.default.removeItem(at: fixture.directory) }
        // 120 samples, batch 25: 5 steps per epoch, 3 epochs. Pseudo-labels: 60 fine samples (3 steps per epoch,
        // 9 in all) then the union; its stop after 11 steps falls in the second run.
        let cases: [(PathMethod, ranks: Int, stops: [Int])] = [
            (.labelAug, 1, [7, 5]), (.labelAug, 2, [5]), (.labelAug, 2, [7]), (.labelSet, 1, [6]), (.ffn, 1, [4]),
            (.pseudoLabels, 1, [4]), (.pseudoLabels, 1, [11]), (.pseudoLabels, 2, [9, 3]),
        ]
        XCTAssertFalse(PathTrainingStage.hasCheckpoint(in: fixture.directory.path))
        var reference: [String: PathModelFile] = [:]
        for (n, (method, ranks, stops)) in cases.enumerated() {
            func configuration(_ name: String, stopAfter: Int?, resume: Bool) throws -> PathTrainingStage.Configuration {
                var c = fixture.configuration(method, epochs: 3)
                let folder = fixture.directory.appendingPathComponent(name).path
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                c.training.checkpointDirectory = folder
                c.training.checkpointEverySteps = 2
                c.training.stopAfterSteps = stopAfter
                c.resume = resume
                c.outputPath = folder + "/model.h5"
                c.split = ["train": ["img-2", "img-0"], "test": ["img-1"]]  // recorded as given (split/<part>_ids)
                return c
            }
            func run(_ c: PathTrainingStage.Configuration) throws {
                if ranks == 1 {
                    _ = try PathTrainingStage(c).run(communicator: SingleProcessCommunicator())
                } else {
                    _ = try ThreadedWorld.run(size: 2) { comm in try PathTrainingStage(c).run(communicator: comm).parameterHash }
                }
            }
            let key = "\(method.rawValue)-\(ranks)"
            if reference[key] == nil {
                let whole = try configuration("whole-\(key)", stopAfter: nil, resume: false)
                try run(whole)
                reference[key] = try PathModelFile.read(whole.outputPath!)
            }
            let label = "\(key) stopped after \(stops)"
            for (i, stop) in stops.enumerated() {
                let c = try configuration("cut-\(n)", stopAfter: stop, resume: i > 0)
                try run(c)
                XCTAssertFalse(FileManager.default.fileExists(atPath: c.outputPath!), "\(label): an interrupted run wrote a model")
                // What the runner asks before resuming the stage (pseudo-labels: the first run's `ffn/` folder).
                XCTAssertTrue(PathTrainingStage.hasCheckpoint(in: c.training.checkpointDirectory!), label)
            }
            let last = try configuration("cut-\(n)", stopAfter: nil, resume: true)
            try run(last)
            let a = reference[key]!, b = try PathModelFile.read(last.outputPath!)
            XCTAssertEqual(b.parameters, a.parameters, "\(label): θ")
            XCTAssertEqual(b.history, a.history, "\(label): curve")
            XCTAssertEqual(b.history.count, 3, label)
            XCTAssertEqual(b.attributes, a.attributes, "\(label): attributes")
            XCTAssertEqual(b.featureMean, a.featureMean, label)
            XCTAssertEqual(b.featureScale, a.featureScale, label)
            XCTAssertEqual(b.split, ["train": ["img-2", "img-0"], "test": ["img-1"]], "\(label): the recorded split, read back")
        }
    }
}
