import Core
import Foundation
import LabelGraphJoining
import LabelGraphs
import LinearAlgebra
import Runner
import StageRegistry
import Stages
import Storage
import TestSupport
import XCTest

/// The `train-paths` runner stage on a tiny separable image set: four texture classes (horizontal, vertical,
/// diagonal stripes, flat) in class folders, a graph joining them (fine dataset) with a coarse relabelling
/// (striped / plain), fisher → split → train-paths through the runner.
final class RunnerGraphStageTests: XCTestCase {
    static let graph = """
        node root root "root"
        node striped label datasets=coarse "striped"
        node plain label datasets=coarse "plain"
        node straight augmented "straight stripes"
        node h label datasets=fine "horizontal"
        node v label datasets=fine "vertical"
        node d label datasets=fine "diagonal"
        node f label datasets=fine "flat"
        edge root striped plain
        edge striped straight d
        edge straight h v
        edge plain f
        """

    /// 12 images of 24×24 per class, each class a texture (and a tint), random phase and noise.
    static func writeImages(_ root: URL) throws {
        for (c, name) in ["d", "f", "h", "v"].enumerated() {
            let folder = root.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for n in 0 ..< 12 {
                var rng = SeededRandom(seed: 11, stream: UInt64(c * 100 + n))
                let phase = rng.uniform(0, 6)
                var rgb = [UInt8](repeating: 0, count: 24 * 24 * 3)
                for y in 0 ..< 24 {
                    for x in 0 ..< 24 {
                        let t: Double
                        switch name {
                        case "h": t = Double(y) + phase
                        case "v": t = Double(x) + phase
                        case "d": t = Double(x + y) + phase
                        default: t = 1.5  // flat
                        }
                        let stripe = sin(2 * Double.pi * t / 6) > 0 ? 0.85 : 0.15
                        for k in 0 ..< 3 {
                            let tint = k == c % 3 ? 0.1 : 0
                            let v = min(1, max(0, stripe + tint + 0.05 * rng.normal()))
                            rgb[(y * 24 + x) * 3 + k] = UInt8((v * 255).rounded())
                        }
                    }
                }
                let png = try PathFigure.png(width: 24, height: 24, rgb: rgb)
                try Data(png).write(to: folder.appendingPathComponent(String(format: "%02d.png", n)))
            }
        }
    }

    struct Fixture {
        let folder: URL
        let images: URL
        var graph: String { folder.path + "/tiny.graph" }
        var fineMap: String { folder.path + "/fine.csv" }
        var coarseMap: String { folder.path + "/coarse.csv" }

        /// The config; `paths` overrides or adds train-paths parameters (name → JSON value).
        func config(_ paths: [String: String] = [:]) throws -> RunnerConfig {
            let base = ["graph": "\"\(graph)\"", "fine_dataset": "\"fine\"", "fine_map": "\"\(fineMap)\"",
                        "coarse_dataset": "\"coarse\"", "coarse_map": "\"\(coarseMap)\"", "fine_fraction": "0.5",
                        "feature_sets": "[\"fv/orh/1x1\", \"fv/col/1x1\"]", "epochs": "30", "batch_size": "8",
                        "learning_rate": "0.01", "encoder_hidden": "16", "embedding_size": "8", "hidden_size": "16", "examples": "4"]
            let params = base.merging(paths) { _, new in new }
            let json = """
                {"out": "\(folder.path)/out", "title": "train-paths test",
                 "datasets": {"img": {"kind": "folder", "data": "\(images.path)"}},
                 "stages": [
                   {"name": "fv", "type": "fisher", "dataset": "img",
                    "params": {"patch_size": 8, "step": 4, "scales": 1, "components": 2, "pca_dims": 8,
                               "sample_size": 2000, "iterations": 5, "chunk_size": 8}},
                   {"name": "split", "type": "split", "inputs": {"fv": "fv"}, "params": {"test_fraction": 0.25}},
                   {"name": "paths", "type": "train-paths", "dataset": "img", "inputs": {"fv": "fv", "manifest": "split"},
                    "params": {\(params.keys.sorted().map { "\"\($0)\": \(params[$0]!)" }.joined(separator: ", "))}}
                 ]}
                """
            let path = folder.appendingPathComponent("cfg.json").path
            try Data(json.utf8).write(to: URL(fileURLWithPath: path))
            return try RunnerConfig.load(path, stageTypes: allStageTypes)
        }
    }

    func fixture(_ name: String, coarseMap: String = "class,label\nd,striped\nf,plain\nh,striped\nv,striped\n") throws -> Fixture {
        let folder = try makeTemporaryDirectory(name)
        let f = Fixture(folder: folder, images: folder.appendingPathComponent("images"))
        try Self.writeImages(f.images)
        try Data(Self.graph.utf8).write(to: URL(fileURLWithPath: f.graph))
        try Data("class,label\nd,d\nf,f\nh,h\nv,v\n".utf8).write(to: URL(fileURLWithPath: f.fineMap))
        try Data(coarseMap.utf8).write(to: URL(fileURLWithPath: f.coarseMap))
        return f
    }

