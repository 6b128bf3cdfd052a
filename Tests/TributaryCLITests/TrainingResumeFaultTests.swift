import Core
import Foundation
import Runner
import Storage
import TestSupport
import XCTest

/// Kill and resume of `train-infused` and `train-paths` through the CLI and the fault-injection switch
/// (`TRIBUTARY_FAIL_AT`, as `RunFaultTests` does for the pipeline): a rank is killed mid-epoch (after a
/// mid-epoch checkpoint), at an epoch boundary (its last step, before the epoch's checkpoint) and during the
/// final model write (rank 0, between `parameters` and the rename); rerunning the same command with `--resume`
/// writes a model whose every dataset and attribute (`RunnerDigest.hdf5`) equals an uninterrupted run's. In a
/// world of one and under `mpirun -np 2`. The rows of docs/reliability.md § Kill and resume: training stages.
final class TrainingResumeFaultTests: XCTestCase {
    typealias Launch = ([String], [String: String]) throws -> (status: Int32, output: String)

    var directory: URL!
    override func setUpWithError() throws { directory = try makeTemporaryDirectory("training-resume") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }
    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// (name, TRIBUTARY_FAIL_AT, failing rank, whether the resumed run starts after epoch 1).
    typealias Moment = (name: String, failAt: String, rank: Int, pastEpochOne: Bool)

