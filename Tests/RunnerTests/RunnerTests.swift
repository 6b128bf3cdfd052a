import Core
import Foundation
import LinearAlgebra
import Runner
import Stages
import Storage
import TestSupport
import XCTest

/// SHA-256 against the FIPS 180-4 / NIST example digests, streamed in uneven chunks.
final class RunSHA256Tests: XCTestCase {
    func testNISTVectors() {
        XCTAssertEqual(SHA256.hash("").hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hash("abc").hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hash("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq").hex,
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    func testMillionAsStreamedInUnevenChunksEqualsOneShot() {
        var h = SHA256()
        var left = 1_000_000, chunk = 1
        while left > 0 {  // chunks of 1, 2, 3 … bytes cross every block boundary offset
            let n = min(chunk, left)
            h.update([UInt8](repeating: 0x61, count: n))
            left -= n
            chunk = chunk % 200 + 1
        }
        XCTAssertEqual(h.finalize().hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    func testPaddingBoundaries() {
        // 55, 56, 63, 64 bytes: one or two padding blocks. Equal streamed and one-shot, and all distinct.
        var seen = Set<String>()
        for n in [55, 56, 63, 64, 65] {
            let bytes = (0 ..< n).map { UInt8($0 & 0xff) }
            var h = SHA256()
            h.update(bytes.prefix(10))
            h.update(bytes.dropFirst(10))
            let streamed = h.finalize().hex
            XCTAssertEqual(streamed, SHA256.hash(bytes).hex, "length \(n)")
            seen.insert(streamed)
        }
        XCTAssertEqual(seen.count, 5)
    }
}

/// Config parsing: strict keys and types, messages naming the file and the key.
final class RunConfigTests: XCTestCase {
    func parse(_ json: String) -> String {
        do {
            let value = try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
            _ = try RunnerConfig.parse(value, file: "cfg.json", stageTypes: allStageTypes)
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    let datasets = #""datasets": {"img": {"kind": "synthetic", "count": 8}, "txt": {"kind": "csv", "data": "t.csv"}}"#

    func testValidConfigAndDefaults() throws {
        let json = #"{"out": "o", \#(datasets), "stages": [{"name": "fv", "type": "fisher", "dataset": "img", "params": {"components": 4, "tolerance": 1}}, {"name": "s", "type": "split", "inputs": {"fv": "fv"}}]}"#
        let config = try RunnerConfig.parse(try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8)), file: "cfg.json", stageTypes: allStageTypes)
        XCTAssertEqual(config.stages.map(\.name), ["fv", "s"])
        XCTAssertEqual(config.stages[0].parameters.int("components"), 4)
        XCTAssertEqual(config.stages[0].parameters.int("pca_dims"), 64, "default filled in")
        // An integer written for a number parameter is the same value as the default's double form.
        XCTAssertEqual(config.stages[0].parameters.values["tolerance"], .double(1))
        XCTAssertEqual(config.stages[1].parameters.values["test_fraction"], .null, "neither fold nor test_fraction: the split holds out its default 0.25")
    }

    func testErrorsNameFileKeyAndFix() {
        let cases: [(String, [String])] = [
            (#"{"out": "o", "stagez": []}"#, ["cfg.json", "unknown key 'stagez'", "stages"]),
            (#"{"out": 3, "stages": []}"#, ["cfg.json", "'out' must be a string, got an integer"]),
            (#"{"out": "o", "stages": []}"#, ["cfg.json", "missing key 'stages'"]),
            (#"{"out": "o", \#(datasets), "stages": [{"name": "fv", "type": "fisher", "dataset": "img", "params": {"compnents": 4}}]}"#,
             ["cfg.json", "stages[0].params.compnents", "components"]),
            (#"{"out": "o", \#(datasets), "stages": [{"name": "fv", "type": "fisher", "dataset": "img", "params": {"components": "4"}}]}"#,
             ["cfg.json", "stages[0].params.components", "must be an integer, got a string"]),
            (#"{"out": "o", \#(datasets), "stages": [{"name": "fv", "type": "fisher", "dataset": "img", "params": {"on_bad_image": "ignore"}}]}"#,
             ["cfg.json", "on_bad_image", "fail, skip"]),
            (#"{"out": "o", \#(datasets), "stages": [{"name": "fv", "type": "fisher", "dataset": "txt"}]}"#,
             ["cfg.json", "stages[0].dataset", "needs a image dataset"]),
            (#"{"out": "o", \#(datasets), "stages": [{"name": "s", "type": "split", "inputs": {"fv": "fv"}}, {"name": "fv", "type": "fisher", "dataset": "img"}]}"#,
             ["cfg.json", "stages[0].inputs.fv", "names no earlier stage"]),
            (#"{"out": "o", \#(datasets), "stages": [{"name": "fv", "type": "fisher", "dataset": "img"}, {"name": "fv", "type": "split", "inputs": {"fv": "fv"}}]}"#,
             ["cfg.json", "stages[1].name", "already the name"]),
            (#"{"out": "o", \#(datasets), "stages": [{"name": "x", "type": "fishr", "dataset": "img"}]}"#,
             ["cfg.json", "stages[0].type", "fisher"]),
            (#"{"out": "o", "datasets": {"d": {"kind": "csv"}}, "stages": [{"name": "x", "type": "split"}]}"#,
             ["cfg.json", "datasets.d.data"]),
            (#"{"out": "o", "datasets": {"d": {"kind": "synthetic", "count": true}}, "stages": []}"#,
             ["cfg.json", "datasets.d.count", "must be an integer, got a boolean"]),
        ]
        for (json, needles) in cases {
            let message = parse(json)
            for needle in needles { XCTAssertTrue(message.contains(needle), "\(json)\n→ \(message)\nlacks '\(needle)'") }
        }
    }

    func testNotJSONAndMissingFile() throws {
        let folder = try makeTemporaryDirectory("run-config")
        let path = folder.appendingPathComponent("bad.json").path
        try Data("{\"out\": \"o\" \"stages\": []}".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try RunnerConfig.load(path, stageTypes: allStageTypes)) { error in
            XCTAssertTrue("\(error)".contains(path) && "\(error)".contains("not valid JSON"), "\(error)")
        }
        XCTAssertThrowsError(try RunnerConfig.load(folder.appendingPathComponent("none.json").path, stageTypes: allStageTypes)) { error in
            XCTAssertTrue("\(error)".contains("none.json does not exist"), "\(error)")
        }
    }
}

/// The runner end to end in one process: skip when unchanged, rerun downstream when a parameter changes,
/// rerun when an output was modified, resume an interrupted stage.
final class RunnerTests: XCTestCase {
    func config(_ folder: URL, testFraction: Double = 0.25) throws -> RunnerConfig {
        let json = """
            {"out": "\(folder.path)/out", "title": "runner test",
             "datasets": {"img": {"kind": "synthetic", "count": 12, "width": 32, "height": 32, "seed": 3}},
             "stages": [
               {"name": "fv", "type": "fisher", "dataset": "img",
                "params": {"components": 2, "pca_dims": 4, "sample_size": 500, "iterations": 3, "chunk_size": 4}},
               {"name": "split", "type": "split", "inputs": {"fv": "fv"}, "params": {"test_fraction": \(testFraction)}},
               {"name": "svm", "type": "annotate", "inputs": {"fv": "fv", "manifest": "split"}, "params": {"runs": ["svm-early-visual"]}}
             ]}
            """
        let path = folder.appendingPathComponent("cfg.json").path
        try Data(json.utf8).write(to: URL(fileURLWithPath: path))
        return try RunnerConfig.load(path, stageTypes: allStageTypes)
    }

    func actions(_ runs: [Runner.StageRun]) -> [String] { runs.map { "\($0.name):\($0.action.rawValue)" } }

    func testSkipRerunDownstreamModifiedOutputAndResume() throws {
        let folder = try makeTemporaryDirectory("runner")
        let comm = SingleProcessCommunicator()
        let first = try Runner(config: try config(folder), verbosity: .quiet).run(communicator: comm)
        XCTAssertEqual(actions(first), ["fv:ran", "split:ran", "svm:ran"])
        let manifest = try RunnerManifest.read(out: folder.path + "/out")
        XCTAssertEqual(manifest.stages["svm"]?.status, "done")
        XCTAssertEqual(manifest.stages["fv"]?.outputs["fv.h5"], try RunnerDigest.of(folder.path + "/out/fv/fv.h5"))
        for file in ["report.md", "report.html", "svm/eval.h5"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: folder.path + "/out/" + file), file)
        }
        let report = try String(contentsOfFile: folder.path + "/out/report.md", encoding: .utf8)
        XCTAssertTrue(report.contains("| 3 | svm | annotate | ran |") && report.contains("SVM"), report)

        // Unchanged: everything skipped, and the report still has every stage's section.
        XCTAssertEqual(actions(try Runner(config: try config(folder), verbosity: .quiet).run(communicator: comm)),
                       ["fv:skipped", "split:skipped", "svm:skipped"])
        XCTAssertTrue(try String(contentsOfFile: folder.path + "/out/report.md", encoding: .utf8).contains("## svm (annotate)"))

        // A changed parameter reruns that stage and everything downstream, not what is upstream.
        let changed = try config(folder, testFraction: 0.5)
        let statuses = try Runner(config: changed).status(ranks: 1).map(\.state)
        XCTAssertEqual(statuses, [.done, .stale, .waiting])
        XCTAssertEqual(actions(try Runner(config: changed, verbosity: .quiet).run(communicator: comm)),
                       ["fv:skipped", "split:ran", "svm:ran"])

        // An output modified on disk is not trusted: its stage reruns (and, its hash being restored, nothing else).
        try Data("path,labels,split,concepts,tags\n".utf8).write(to: URL(fileURLWithPath: folder.path + "/out/split/images.csv"))
        XCTAssertEqual(try Runner(config: changed).status(ranks: 1).map(\.state)[1], .modified)
        XCTAssertEqual(actions(try Runner(config: changed, verbosity: .quiet).run(communicator: comm)),
                       ["fv:skipped", "split:ran", "svm:skipped"])

        // A record left `running` with the same key (a killed job) is resumed, keeping its folder.
        var m = try RunnerManifest.read(out: folder.path + "/out")
        m.stages["svm"]!.status = "running"
        try m.write(out: folder.path + "/out")
        let marker = folder.path + "/out/svm/kept-by-resume"
        try Data().write(to: URL(fileURLWithPath: marker))
        XCTAssertEqual(try Runner(config: changed).status(ranks: 1).map(\.state)[2], .interrupted)
        XCTAssertEqual(actions(try Runner(config: changed, verbosity: .quiet).run(communicator: comm)),
                       ["fv:skipped", "split:skipped", "svm:resumed"])
        XCTAssertTrue(FileManager.default.fileExists(atPath: marker), "a resumed stage keeps its folder")
        // …whereas a stage that reruns from scratch starts from an empty folder.
        XCTAssertEqual(actions(try Runner(config: try config(folder), verbosity: .quiet).run(communicator: comm)),
                       ["fv:skipped", "split:ran", "svm:ran"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: marker))
    }

    func testAChangedTextSourceRebuildsTheSnapshotAndReruns() throws {
        let folder = try makeTemporaryDirectory("runner-text")
        let csv = folder.appendingPathComponent("t.csv")
        func corpus(_ extra: String) throws {
            var text = "text,label\n"
            for i in 0 ..< 24 { text += ["goal match team", "bread cheese wine"][i % 2] + " \(i),\(["sport", "food"][i % 2])\n" }
            try Data((text + extra).utf8).write(to: csv)
        }
        try corpus("")
        let json = """
            {"out": "\(folder.path)/out", "datasets": {"t": {"kind": "csv", "data": "\(csv.path)", "limit": 20, "seed": 2}},
             "stages": [{"name": "lstm", "type": "train-text", "dataset": "t",
                         "params": {"epochs": 1, "batch_size": 4, "embedding_size": 4, "hidden_size": 3, "context_size": 3, "min_count": 1}},
                        {"name": "embed", "type": "embed", "dataset": "t", "inputs": {"model": "lstm"}},
                        {"name": "index", "type": "index", "inputs": {"embeddings": "embed"}, "params": {"trees": 2}}]}
            """
        let path = folder.appendingPathComponent("cfg.json").path
        try Data(json.utf8).write(to: URL(fileURLWithPath: path))
        let comm = SingleProcessCommunicator()
        XCTAssertEqual(actions(try Runner(config: try RunnerConfig.load(path, stageTypes: allStageTypes), verbosity: .quiet).run(communicator: comm)),
                       ["lstm:ran", "embed:ran", "index:ran"])
        // The index is one forest per rank: another rank count makes it stale, and only it.
        XCTAssertEqual(try Runner(config: try RunnerConfig.load(path, stageTypes: allStageTypes)).status(ranks: 1).map(\.state), [.done, .done, .done])
        XCTAssertEqual(try Runner(config: try RunnerConfig.load(path, stageTypes: allStageTypes)).status(ranks: 2).map(\.state), [.done, .done, .stale])
        let snapshot = folder.path + "/out/datasets/t.csv"
        let first = try String(contentsOfFile: snapshot, encoding: .utf8)
        XCTAssertEqual(first.split(separator: "\n").count, 21, "header + the 20 drawn documents")
        XCTAssertEqual(actions(try Runner(config: try RunnerConfig.load(path, stageTypes: allStageTypes), verbosity: .quiet).run(communicator: comm)),
                       ["lstm:skipped", "embed:skipped", "index:skipped"])
        try corpus("apple soup salt,food\n")  // a changed source: a new snapshot (a new draw), the stage reruns
        XCTAssertEqual(try Runner(config: try RunnerConfig.load(path, stageTypes: allStageTypes)).status(ranks: 1).map(\.state), [.stale, .waiting, .waiting])
        XCTAssertEqual(actions(try Runner(config: try RunnerConfig.load(path, stageTypes: allStageTypes), verbosity: .quiet).run(communicator: comm)),
                       ["lstm:ran", "embed:ran", "index:ran"])
        XCTAssertNotEqual(try String(contentsOfFile: snapshot, encoding: .utf8), first)
    }

    func testHDF5DigestIgnoresWriteTimeButNotData() throws {
        let folder = try makeTemporaryDirectory("digest")
        func write(_ name: String, _ values: [Float]) throws -> String {
            let path = folder.appendingPathComponent(name).path
            try HDF5File.createAtomic(path: path) { file in
                try ArtifactHeader(stage: "t", version: 1, parameters: ["a": .int(1)]).write(to: file)
                try file.write(values, shape: [2, 2], to: "g/x")
                try file.writeStrings(["p", "q"], to: "ids")
            }
            return try RunnerDigest.of(path)
        }
        let a = try write("a.h5", [1, 2, 3, 4])
        Thread.sleep(forTimeInterval: 1.1)  // another second in HDF5's object modification times
        XCTAssertEqual(try write("b.h5", [1, 2, 3, 4]), a)
        XCTAssertNotEqual(try write("c.h5", [1, 2, 3, 4.0000005]), a)
        XCTAssertNotEqual(try write("d.h5", [-0.0, 2, 3, 4]), try write("e.h5", [0, 2, 3, 4]), "bit patterns, not values")
    }

    func testHTMLReport() {
        let html = RunnerReport.html("# T\n\n| a | b |\n| --- | --- |\n| `x` | **1** \\| 2 |\n\n![plot](s/p.png)\n- one <b>\n", title: "T")
        XCTAssertTrue(html.contains("<h1>T</h1>"), html)
        XCTAssertTrue(html.contains("<tr><th>a</th><th>b</th></tr>") && html.contains("<td><code>x</code></td><td><b>1</b> | 2</td>"), html)
        XCTAssertTrue(html.contains("<img alt=\"plot\" src=\"s/p.png\">"), html)
        XCTAssertTrue(html.contains("<li>one &lt;b&gt;</li>"), html)
    }
}
