import Core
import Foundation
@testable import Runner
import Stages
import Storage
import TestSupport
import XCTest

/// `--one-rank-per-repetition` with a shared stage whose result depends on the rank count (`index`: one forest
/// per rank): the shared stages run once on the whole world, and each 1-rank repetition reads them with the rank
/// count they ran on (before the fix every repetition found the 2-rank index stale and stopped). The repeated
/// part: a per-seed encoder `qpre` with learning rate 0 (its parameters are its seeded initialisation, the same
/// bits on 1 or 2 ranks), its embeddings `qemb`, and `q`, their neighbours in the shared index.
final class RepeatSharedRanksTests: XCTestCase {
    static func config(in folder: URL) throws -> RunnerConfig {
        try Data(RunnerInfusedStageTests.corpus().utf8).write(to: folder.appendingPathComponent("corpus.csv"))
        let tiny = "\"batch_size\": 8, \"embedding_size\": 6, \"hidden_size\": 4, \"context_size\": 4, \"min_count\": 1"
        let json = """
            {"out": "out", "datasets": {"t": {"kind": "csv", "data": "corpus.csv"}},
             "repeat": {"seeds": [1, 2, 3], "shared": ["pre", "emb", "idx"]},
             "stages": [{"name": "pre", "type": "train-text", "dataset": "t",
                         "params": {"epochs": 1, \(tiny)}},
                        {"name": "emb", "type": "embed", "dataset": "t", "inputs": {"model": "pre"}},
                        {"name": "idx", "type": "index", "inputs": {"embeddings": "emb"}, "params": {"trees": 2, "max_depth": 8}},
                        {"name": "qpre", "type": "train-text", "dataset": "t", "params": {"epochs": 1, "learning_rate": 0, \(tiny)}},
                        {"name": "qemb", "type": "embed", "dataset": "t", "inputs": {"model": "qpre"}},
                        {"name": "q", "type": "query", "inputs": {"index": "idx", "queries": "qemb"}, "params": {"neighbours": 3}}]}
            """
        let path = folder.appendingPathComponent("cfg.json").path
        try Data(json.utf8).write(to: URL(fileURLWithPath: path))
        return try RunnerConfig.load(path, stageTypes: allStageTypes)
    }

    static func neighbours(_ out: String, _ r: RepeatSpec.Repetition) throws -> [Int64] {
        let file = try HDF5File.open(path: out + "/" + r.folder + "/q/neighbours.h5")
        defer { try? file.close() }
        return try file.read("neighbours", as: Int64.self).values
    }

    /// 2 threaded ranks, one repetition per rank: the shared index is built on 2 ranks (its record says so), every
    /// repetition runs on 1 rank and its `query` over that index returns the lists a repetition on both ranks
    /// returns (the index re-shards on load), `status` calls the shared stages done, and the aggregate is written.
    func testOneRankRepetitionsReadASharedIndexBuiltOnTwoRanks() throws {
        let spread = try makeTemporaryDirectory("repeat-shared-spread"), together = try makeTemporaryDirectory("repeat-shared-together")
        let config = try Self.config(in: spread), reference = try Self.config(in: together)
        let ran = try ThreadedWorld.run(size: 2) { comm in
            var runner = RepeatRunner(config: config, verbosity: .normal)  // not .quiet: dup2 is process-wide
            runner.oneRankPerRepetition = true
            let o = try runner.run(communicator: comm)
            return [o.aggregated ? "aggregated" : "not"] + o.repetitions.keys.sorted().map(String.init)
        }
        XCTAssertEqual(ran, [["aggregated", "0", "2"], ["aggregated", "1"]])
        _ = try ThreadedWorld.run(size: 2) { comm in try RepeatRunner(config: reference, verbosity: .normal).run(communicator: comm).aggregated }

        let shared = try RunnerManifest.read(out: spread.path + "/out/shared")
        XCTAssertEqual(shared.stages["idx"]?.ranks, 2)
        let runner = RepeatRunner(config: config)
        for r in config.repetition!.repetitions {
            let m = try RunnerManifest.read(out: spread.path + "/out/" + r.folder)
            XCTAssertEqual(m.stages["q"]?.ranks, 1, r.label)
            XCTAssertEqual(m.stages["idx"], shared.stages["idx"], "the repetition copies the shared record")
            XCTAssertEqual(try Self.neighbours(spread.path + "/out", r), try Self.neighbours(together.path + "/out", r), r.label)
            let states = try Runner(config: runner.configuration(of: r)).status(ranks: 1).map(\.state)
            XCTAssertEqual(states, [.done, .done, .done, .done, .done, .done], r.label)
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: spread.path + "/out/aggregate.md"))
    }
}
