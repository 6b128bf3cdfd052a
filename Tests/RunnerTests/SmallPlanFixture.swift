import Foundation
import Runner
import Stages
import TestSupport
import XCTest

/// The small config the plan tests work out by hand: six two-class documents (`texts.csv`) and an 8-image
/// synthetic set (labels n mod 3: classes a, b, c with 3, 3, 2 images) through fisher → split → annotate and
/// train-text → embed → index → query / train-infused.
enum SmallPlanFixture {
    static func plan(in folder: URL, ranks: Int) throws -> RunnerPlan {
        let csv = "text,label\n" + (0 ..< 6).map { "word\($0) common text,\($0 % 2 == 0 ? "x" : "y")\n" }.joined()
        try Data(csv.utf8).write(to: folder.appendingPathComponent("texts.csv"))
        let json = """
            {"out": "out",
             "datasets": {"img": {"kind": "synthetic", "count": 8, "width": 32, "height": 32},
                          "t": {"kind": "csv", "data": "texts.csv"}},
             "stages": [
               {"name": "fv", "type": "fisher", "dataset": "img", "params": {"components": 2, "pca_dims": 4}},
               {"name": "split", "type": "split", "inputs": {"fv": "fv"}},
               {"name": "svm", "type": "annotate", "inputs": {"fv": "fv", "manifest": "split"}},
               {"name": "lstm", "type": "train-text", "dataset": "t",
                "params": {"vocab_size": 50, "embedding_size": 4, "hidden_size": 3, "context_size": 2}},
               {"name": "embed", "type": "embed", "dataset": "t", "inputs": {"model": "lstm"}},
               {"name": "index", "type": "index", "inputs": {"embeddings": "embed"}, "params": {"trees": 4}},
               {"name": "query", "type": "query", "inputs": {"index": "index", "queries": "embed"}, "params": {"neighbours": 3}},
               {"name": "infused", "type": "train-infused", "dataset": "t", "inputs": {"model": "lstm", "index": "index"}}
             ]}
            """
        let path = folder.appendingPathComponent("c.json").path
        try Data(json.utf8).write(to: URL(fileURLWithPath: path))
        return try Runner(config: try RunnerConfig.load(path, stageTypes: allStageTypes)).plan(ranks: ranks)
    }

    /// The repository's root (this file is Tests/RunnerTests/SmallPlanFixture.swift).
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// data/pipelines/default.json with its out in `folder`, its graph paths absolute and its Debian corpus pointed at
    /// a missing file (a plan must not read it); skips without dataset-fashion-mnist. Returns the config's path.
    static func defaultConfig(in folder: URL) throws -> String {
        guard FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz") else {
            throw XCTSkip("dataset-fashion-mnist is not installed")
        }
        var text = try String(contentsOfFile: repository.path + "/data/pipelines/default.json", encoding: .utf8)
        text = text.replacingOccurrences(of: "\"../../out/default\"", with: "\"\(folder.path)/out\"")
        text = text.replacingOccurrences(of: "\"../label-graphs/", with: "\"\(repository.path)/data/label-graphs/")
        text = text.replacingOccurrences(of: "\"kind\": \"debian\",", with: "\"kind\": \"debian\", \"data\": \"\(folder.path)/none.txt\",")
        let path = folder.appendingPathComponent("default.json").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }
}