    func actions(_ runs: [Runner.StageRun]) -> [String] { runs.map { "\($0.name):\($0.action.rawValue)" } }

    func lines(_ path: String) throws -> [Substring] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
    }

    func testRunsAboveChanceSkipsWhenUnchangedAndRerunsOnAChangedParameter() throws {
        let f = try fixture("runner-paths")
        let comm = SingleProcessCommunicator()
        XCTAssertEqual(actions(try Runner(config: try f.config(), verbosity: .quiet).run(communicator: comm)),
                       ["fv:ran", "split:ran", "paths:ran"])
        let stage = f.folder.path + "/out/paths/"
        for file in ["model.h5", "paths.json", "paths.txt", "paths.png", "fine.csv", "coarse.csv", "test.csv"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: stage + file), file)
        }
        // 12 images per class, 3 held out per class (split 0.25): 9 training rows per class, a seeded half fine.
        XCTAssertEqual(try lines(stage + "test.csv").count, 1 + 12)
        XCTAssertEqual(try lines(stage + "fine.csv").count, 1 + 4 * 5, "round(9 × 0.5) = 5 fine rows per class")
        XCTAssertEqual(try lines(stage + "coarse.csv").count, 1 + 4 * 4)
        XCTAssertTrue(try lines(stage + "coarse.csv").dropFirst().allSatisfy { $0.hasSuffix(",striped") || $0.hasSuffix(",plain") })
        // No row is both fine and coarse, and none is a test row.
        let rowsOf = { (file: String) in Set(try self.lines(stage + file).dropFirst().map { $0.split(separator: ",")[0] }) }
        XCTAssertTrue(try rowsOf("fine.csv").isDisjoint(with: rowsOf("coarse.csv")))
        XCTAssertTrue(try rowsOf("test.csv").isDisjoint(with: rowsOf("fine.csv").union(rowsOf("coarse.csv"))))

        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: stage + "paths.json"))) as! [String: Any]
        let accuracy = try XCTUnwrap(json["accuracy"] as? Double)
        XCTAssertGreaterThan(accuracy, 0.5, "four separable textures (chance 0.25)")
        let samples = try XCTUnwrap(json["samples"] as? [[String: Any]])
        XCTAssertEqual(samples.count, 12)
        for s in samples {  // every decoded path starts at the root and ends at a fine label
            let path = try XCTUnwrap(s["path"] as? [String])
            XCTAssertEqual(path.first, "root")
            XCTAssertTrue(["h", "v", "d", "f"].contains(path.last ?? ""), "\(path)")
        }
        let png = try Data(contentsOf: URL(fileURLWithPath: stage + "paths.png"))
        XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
        let report = try String(contentsOfFile: f.folder.path + "/out/report.md", encoding: .utf8)
        XCTAssertTrue(report.contains("## paths (train-paths)"), report)
        XCTAssertTrue(report.contains("Held-out accuracy on the fine labels: **\(String(format: "%.2f", 100 * accuracy)) %**"), report)
        XCTAssertTrue(report.contains("| id | truth | decoded path v₀ > v₁ > … | prediction | path |"), report)
        XCTAssertTrue(report.contains("| root > "), "example rows hold decoded paths:\n\(report)")
        XCTAssertTrue(report.contains("![decoded paths](paths/paths.png)"), report)

        // Unchanged: skipped. A changed parameter of train-paths reruns it only.
        XCTAssertEqual(actions(try Runner(config: try f.config(), verbosity: .quiet).run(communicator: comm)),
                       ["fv:skipped", "split:skipped", "paths:skipped"])
        let changed = try f.config(["beta": "0.5"])
        XCTAssertEqual(try Runner(config: changed).status(ranks: 1).map(\.state), [.done, .done, .stale])
        XCTAssertEqual(actions(try Runner(config: changed, verbosity: .quiet).run(communicator: comm)),
                       ["fv:skipped", "split:skipped", "paths:ran"])
        XCTAssertTrue(try String(contentsOfFile: f.folder.path + "/out/report.md", encoding: .utf8).contains("β 0.5"))

        // Editing a file parameter's CONTENT (same path) makes the stage stale: the coarse map now calls the flat
        // class striped, so the coarse rows of class f change label.
        try Data("class,label\nd,striped\nf,striped\nh,striped\nv,striped\n".utf8).write(to: URL(fileURLWithPath: f.coarseMap))
        XCTAssertEqual(try Runner(config: changed).status(ranks: 1).map(\.state), [.done, .done, .stale])
        XCTAssertEqual(actions(try Runner(config: changed, verbosity: .quiet).run(communicator: comm)),
                       ["fv:skipped", "split:skipped", "paths:ran"])
        XCTAssertTrue(try lines(stage + "coarse.csv").dropFirst().allSatisfy { $0.hasSuffix(",striped") })
    }

    func testBadParametersNameTheFile() throws {
        let f = try fixture("runner-paths-bad", coarseMap: "class,label\nd,striped\nf,nosuch\nh,striped\nv,striped\n")
        let comm = SingleProcessCommunicator()
        func failure(_ params: [String: String] = [:]) throws -> String {
            do {
                try Runner(config: try f.config(params), verbosity: .quiet).run(communicator: comm)
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        // An unknown graph file: the run stops before its first stage, naming the key and the file.
        let missing = f.folder.path + "/missing.graph"
        var message = try failure(["graph": "\"\(missing)\""])
        XCTAssertTrue(message.contains("stages[2].params.graph = \(missing)") && message.contains("do not exist"), message)
        // A coarse map with a label the graph lacks: the map's file, line and label.
        message = try failure()
        XCTAssertTrue(message.contains(f.coarseMap + ":3") && message.contains("'nosuch'"), message)
        // A class the fine map lacks.
        try Data("class,label\nd,d\nf,f\nh,h\n".utf8).write(to: URL(fileURLWithPath: f.fineMap))
        message = try failure(["coarse_map": "\"\""])
        XCTAssertTrue(message.contains(f.fineMap) && message.contains("class 'v'"), message)
        // A dataset the graph does not have.
        message = try failure(["coarse_dataset": "\"other\""])
        XCTAssertTrue(message.contains("params.coarse_dataset = 'other'") && message.contains(f.graph), message)
        // A figure node the graph lacks.
        message = try failure(["grid_nodes": "[\"straight\", \"curly\"]"])
        XCTAssertTrue(message.contains("params.grid_nodes: 'curly'") && message.contains(f.graph), message)
        // The upstream stages ran once and were not redone by the failures.
        let manifest = try RunnerManifest.read(out: f.folder.path + "/out")
        XCTAssertEqual(manifest.stages["split"]?.status, "done")
        XCTAssertEqual(manifest.stages["paths"]?.status, "running")
    }

    /// The stage's shared parameters reach the same training configuration as `tributary train-paths`'s (one
    /// constructor), the defaults are the values the stage hard-coded before it had the keys, and an option that
    /// cannot take effect fails naming its config key.
    func testSharedParametersReachTheTrainingConfiguration() throws {
        let type = try XCTUnwrap(StageRegistry.named("train-paths"))
        let door = FrontDoor.config(file: "cfg.json", prefix: "stages[2].params.")
        let given: [String: JSONValue] = ["teacher_forcing": .double(0.5), "alpha": .double(2), "beta": .double(0.5),
                                          "pooling": .string("sum"), "max_target_paths": .int(2), "reinforce_samples": .int(3),
                                          "feature_sets": .array([.string("fv/col/1x1")]), "seed": .int(7)]
        let c = PathTrainingStage.Configuration(try type.spec.resolve(given, door: door), graphPath: "g", specs: [], target: "fine",
                                                outputPath: "m.h5")
        XCTAssertEqual(c.pathOptions, PathTrainingOptions(alpha: 2, beta: 0.5, teacherForcingRate: 0.5, maxTargetPaths: 2,
                                                          pooling: .sum, reinforceSamples: 3))
        XCTAssertEqual(c.featureSets, ["fv/col/1x1"])
        XCTAssertEqual(c.seed, 7)
        XCTAssertEqual(c.training.seed, 7)
        XCTAssertEqual(c.outputPath, "m.h5")
        let d = PathTrainingStage.Configuration(try type.spec.resolve([:], door: door), graphPath: "g", specs: [], target: "fine",
                                                outputPath: nil)
        XCTAssertEqual(d.pathOptions, PathTrainingOptions(beta: 1, teacherForcingRate: 1))
        XCTAssertEqual(d.method, .labelAug)
        XCTAssertNil(d.featureSets, "the features file's default: fv/orh/1x1 for a fisher stage's fv.h5")
        XCTAssertEqual([d.encoderHidden, d.embeddingSize, d.hiddenSize, d.training.epochs, d.training.batchSize], [256, 32, 128, 20, 64])
        XCTAssertEqual(d.training.learningRate, 0.001)
        XCTAssertFalse(d.multiLabel)

        for (params, names) in [
            (["method": JSONValue.string("ffn"), "teacher_forcing": .double(0.5)],
             ["stages[2].params.teacher_forcing", "stages[2].params.method label-aug only"]),
            (["method": .string("ffn"), "grid_nodes": .array([.string("a")])], ["stages[2].params.grid_nodes", "label-aug"]),
            (["multi_label": .bool(true)], ["stages[2].params.multi_label", "stages[2].params.method ffn only"]),
            (["nondeterministic": .string("marginal"), "beta": .double(2)], ["stages[2].params.beta", "marginal"]),
        ] {
            XCTAssertThrowsError(try type.spec.resolve(params, door: door)) { error in
                for name in names { XCTAssertTrue("\(error)".contains(name), "\(params): \(error)") }
            }
        }
    }
}
