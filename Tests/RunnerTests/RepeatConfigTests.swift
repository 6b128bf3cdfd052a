import Foundation
@testable import Runner
import Stages
import TestSupport
import XCTest

/// The `repeat` block: seeds × folds expanded into each repetition's stage parameters, the shared stages, and
/// every refusal naming its key and the fix.
final class RepeatConfigTests: XCTestCase {
    /// A text pipeline: `pre` (listed shared) → `emb` (no seed or fold, input shared: shared too); `a`, `b`
    /// (train-text: seed and fold) and `idx` (seed) → `q` (no seed, but its input repeats) repeat.
    static func json(out: String, repeatBlock: String, a: String = "\"epochs\": 1", extraStage: String = "") -> String {
        """
        {"out": "\(out)", "title": "repeat",
         "datasets": {"t": {"kind": "csv", "data": "corpus.csv"}},
         \(repeatBlock.isEmpty ? "" : "\"repeat\": \(repeatBlock),")
         "stages": [
           {"name": "pre", "type": "train-text", "dataset": "t",
            "params": {"epochs": 1, "batch_size": 8, "embedding_size": 6, "hidden_size": 4, "context_size": 4, "min_count": 1,
                       "test_fraction": 0.25, "seed": 3}},
           {"name": "emb", "type": "embed", "dataset": "t", "inputs": {"model": "pre"}},
           {"name": "a", "type": "train-text", "dataset": "t",
            "params": {\(a), "batch_size": 8, "embedding_size": 6, "hidden_size": 4, "context_size": 4, "min_count": 1}},
           {"name": "b", "type": "train-text", "dataset": "t",
            "params": {"epochs": 3, "learning_rate": 0.03, "batch_size": 8, "embedding_size": 6, "hidden_size": 4, "context_size": 4,
                       "min_count": 1}},
           {"name": "idx", "type": "index", "inputs": {"embeddings": "emb"}, "params": {"trees": 2, "max_depth": 8}},
           {"name": "q", "type": "query", "inputs": {"index": "idx", "queries": "emb"}, "params": {"neighbours": 3}}\(extraStage)
         ]}
        """
    }

    static let block = """
        {"seeds": [1, 2], "folds": 2, "shared": ["pre"], "compare": [{"method": "b.accuracy", "baseline": "a.accuracy"}]}
        """

    func parse(_ text: String) throws -> RunnerConfig {
        let root = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        return try RunnerConfig.parse(root, file: "cfg.json", stageTypes: allStageTypes)
    }

    func testSeedsTimesFoldsBecomeEachRepetitionsParameters() throws {
        let config = try parse(Self.json(out: "/tmp/r", repeatBlock: Self.block))
        let spec = try XCTUnwrap(config.repetition)
        XCTAssertEqual(spec.repeated, ["a", "b", "idx", "q"], "pre is listed shared, emb reads only it")
        XCTAssertEqual(spec.repetitions.map(\.folder), ["rep-seed1-fold1", "rep-seed1-fold2", "rep-seed2-fold1", "rep-seed2-fold2"])
        XCTAssertEqual(spec.compare, [.init(method: .init(stage: "b", metric: "accuracy"), baseline: .init(stage: "a", metric: "accuracy"),
                                            higherIsBetter: true)])
        XCTAssertEqual(spec.alpha, 0.05)
        let runner = RepeatRunner(config: config)
        XCTAssertEqual(runner.sharedConfiguration()?.stages.map(\.name), ["pre", "emb"])
        XCTAssertEqual(runner.sharedConfiguration()?.out, "/tmp/r/shared")

        let r = spec.repetitions[2]  // seed 2, fold 1/2
        let c = runner.configuration(of: r)
        XCTAssertEqual(c.out, "/tmp/r/rep-seed2-fold1")
        XCTAssertEqual(c.external, ["pre": "/tmp/r/shared", "emb": "/tmp/r/shared"])
        XCTAssertEqual(c.folder(of: "emb"), "/tmp/r/shared/emb")
        XCTAssertEqual(c.folder(of: "idx"), "/tmp/r/rep-seed2-fold1/idx")
        let stage = { (name: String) in c.stages.first { $0.name == name }! }
        for name in ["a", "b"] {
            XCTAssertEqual(stage(name).parameters.values["seed"], .int(2), name)
            XCTAssertEqual(stage(name).parameters.values["fold"], .string("1/2"), name)
        }
        XCTAssertEqual(stage("idx").parameters.values["seed"], .int(2))
        XCTAssertEqual(stage("pre").parameters.values["seed"], .int(3), "a shared stage keeps its own seed")
        XCTAssertNil(stage("pre").parameters.values["fold"].flatMap { $0 == .null ? nil : $0 })

        // The stage key text equals that of a config which wrote the values itself: a repetition's stage is the
        // stage the user would have written, so its key (and a later hand-written run) agree.
        let written = try parse(Self.json(out: "/tmp/r", repeatBlock: "", a: "\"epochs\": 1, \"seed\": 2, \"fold\": \"1/2\""))
        XCTAssertEqual(stage("a").keyParameters, written.stages.first { $0.name == "a" }!.keyParameters)
        XCTAssertEqual(stage("a").parameters.canonical, written.stages.first { $0.name == "a" }!.parameters.canonical)
    }