    /// `command` (without --checkpoint/--out) uninterrupted, then killed at each moment and resumed.
    func killAndResume(_ command: [String], tag: String, moments: [Moment], ranks: Int, launch: Launch) throws {
        let clean = try launch(command + ["--checkpoint", path("\(tag)-clean"), "--out", path("\(tag)-clean.h5")], [:])
        XCTAssertEqual(clean.status, 0, clean.output)
        let expected = try RunnerDigest.hdf5(path("\(tag)-clean.h5"))
        for moment in moments {
            let label = "\(tag), \(ranks) rank(s), killed \(moment.name) (rank \(moment.rank))"
            let run = command + ["--checkpoint", path("\(tag)-\(moment.name)"), "--out", path("\(tag)-\(moment.name).h5")]
            let killed = try launch(run, ["TRIBUTARY_FAIL_AT": moment.failAt, "TRIBUTARY_FAIL_RANK": "\(moment.rank)"])
            XCTAssertNotEqual(killed.status, 0, "\(label): \(killed.output)")
            XCTAssertTrue(killed.output.contains("[rank \(moment.rank)] fault injected at \(moment.failAt)"), "\(label): \(killed.output)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: path("\(tag)-\(moment.name).h5")), "\(label): a model after the kill")
            let resumed = try launch(run + ["--resume"], [:])
            XCTAssertEqual(resumed.status, 0, "\(label): \(resumed.output)")
            if moment.pastEpochOne {
                XCTAssertFalse(resumed.output.contains("epoch 1/3 "), "\(label): the resumed run retrained epoch 1\n\(resumed.output)")
            }
            XCTAssertEqual(try RunnerDigest.hdf5(path("\(tag)-\(moment.name).h5")), expected, "\(label): the model differs")
        }
    }

    // MARK: - train-infused

    /// train-text → embed → index (on `ranks`) of the corpus itself (source = target, `--exclude-self`); returns
    /// the train-infused command. 90 documents, fold 1/3: 60 training documents, batch 10: 6 steps per epoch.
    func prepareInfused(ranks: Int, launch: Launch) throws -> [String] {
        let csv = path("texts.csv")
        try Data(RunFaultTests.texts.utf8).write(to: URL(fileURLWithPath: csv))
        let corpus = ["--corpus", "csv", "--data", csv]
        let sizes = ["--embedding-size", "8", "--hidden-size", "6", "--context-size", "5", "--min-count", "1"]
        var run = try runTributary(["train-text"] + corpus + sizes + ["--fold", "1/3", "--epochs", "2", "--batch-size", "10",
                                                                      "--out", path("model.h5")])
        XCTAssertEqual(run.status, 0, run.output)
        run = try runTributary(["embed"] + corpus + ["--model", path("model.h5"), "--out", path("emb.h5")])
        XCTAssertEqual(run.status, 0, run.output)
        run = try launch(["index", "--embeddings", path("emb.h5"), "--out", path("index/index.h5"), "--trees", "4",
                          "--max-depth", "10"], [:])
        XCTAssertEqual(run.status, 0, run.output)
        return ["train-infused"] + corpus + ["--model", path("model.h5"), "--index", path("index/index.h5"), "--fold", "1/3",
                                             "--epochs", "3", "--batch-size", "10", "-k", "3", "--exclude-self",
                                             "--checkpoint-every-steps", "2"]
    }

    /// Step 9 = epoch 2, batch 3 (resumed from step 8, after the first retrieval refresh); step 6 = epoch 1's last.
    /// Under 2 ranks rank 1 is killed in training, and rank 0 too mid-epoch; only rank 0 writes.
    static func infusedMoments(ranks: Int) -> [Moment] {
        [("mid-epoch", "train:9", ranks - 1, true), ("epoch-boundary", "train:6", ranks - 1, false),
         ("final-write", "write:1", 0, true)] + (ranks > 1 ? [("mid-epoch-rank-0", "train:9", 0, true)] : [])
    }

    func testTrainInfusedKillAndResumeInAWorldOfOne() throws {
        let launch: Launch = { arguments, environment in try self.runTributary(arguments, environment: environment) }
        try killAndResume(try prepareInfused(ranks: 1, launch: launch), tag: "infused", moments: Self.infusedMoments(ranks: 1),
                          ranks: 1, launch: launch)
    }

    func testTrainInfusedKillAndResumeUnderMpirunTwoRanks() throws {
        guard mpirunPath != nil else { throw XCTSkip("mpirun is not on PATH") }
        let launch: Launch = { arguments, environment in try self.runTributaryUnderMpirun(ranks: 2, arguments, environment: environment)! }
        try killAndResume(try prepareInfused(ranks: 2, launch: launch), tag: "infused", moments: Self.infusedMoments(ranks: 2),
                          ranks: 2, launch: launch)
    }

    /// Through the runner: a pipeline train-text → embed → index → train-infused killed in train-infused (step 15
    /// = epoch 3, batch 3: train-text has only 12 steps) and rerun resumes that stage from its `checkpoint/`
    /// folder; every output's content hash equals an uninterrupted run's (`RunFaultTests.outputHashes`).
    func testPipelineResumesAnInterruptedTrainInfused() throws {
        try Data(RunFaultTests.texts.utf8).write(to: URL(fileURLWithPath: path("texts.csv")))
        let json = """
            {"out": "\(path("out"))", "datasets": {"t": {"kind": "csv", "data": "\(path("texts.csv"))"}},
             "stages": [
               {"name": "lstm", "type": "train-text", "dataset": "t",
                "params": {"epochs": 2, "batch_size": 10, "embedding_size": 8, "hidden_size": 6, "context_size": 5,
                           "min_count": 1, "fold": "1/3"}},
               {"name": "embed", "type": "embed", "dataset": "t", "inputs": {"model": "lstm"}},
               {"name": "index", "type": "index", "inputs": {"embeddings": "embed"}, "params": {"trees": 4, "max_depth": 10}},
               {"name": "infused", "type": "train-infused", "dataset": "t", "inputs": {"model": "lstm", "index": "index"},
                "params": {"epochs": 3, "batch_size": 10, "neighbours": 3, "exclude_self": true, "fold": "1/3",
                           "checkpoint_every_steps": 2}}
             ]}
            """
        try Data(json.utf8).write(to: URL(fileURLWithPath: path("cfg.json")))
        let clean = try runTributary(["run", path("cfg.json")])
        XCTAssertEqual(clean.status, 0, clean.output)
        let expected = try RunFaultTests.outputHashes(directory)
        XCTAssertEqual(expected["infused"]?.keys.sorted(), ["infused.h5"])
        try FileManager.default.removeItem(atPath: path("out"))
        let killed = try runTributary(["run", path("cfg.json")], environment: ["TRIBUTARY_FAIL_AT": "train:15"])
        XCTAssertNotEqual(killed.status, 0, killed.output)
        XCTAssertTrue(killed.output.contains("fault injected at train:15"), killed.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("out/infused/infused.h5")))
        let resumed = try runTributary(["run", path("cfg.json")])
        XCTAssertEqual(resumed.status, 0, resumed.output)
        XCTAssertTrue(resumed.output.contains("lstm (train-text): unchanged, skipped"), resumed.output)
        XCTAssertTrue(resumed.output.contains("infused (train-infused): resuming the interrupted run"), resumed.output)
        XCTAssertFalse(resumed.output.contains("epoch 2/3 "), "the resumed stage retrained epoch 2\n\(resumed.output)")
        XCTAssertEqual(try RunFaultTests.outputHashes(directory), expected, "outputs after kill + resume differ")
    }

