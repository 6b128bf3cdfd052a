import Core
import Foundation
import Runner
import Stages
import TestSupport
import XCTest

/// Relative paths of a config are from the config's folder, and a missing input stops `run` before any stage.
final class ConfigPathTests: XCTestCase {
    func config(_ json: String, at file: String) throws -> RunnerConfig {
        try RunnerConfig.parse(try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8)), file: file,
                               stageTypes: allStageTypes)
    }

    let json = #"""
        {"out": "o", "datasets": {"img": {"kind": "synthetic", "count": 8}, "txt": {"kind": "csv", "data": "t.csv"},
                                  "abs": {"kind": "csv", "data": "/data/t.csv"}},
         "stages": [{"name": "fv", "type": "fisher", "dataset": "img"}, {"name": "s", "type": "split", "inputs": {"fv": "fv"}},
                    {"name": "p", "type": "train-paths", "dataset": "img", "inputs": {"fv": "fv", "manifest": "s"},
                     "params": {"graph": "g/x.graph"}}]}
        """#

    func testRelativePathsAreFromTheConfigFolderAndKeysIgnoreThem() throws {
        let here = try config(json, at: "cfg.json"), there = try config(json, at: "/projects/a/cfg.json")
        XCTAssertEqual(here.out, "o")
        XCTAssertEqual(there.out, "/projects/a/o")
        XCTAssertEqual(there.datasets["txt"]?.parameters["data"], .string("/projects/a/t.csv"))
        XCTAssertEqual(there.datasets["abs"]?.parameters["data"], .string("/data/t.csv"), "absolute stays")
        XCTAssertEqual(there.stages[2].parameters.values["graph"], .string("/projects/a/g/x.graph"))
        // A default that the config does not write stays as declared (it is relative to the repository).
        XCTAssertEqual(there.stages[2].parameters.values["fine_map"], here.stages[2].parameters.values["fine_map"])
        XCTAssertEqual(there.stages[2].keyParameters, here.stages[2].keyParameters, "the key hashes no path (DatasetKeyTests)")
    }

    func testMissingInputsAreListedAndStopTheRunBeforeAnyStage() throws {
        let folder = try makeTemporaryDirectory("config-paths")
        let file = folder.appendingPathComponent("cfg.json").path
        try Data(json.utf8).write(to: URL(fileURLWithPath: file))
        let config = try RunnerConfig.load(file, stageTypes: allStageTypes)
        XCTAssertEqual(config.missingInputs().map(\.key), ["datasets.abs.data", "datasets.txt.data", "stages[2].params.graph"])
        XCTAssertEqual(config.missingInputs().last?.path, folder.path + "/g/x.graph")
        XCTAssertThrowsError(try Runner(config: config).run(communicator: SingleProcessCommunicator())) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("3 input file(s) do not exist") && message.contains("stages[2].params.graph = "
                + folder.path + "/g/x.graph") && message.contains("config's folder"), message)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.path + "/o/fv"), "no stage ran")
    }
}
