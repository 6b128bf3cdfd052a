import Core
import Foundation
import LinearAlgebra
import Runner
import TestSupport
import XCTest

/// The `train-infused` runner stage through the runner: a tiny CSV corpus → train-text → embed → index →
/// train-infused (the corpus is its own source, `exclude_self`), skipped when unchanged, and a changed `penalty`
/// reruns train-infused only.
final class RunnerInfusedStageTests: XCTestCase {
    /// 3 classes of 16 documents: 4 of the class's 6 topic words among 4 of 40 noise words (seeded, no duplicates).
    static func corpus() -> String {
        let topics = [["stock", "market", "shares", "bank", "profit", "trade"],
                      ["goal", "match", "team", "cup", "coach", "league"],
                      ["vote", "party", "minister", "poll", "election", "law"]]
        var rng = SeededRandom(seed: 5)
        var lines = ["text,label"]
        for i in 0 ..< 48 {
            var words: [String] = []
            for _ in 0 ..< 4 {
                words.append(topics[i % 3][rng.bounded(6)])
                words.append("w\(rng.bounded(40))")
            }
            lines.append(words.joined(separator: " ") + ",class\(i % 3)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func config(_ folder: URL, penalty: Double) throws -> RunnerConfig {
        let csv = folder.appendingPathComponent("corpus.csv")
        try Data(Self.corpus().utf8).write(to: csv)
        let json = """
            {"out": "\(folder.path)/out", "datasets": {"t": {"kind": "csv", "data": "\(csv.path)"}},
             "stages": [
               {"name": "lstm", "type": "train-text", "dataset": "t",
                "params": {"epochs": 2, "batch_size": 8, "learning_rate": 0.02, "embedding_size": 8, "hidden_size": 6,
                           "context_size": 5, "min_count": 1, "test_fraction": 0.25, "seed": 3}},
               {"name": "embed", "type": "embed", "dataset": "t", "inputs": {"model": "lstm"}},
               {"name": "index", "type": "index", "inputs": {"embeddings": "embed"}, "params": {"trees": 4, "max_depth": 10}},
               {"name": "infused", "type": "train-infused", "dataset": "t", "inputs": {"model": "lstm", "index": "index"},
                "params": {"epochs": 2, "batch_size": 8, "neighbours": 3, "penalty": \(penalty), "exclude_self": true,
                           "test_fraction": 0.25, "seed": 3}}
             ]}
            """
        let path = folder.appendingPathComponent("cfg.json").path
        try Data(json.utf8).write(to: URL(fileURLWithPath: path))
        return try RunnerConfig.load(path, stageTypes: allStageTypes)
    }

    func actions(_ runs: [Runner.StageRun]) -> [String] { runs.map { "\($0.name):\($0.action.rawValue)" } }

    func testRunsSkipsAndAChangedPenaltyRerunsOnlyTrainInfused() throws {
        let folder = try makeTemporaryDirectory("runner-infused")
        let comm = SingleProcessCommunicator()
        XCTAssertEqual(actions(try Runner(config: try config(folder, penalty: 1e-4), verbosity: .quiet).run(communicator: comm)),
                       ["lstm:ran", "embed:ran", "index:ran", "infused:ran"])
        let infused = folder.path + "/out/infused/infused.h5"
        XCTAssertTrue(FileManager.default.fileExists(atPath: infused))
        let manifest = try RunnerManifest.read(out: folder.path + "/out")
        XCTAssertEqual(manifest.stages["infused"]?.status, "done")
        XCTAssertEqual(manifest.stages["infused"]?.outputs["infused.h5"], try RunnerDigest.of(infused))
        let report = try String(contentsOfFile: folder.path + "/out/report.md", encoding: .utf8)
        XCTAssertTrue(report.contains("## infused (train-infused)"), report)
        // 48 documents, a quarter held out: 36 training and 12 held-out documents.
        XCTAssertTrue(report.contains("36 training and 12 held-out documents, k = 3"), report)
        XCTAssertTrue(report.contains("Held-out accuracy: the pre-trained bi-LSTM"), report)
        XCTAssertTrue(report.contains("after joint training **"), report)
        XCTAssertTrue(report.contains("| 2 | "), "the loss table has both epochs:\n\(report)")
        XCTAssertTrue(report.contains("| epoch | mean loss | of which λ‖z_s − z_t‖² |"), "the penalty has its column")

        XCTAssertEqual(actions(try Runner(config: try config(folder, penalty: 1e-4), verbosity: .quiet).run(communicator: comm)),
                       ["lstm:skipped", "embed:skipped", "index:skipped", "infused:skipped"])
        let first = try RunnerDigest.of(infused)
        let changed = try config(folder, penalty: 0.5)
        XCTAssertEqual(try Runner(config: changed).status(ranks: 1).map(\.state), [.done, .done, .done, .stale])
        XCTAssertEqual(actions(try Runner(config: changed, verbosity: .quiet).run(communicator: comm)),
                       ["lstm:skipped", "embed:skipped", "index:skipped", "infused:ran"])
        XCTAssertNotEqual(try RunnerDigest.of(infused), first, "another λ trains another model")
        XCTAssertTrue(try String(contentsOfFile: folder.path + "/out/report.md", encoding: .utf8).contains("λ = 0.5"))
    }
}