    // MARK: - train-paths

    /// A two-level graph (coarse A, B over fine a1 a2 b1 b2) and 150 4-D vectors around one centre per fine
    /// class: fine labels for rows 0 ..< 50, coarse for rows 50 ..< 150. Returns the train-paths command.
    func preparePaths(method: String) throws -> [String] {
        try GraphCLITests.graph.write(toFile: path("g.graph"), atomically: true, encoding: .utf8)
        var rng = SeededRandom(seed: 11)
        var x: [Float] = [], classes: [Int] = []
        let centres: [[Float]] = [[2, 2, 0, 0], [2, -2, 0, 1], [-2, 2, 1, 0], [-2, -2, 1, 1]]
        for _ in 0 ..< 150 {
            let c = rng.bounded(4)
            classes.append(c)
            x += centres[c].map { $0 + 0.4 * Float(rng.normal()) }
        }
        let file = try HDF5File.create(path: path("e.h5"))
        try file.write(x, shape: [150, 4], to: "embeddings")
        try file.close()
        let fine = ["a1", "a2", "b1", "b2"]
        try ("label\n" + classes[0 ..< 50].map { fine[$0] + "\n" }.joined()).write(toFile: path("fine.csv"), atomically: true, encoding: .utf8)
        try ("row,label\n" + (50 ..< 150).map { "\($0),\(classes[$0] < 2 ? "A" : "B")\n" }.joined())
            .write(toFile: path("coarse.csv"), atomically: true, encoding: .utf8)
        return ["train-paths", "--graph", path("g.graph"), "--target", "fine", "--method", method, "--epochs", "3",
                "--join", "dataset=fine,features=\(path("e.h5")),labels=\(path("fine.csv")),rows=0-50",
                "--join", "dataset=coarse,features=\(path("e.h5")),labels=\(path("coarse.csv")),rows=50-150",
                "--encoder-hidden", "16", "--batch-size", "20", "--learning-rate", "0.01", "--checkpoint-every-steps", "2"]
            + (method == "label-aug" ? ["--embedding-size", "8", "--hidden-size", "16", "--teacher-forcing", "0.7"] : [])
    }

    /// Label-aug: 150 samples, batch 20: 8 steps per epoch; step 11 = epoch 2, batch 3 (resumed from step 10).
    /// Pseudo labels: the first FFN has 50 samples (3 steps per epoch, 9 in all), so step 5 falls in its epoch 2
    /// and step 12 in the second FFN's (on the union) epoch 2.
    static func pathMoments(_ method: String, ranks: Int) -> [Moment] {
        method == "label-aug"
            ? [("mid-epoch", "train:11", ranks - 1, true), ("epoch-boundary", "train:8", ranks - 1, false),
               ("final-write", "write:1", 0, true)] + (ranks > 1 ? [("mid-epoch-rank-0", "train:11", 0, true)] : [])
            : [("first-run-mid-epoch", "train:5", ranks - 1, false), ("second-run-mid-epoch", "train:12", ranks - 1, false),
               ("final-write", "write:1", 0, true)]
    }

    func testTrainPathsKillAndResumeInAWorldOfOne() throws {
        let launch: Launch = { arguments, environment in try self.runTributary(arguments, environment: environment) }
        for method in ["label-aug", "pseudo-labels"] {
            try killAndResume(try preparePaths(method: method), tag: method, moments: Self.pathMoments(method, ranks: 1),
                              ranks: 1, launch: launch)
        }
    }

    func testTrainPathsKillAndResumeUnderMpirunTwoRanks() throws {
        guard mpirunPath != nil else { throw XCTSkip("mpirun is not on PATH") }
        let launch: Launch = { arguments, environment in try self.runTributaryUnderMpirun(ranks: 2, arguments, environment: environment)! }
        for method in ["label-aug", "pseudo-labels"] {
            try killAndResume(try preparePaths(method: method), tag: method, moments: Self.pathMoments(method, ranks: 2),
                              ranks: 2, launch: launch)
        }
    }
}
