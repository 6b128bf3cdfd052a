import Core
import Foundation
import InstanceInfusion
import Stages
import Storage
import TestSupport
import Training
import XCTest

/// `train-text`'s `data.corpus` is stored relative to the file that holds it (model.h5, the checkpoint), like every
/// other header path; a checkpoint written before that (the path as given) still resumes, and one of another corpus
/// is refused with the setting and the fix named.
final class TextCorpusPathTests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws { root = try makeTemporaryDirectory("text-corpus-path") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    /// 24 documents, 2 classes, in `data/corpus.csv` (a folder apart from the run's, so the stored path has a `..`).
    func writeCorpus(_ name: String = "corpus.csv") throws -> String {
        let folder = root.appendingPathComponent("data").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let lines = ["text,label"] + (0 ..< 24).map { "word\($0 % 5) topic\($0 % 2) text,c\($0 % 2)" }
        try lines.joined(separator: "\n").write(toFile: folder + "/" + name, atomically: true, encoding: .utf8)
        return folder + "/" + name
    }

    func configuration(_ csv: String, stopAfter: Int? = nil, resume: Bool = false) throws -> TextTrainingStage.Configuration {
        let folder = root.appendingPathComponent("run/lstm").path
        try FileManager.default.createDirectory(atPath: folder + "/checkpoint", withIntermediateDirectories: true)
        var c = TextTrainingStage.Configuration(
            source: TextCorpusSource(kind: .csv, path: csv), split: .fold(0, of: 4),
            training: TrainingOptions(epochs: 3, batchSize: 6, learningRate: 0.02, checkpointDirectory: folder + "/checkpoint",
                                      stopAfterSteps: stopAfter))
        (c.embeddingSize, c.hiddenSize, c.contextSize, c.minimumCount) = (4, 3, 2, 1)
        c.outputPath = folder + "/model.h5"
        c.resume = resume
        return c
    }

    var checkpoint: String { root.appendingPathComponent("run/lstm/checkpoint/checkpoint.h5").path }

    func corpusAttribute(_ path: String) throws -> String {
        let file = try HDF5File.open(path: path)
        defer { try? file.close() }
        return try file.attribute("data.corpus", as: String.self)
    }

    /// Replaces the checkpoint's `data.corpus` (what a build before this change wrote: the path as given).
    func rewriteCheckpointCorpus(_ value: String) throws {
        let file = try HDF5File.open(path: checkpoint, mode: .readWrite)
        try file.setAttribute("data.corpus", value)
        try file.close()
    }

    func testTheCorpusPathIsStoredRelativeToEachFile() throws {
        let csv = try writeCorpus()
        let c = try configuration(csv)
        _ = try TextTrainingStage(c).run(communicator: SingleProcessCommunicator())
        // run/lstm/model.h5 → ../../data/corpus.csv; run/lstm/checkpoint/checkpoint.h5 → ../../../data/corpus.csv.
        XCTAssertEqual(try corpusAttribute(c.outputPath!), "../../data/corpus.csv")
        XCTAssertEqual(try corpusAttribute(checkpoint), "../../../data/corpus.csv")
        XCTAssertEqual(ArtifactHeader.resolvedPath(try corpusAttribute(c.outputPath!), in: c.outputPath!),
                       URL(fileURLWithPath: csv).standardizedFileURL.path)
    }

    /// A checkpoint whose `data.corpus` is the absolute path, or the path relative to the working directory (both
    /// as older builds stored it), resumes and ends with the bits of an uninterrupted run.
    func testACheckpointWithThePathAsGivenStillResumes() throws {
        let csv = try writeCorpus()
        let whole = try configuration(csv)
        _ = try TextTrainingStage(whole).run(communicator: SingleProcessCommunicator())
        let reference = try TextModelFile.read(path: whole.outputPath!).parameters
        let cwd = FileManager.default.currentDirectoryPath
        let fromCwd = String(repeating: "../", count: cwd.split(separator: "/").count) + String(csv.dropFirst())
        for given in [csv, fromCwd] {
            try FileManager.default.removeItem(atPath: root.appendingPathComponent("run").path)
            // 18 training documents, batch 6: 3 steps per epoch; stop inside epoch 2.
            let stopped = try TextTrainingStage(try configuration(csv, stopAfter: 4)).run(communicator: SingleProcessCommunicator())
            XCTAssertFalse(stopped.finished)
            try rewriteCheckpointCorpus(given)
            let resumed = try TextTrainingStage(try configuration(csv, resume: true)).run(communicator: SingleProcessCommunicator())
            XCTAssertTrue(resumed.finished, given)
            XCTAssertEqual(try TextModelFile.read(path: whole.outputPath!).parameters, reference, "resumed from \(given)")
        }
    }

    /// A checkpoint of another corpus file is refused, naming the setting, both values and the fix.
    func testACheckpointOfAnotherCorpusIsRefusedWithTheFix() throws {
        let csv = try writeCorpus(), other = try writeCorpus("other.csv")
        _ = try TextTrainingStage(try configuration(csv, stopAfter: 4)).run(communicator: SingleProcessCommunicator())
        try rewriteCheckpointCorpus(other)
        XCTAssertThrowsError(try TextTrainingStage(try configuration(csv, resume: true)).run(communicator: SingleProcessCommunicator())) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("data.corpus: checkpoint \"\(other)\""), message)
            XCTAssertTrue(message.contains("start over without --resume"), message)
        }
    }
}