    func testWithoutFoldsTheSeedsAloneRepeat() throws {
        let config = try parse(Self.json(out: "/tmp/r", repeatBlock: "{\"seeds\": [4, 0, 9], \"shared\": [\"pre\"]}"))
        let spec = try XCTUnwrap(config.repetition)
        XCTAssertEqual(spec.repetitions.map(\.folder), ["rep-seed4", "rep-seed0", "rep-seed9"])
        let c = RepeatRunner(config: config).configuration(of: spec.repetitions[1])
        XCTAssertEqual(c.stages[2].parameters.values["seed"], .int(0))
        XCTAssertEqual(c.stages[2].parameters.values["fold"], .null, "no folds: the fold stays as written (none)")
        // pre writes its seed: unless it is listed shared, that is refused (its seed would be replaced).
        XCTAssertThrowsError(try parse(Self.json(out: "/tmp/r", repeatBlock: "{\"seeds\": [4, 0, 9]}"))) { error in
            XCTAssertTrue("\(error)".contains("'stages[0].params.seed' = 3 is set by repeat.seeds in every repetition; remove it (or list pre in repeat.shared to keep it)"), "\(error)")
        }
        // With pre's seed left out, every stage repeats and nothing is shared.
        let unshared = try parse(Self.json(out: "/tmp/r", repeatBlock: "{\"seeds\": [4, 0]}").replacingOccurrences(of: ", \"seed\": 3", with: ""))
        XCTAssertEqual(unshared.repetition?.repeated, ["pre", "emb", "a", "b", "idx", "q"])
        XCTAssertNil(RepeatRunner(config: unshared).sharedConfiguration())
        XCTAssertEqual(try parse(Self.json(out: "/tmp/r", repeatBlock: "{\"seeds\": [0], \"shared\": [\"pre\"], \"folds\": [\"2/5\", \"4/5\"]}"))
            .repetition?.repetitions.map(\.label), ["seed 0, fold 2/5", "seed 0, fold 4/5"])
    }

