import Foundation
import TestSupport
import XCTest

/// Resume after failure, through the CLI: a pipeline (Fisher vectors → split → SVM; bi-LSTM → embed → index →
/// query) is killed by the fault-injection switch in the middle of the encode shard loop, then in the middle of
/// training; rerunning the same command each time finishes the job, and every output's content hash equals that
/// of an uninterrupted run in the same folder (the outputs name their input paths, so the folder must match).
final class RunFaultTests: XCTestCase {
    static let texts = threeClassTexts(documents: 90, seed: 1)

    func writeConfig(_ folder: URL) throws -> String {
        try Data(Self.texts.utf8).write(to: folder.appendingPathComponent("texts.csv"))
        let json = """
            {"out": "\(folder.path)/out", "title": "fault test",
             "datasets": {"blobs": {"kind": "synthetic", "count": 24, "width": 32, "height": 32, "seed": 3},
                          "texts": {"kind": "csv", "data": "\(folder.path)/texts.csv"}},
             "stages": [
               {"name": "fv", "type": "fisher", "dataset": "blobs",
                "params": {"components": 4, "pca_dims": 8, "sample_size": 2000, "iterations": 5, "chunk_size": 4}},
               {"name": "split", "type": "split", "inputs": {"fv": "fv"}},
               {"name": "svm", "type": "annotate", "inputs": {"fv": "fv", "manifest": "split"}},
               {"name": "lstm", "type": "train-text", "dataset": "texts",
                "params": {"epochs": 3, "batch_size": 8, "embedding_size": 8, "hidden_size": 6, "context_size": 5,
                           "min_count": 1, "checkpoint_every_steps": 2}},
               {"name": "embed", "type": "embed", "dataset": "texts", "inputs": {"model": "lstm"}},
               {"name": "index", "type": "index", "inputs": {"embeddings": "embed"}, "params": {"trees": 4}},
               {"name": "query", "type": "query", "inputs": {"index": "index", "queries": "embed"}, "params": {"neighbours": 3, "exclude_self": true}}
             ]}
            """
        let path = folder.appendingPathComponent("cfg.json").path
        try Data(json.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Stage name → its outputs' content hashes, from the manifest.
    static func outputHashes(_ folder: URL) throws -> [String: [String: String]] {
        let data = try Data(contentsOf: folder.appendingPathComponent("out/run-manifest.json"))
        let manifest = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        let stages = manifest?["stages"] as? [String: [String: Any]] ?? [:]
        return stages.mapValues { $0["outputs"] as? [String: String] ?? [:] }
    }

    /// Runs the scenario with `launch` (a world of one, or mpirun -np 2).
    func killAndResume(ranks: Int, launch: ([String], [String: String]) throws -> (status: Int32, output: String)) throws {
        let folder = try makeTemporaryDirectory("run-fault")
        let config = try writeConfig(folder)
        let clean = try launch(["run", config], [:])
        XCTAssertEqual(clean.status, 0, clean.output)
        let expected = try Self.outputHashes(folder)
        XCTAssertEqual(expected.count, 7)
        try FileManager.default.removeItem(at: folder.appendingPathComponent("out"))

        let failing = ranks > 1 ? 1 : 0
        let killedInEncode = try launch(["run", config], ["TRIBUTARY_FAIL_AT": "encode:2"])
        XCTAssertNotEqual(killedInEncode.status, 0, killedInEncode.output)
        XCTAssertTrue(killedInEncode.output.contains("[rank \(failing)] fault injected at encode:2"), killedInEncode.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.path + "/out/fv/fv.h5"), "no complete-looking fv.h5 after the kill")

        let killedInTraining = try launch(["run", config], ["TRIBUTARY_FAIL_AT": "train:3"])
        XCTAssertNotEqual(killedInTraining.status, 0, killedInTraining.output)
        XCTAssertTrue(killedInTraining.output.contains("fv (fisher): resuming"), killedInTraining.output)
        XCTAssertTrue(killedInTraining.output.contains("fault injected at train:3"), killedInTraining.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.path + "/out/lstm/model.h5"))

        let resumed = try launch(["run", config], [:])
        XCTAssertEqual(resumed.status, 0, resumed.output)
        XCTAssertTrue(resumed.output.contains("fv (fisher): unchanged, skipped"), resumed.output)
        XCTAssertTrue(resumed.output.contains("lstm (train-text): resuming"), resumed.output)
        let report = try String(contentsOf: folder.appendingPathComponent("out/report.md"), encoding: .utf8)
        XCTAssertTrue(report.contains("(resumed from a checkpoint)"), report)
        XCTAssertEqual(try Self.outputHashes(folder), expected, "outputs after kill + resume differ from an uninterrupted run")
    }

    func testKillAndResumeInAWorldOfOne() throws {
        try killAndResume(ranks: 1) { arguments, environment in try runTributary(arguments, environment: environment) }
    }

    func testKillRankOneAndResumeUnderMpirunTwoRanks() throws {
        guard mpirunPath != nil else {
            print("RunFaultTests: skipped the 2-rank test: mpirun is not on PATH (install openmpi-bin)")
            throw XCTSkip("mpirun is not on PATH")
        }
        try killAndResume(ranks: 2) { arguments, extra in try runTributaryUnderMpirun(ranks: 2, arguments, environment: extra)! }
    }
}
