import Foundation
@testable import Runner
import Stages
import TestSupport
import XCTest

/// A dataset's hash, and a stage's key, follow the content of the files they name, not how their paths are
/// spelled: the same files named by a relative path, an absolute one, or from a config in another folder give
/// the same hash; other bytes under the same name give another.
final class DatasetKeyTests: XCTestCase {
    /// Writes `json` as `file` (its folders created) and loads it as a config.
    func load(_ json: String, at file: String) throws -> RunnerConfig {
        let folder = (file as NSString).deletingLastPathComponent
        if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        try Data(json.utf8).write(to: URL(fileURLWithPath: file))
        return try RunnerConfig.load(file, stageTypes: allStageTypes)
    }

    func write(_ text: String, _ path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    /// Dataset `d` of the config `datasets` (`{"d": {…}}`) written at `file` (a stage reads another dataset).
    func dataset(_ datasets: String, at file: String) throws -> RunnerDataset {
        let json = #"{"out": "o", "datasets": {"img": {"kind": "synthetic", "count": 8}, "# + datasets.dropFirst()
            + #", "stages": [{"name": "fv", "type": "fisher", "dataset": "img"}]}"#
        return try load(json, at: file).datasets["d"]!
    }

    /// The hash of dataset `d` of the config `datasets` written at `file`.
    func hash(_ datasets: String, at file: String) throws -> String {
        try RunnerDatasets.materialise(try dataset(datasets, at: file), out: "o", write: false)
    }

    func testATextDatasetHashesItsBytesNotItsPath() throws {
        let root = try makeTemporaryDirectory("dataset-key").path
        let corpus = "text,label\ngoal match,sport\nbread wine,food\nteam cup,sport\n"
        try write(corpus, root + "/data/t.csv")
        // `cd root && tributary run cfg.json` keeps the path relative; `tributary run root/cfg.json` resolves it.
        let cwd = FileManager.default.currentDirectoryPath
        XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(root))
        defer { _ = FileManager.default.changeCurrentDirectoryPath(cwd) }
        let text = #"{"d": {"kind": "csv", "data": "data/t.csv", "limit": 2}}"#
        let relative = try hash(text, at: "cfg.json")
        XCTAssertEqual(try dataset(text, at: "cfg.json").string("data"), "data/t.csv")
        XCTAssertEqual(try dataset(text, at: root + "/cfg.json").string("data"), root + "/data/t.csv")
        let absolute = try hash(text, at: root + "/cfg.json")
        let elsewhere = try hash(#"{"d": {"kind": "csv", "data": "../data/./t.csv", "limit": 2}}"#, at: root + "/runs/cfg.json")
        try FileManager.default.createSymbolicLink(atPath: root + "/link", withDestinationPath: root + "/data")
        let linked = try hash(#"{"d": {"kind": "csv", "data": "\#(root)/link/t.csv", "limit": 2}}"#, at: root + "/cfg.json")
        XCTAssertEqual(relative, absolute, "relative vs absolute path")
        XCTAssertEqual(relative, elsewhere, "a config in another folder")
        XCTAssertEqual(relative, linked, "through a symbolic link")
        try write(corpus, root + "/copy/t.csv")
        XCTAssertEqual(try hash(#"{"d": {"kind": "csv", "data": "copy/t.csv", "limit": 2}}"#, at: root + "/cfg.json"), relative,
                       "the same bytes under another name are the same dataset")

        // Other bytes, or other parameters, are another dataset.
        XCTAssertNotEqual(try hash(#"{"d": {"kind": "csv", "data": "data/t.csv", "limit": 3}}"#, at: root + "/cfg.json"), relative)
        try write(corpus + "cheese soup,food\n", root + "/data/t.csv")
        XCTAssertNotEqual(try hash(#"{"d": {"kind": "csv", "data": "data/t.csv", "limit": 2}}"#, at: root + "/cfg.json"), relative)
    }

    func testImageDatasetsHashTheirFilesNotTheirPaths() throws {
        let root = try makeTemporaryDirectory("dataset-key-images").path
        // `materialise` only hashes bytes, so the files need not be real images or idx files.
        try write("a", root + "/img/a.png")
        try write("b", root + "/img/sub/b.png")
        try write("path,labels\na.png,x\n", root + "/labels.csv")
        let folder = { (data: String, labels: String) in #"{"d": {"kind": "folder", "data": "\#(data)", "labels_csv": "\#(labels)"}}"# }
        let given = try hash(folder("img", "labels.csv"), at: root + "/cfg.json")
        XCTAssertEqual(try hash(folder(root + "/img/", root + "/labels.csv"), at: root + "/cfg.json"), given)
        XCTAssertEqual(try hash(folder("../img", "../labels.csv"), at: root + "/runs/cfg.json"), given)
        try write("path,labels\na.png,y\n", root + "/labels.csv")
        XCTAssertNotEqual(try hash(folder("img", "labels.csv"), at: root + "/cfg.json"), given, "a labels file outside the folder counts")
        let relabelled = try hash(folder("img", "labels.csv"), at: root + "/cfg.json")
        try write("B", root + "/img/sub/b.png")
        XCTAssertNotEqual(try hash(folder("img", "labels.csv"), at: root + "/cfg.json"), relabelled, "an image's bytes count")

        // Fashion-MNIST: the split's idx files (names within the folder, and bytes); the other split's do not count.
        for name in ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte"] { try write(name, root + "/fm/" + name) }
        let mnist = { (data: String) in #"{"d": {"kind": "fashion-mnist", "data": "\#(data)", "split": "train"}}"# }
        let train = try hash(mnist("fm"), at: root + "/cfg.json")
        XCTAssertEqual(try hash(mnist(root + "/fm"), at: root + "/x/y/cfg.json"), train)
        try write("changed", root + "/fm/t10k-images-idx3-ubyte")
        XCTAssertEqual(try hash(mnist("fm"), at: root + "/cfg.json"), train, "the test split's files are not read")
        try write("changed", root + "/fm/train-labels-idx1-ubyte")
        XCTAssertNotEqual(try hash(mnist("fm"), at: root + "/cfg.json"), train)
    }

    /// A stage's file parameter (train-paths' `graph`) enters its key by content: a config in another folder that
    /// names the same graph by its absolute path has the same key; another graph under the same name does not.
    func testAStageKeyHashesItsFilesNotTheirPaths() throws {
        let root = try makeTemporaryDirectory("stage-key").path
        try write("root\n  a\n  b\n", root + "/g/x.graph")
        let json = { (graph: String) in
            #"""
            {"out": "\#(root)/o", "datasets": {"img": {"kind": "synthetic", "count": 8}},
             "stages": [{"name": "fv", "type": "fisher", "dataset": "img"}, {"name": "s", "type": "split", "inputs": {"fv": "fv"}},
                        {"name": "p", "type": "train-paths", "dataset": "img", "inputs": {"fv": "fv", "manifest": "s"},
                         "params": {"graph": "\#(graph)"}}]}
            """#
        }
        func key(_ config: RunnerConfig) -> String {
            Runner(config: config).key(config.stages[2], manifest: RunnerManifest(), datasetHashes: ["img": "h"], ranks: 1)
        }
        let here = try load(json("g/x.graph"), at: root + "/cfg.json")
        let there = try load(json(root + "/g/x.graph"), at: root + "/runs/b/cfg.json")
        XCTAssertNotEqual(here.stages[2].parameters.values["graph"], .string("g/x.graph"), "resolved against the config's folder")
        let before = key(here)
        XCTAssertEqual(key(there), before)
        XCTAssertFalse(here.stages[2].keyParameters.contains("x.graph"), here.stages[2].keyParameters)
        try write("root\n  a\n  c\n", root + "/g/x.graph")
        XCTAssertNotEqual(key(here), before, "another graph, same name")
    }
}