    func testRefusalsNameTheKeyAndTheFix() {
        let cases: [(block: String, a: String, expected: String)] = [
            ("{\"shared\": [\"pre\"], \"seeds\": [0], \"fold\": 2}", "\"epochs\": 1", "unknown key 'repeat.fold'"),
            ("{\"shared\": [\"pre\"], \"folds\": 2}", "\"epochs\": 1", "missing key 'repeat.seeds'"),
            ("{\"shared\": [\"pre\"], \"seeds\": []}", "\"epochs\": 1", "missing key 'repeat.seeds'"),
            ("{\"shared\": [\"pre\"], \"seeds\": [1, 1]}", "\"epochs\": 1", "'repeat.seeds[1]' = 1 repeats an earlier seed"),
            ("{\"shared\": [\"pre\"], \"seeds\": [-1]}", "\"epochs\": 1", "'repeat.seeds[0]' = -1 must be an integer ≥ 0"),
            ("{\"shared\": [\"pre\"], \"seeds\": [0], \"folds\": 1}", "\"epochs\": 1", "'repeat.folds' = 1 must be at least 2"),
            ("{\"shared\": [\"pre\"], \"seeds\": [0], \"folds\": [\"1/3\", \"2/4\"]}", "\"epochs\": 1", "'repeat.folds[1]' = 2/4 has K = 4 but repeat.folds[0] has K = 3"),
            ("{\"shared\": [\"pre\"], \"seeds\": [0], \"folds\": [\"0/3\"]}", "\"epochs\": 1", "must be k/K with 1 ≤ k ≤ K"),
            ("{\"shared\": [\"pre\"], \"seeds\": [0, 1]}", "\"epochs\": 1, \"seed\": 5", "'stages[2].params.seed' = 5 is set by repeat.seeds"),
            ("{\"shared\": [\"pre\"], \"seeds\": [0], \"folds\": 3}", "\"epochs\": 1, \"fold\": \"1/3\"", "'stages[2].params.fold' = \"1/3\" is set by repeat.folds"),
            ("{\"shared\": [\"pre\"], \"seeds\": [0], \"folds\": 3}", "\"epochs\": 1, \"test_fraction\": 0.2", "'stages[2].params.test_fraction' = 0.2 cannot be given with repeat.folds"),
            ("{\"seeds\": [0, 1], \"shared\": [\"pre\", \"q\"]}", "\"epochs\": 1", "'repeat.shared' = q reads inputs.index = idx, which repeats"),
            ("{\"seeds\": [0, 1], \"shared\": [\"nope\"]}", "\"epochs\": 1", "'repeat.shared[0]' = nope names no stage"),
            ("{\"shared\": [\"pre\"], \"seeds\": [0, 1], \"compare\": [{\"method\": \"zz.accuracy\", \"baseline\": \"a.accuracy\"}]}", "\"epochs\": 1",
             "'repeat.compare[0].method' = zz.accuracy is not \"STAGE.metric\""),
            ("{\"seeds\": [0, 1], \"shared\": [\"pre\"], \"compare\": [{\"method\": \"pre.accuracy\", \"baseline\": \"a.accuracy\"}]}",
             "\"epochs\": 1", "names pre, which runs once (shared)"),
            ("{\"shared\": [\"pre\"], \"seeds\": [0], \"compare\": [{\"method\": \"b.accuracy\", \"baseline\": \"a.accuracy\"}]}", "\"epochs\": 1",
             "needs at least 2 repetitions for a paired test, and seeds × folds gives 1"),
            ("{\"shared\": [\"pre\"], \"seeds\": [0, 1], \"compare\": [{\"method\": \"b.accuracy\", \"baseline\": \"a.accuracy\", \"better\": \"more\"}]}",
             "\"epochs\": 1", "'repeat.compare[0].better' = more must be higher"),
            ("{\"shared\": [\"pre\"], \"seeds\": [0, 1], \"alpha\": 1.5}", "\"epochs\": 1", "'repeat.alpha' = 1.5 must be a number strictly between 0 and 1"),
            ("{\"seeds\": [0, 1], \"folds\": 2, \"shared\": [\"pre\", \"a\", \"b\"]}", "\"epochs\": 1, \"seed\": 1",
             "but every stage that takes a fold (pre, a, b) is shared"),
        ]
        for (block, a, expected) in cases {
            XCTAssertThrowsError(try parse(Self.json(out: "/tmp/r", repeatBlock: block, a: a)), block) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(block): \(error)")
                XCTAssertTrue("\(error)".hasPrefix("cfg.json"), "the message names the file: \(error)")
            }
        }
    }
}
