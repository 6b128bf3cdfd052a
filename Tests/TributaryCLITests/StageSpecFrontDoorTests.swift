import Foundation
import FisherAnnotation
import InstanceInfusion
import LabelGraphJoining
import Runner
import StageRegistry
import Stages
import TestSupport
import Training
import XCTest

/// One parameter table per stage: every runner stage type's `StageSpec` is walked, and its command-line twin must
/// offer each shared parameter as `--<key>` with the same default, help and choices, and refuse the same
/// out-of-range values that the runner refuses — each door naming the key the user typed.
final class StageSpecFrontDoorTests: XCTestCase {
    /// A runner stage type and the commands that run the same stage: each command covers one step's `StageSpec`
    /// (`train-paths` = `tributary train-paths` + `tributary decode`; `fisher` = `tributary fisher`, which runs
    /// all its steps, and `extract`, `fit-pca`, `fit-gmm`, `encode`), and together they cover every shared key.
    struct Twin {
        var stage: String
        var doors: [Door]

        init(stage: String, _ doors: [Door]) {
            self.stage = stage
            self.doors = doors
        }
    }

    /// One command of a twin: its step's spec, the arguments it needs besides the parameters (so that only the
    /// parameter under test can fail), and its options that are not parameters (input/output paths, threads,
    /// resume: the plumbing the runner decides itself).
    struct Door {
        var command: [String]
        var spec: StageSpec
        var required: [String]
        var plumbing: Set<String>
    }

    static let twins: [Twin] = [
        Twin(stage: "train-text", [
            Door(command: ["train-text"], spec: .trainText, required: ["--out", "/nonexistent/model.h5"],
                 plumbing: ["corpus", "data", "debian-labels", "empty-texts", "checkpoint", "resume", "stop-after-steps",
                            "threads", "out", "progress"]),
        ]),
        Twin(stage: "train-paths", [
            Door(command: ["train-paths"], spec: .trainPaths,
                 required: ["--graph", "/nonexistent/g.graph", "--target", "fine", "--out", "/nonexistent/model.h5",
                            "--join", "dataset=fine,features=/nonexistent/e.h5,labels=/nonexistent/l.csv"],
                 plumbing: ["graph", "join", "target", "threads", "out", "progress", "checkpoint", "resume", "stop-after-steps"]),
            Door(command: ["decode"], spec: .decodePaths,
                 required: ["--model", "/nonexistent/model.h5", "--input", "dataset=fine,features=/nonexistent/e.h5",
                            "--grid-png", "/nonexistent/g.png"],
                 plumbing: ["model", "input", "format", "out", "grid-png", "fashion-mnist-dir", "multi-label", "thresholds",
                            "tune-on"]),
        ]),
        Twin(stage: "fisher", [
            Door(command: ["fisher"], spec: .fisher, required: [], plumbing: fisherPlumbing),
            Door(command: ["extract"], spec: .extract, required: [], plumbing: fisherPlumbing),
            Door(command: ["fit-pca"], spec: .fitPCA, required: [], plumbing: ["out"]),
            Door(command: ["fit-gmm"], spec: .fitGMM, required: [], plumbing: ["out"]),
            Door(command: ["encode"], spec: .encode, required: [], plumbing: ["out", "progress"]),
        ]),
        Twin(stage: "annotate", [
            Door(command: ["annotate", "train"], spec: .annotateTrain, required: ["--fv", "/nonexistent/fv.h5"],
                 plumbing: ["out", "fv", "annotations"]),
            Door(command: ["annotate", "predict"], spec: .annotatePredict, required: [], plumbing: ["out", "fv", "annotations"]),
        ]),
        Twin(stage: "embed", [
            Door(command: ["embed"], spec: .embed, required: ["--model", "/nonexistent/model.h5", "--out", "/nonexistent/e.h5"],
                 plumbing: ["corpus", "data", "debian-labels", "empty-texts", "model", "out"]),
        ]),
        Twin(stage: "index", [
            Door(command: ["index"], spec: .index, required: ["--embeddings", "/nonexistent/e.h5", "--out", "/nonexistent/i.h5"],
                 plumbing: ["embeddings", "out"]),
        ]),
        Twin(stage: "query", [
            Door(command: ["query"], spec: .query,
                 required: ["--index", "/nonexistent/i.h5", "--queries", "/nonexistent/e.h5", "--out", "/nonexistent/n.h5"],
                 plumbing: ["index", "queries", "out"]),
        ]),
        Twin(stage: "train-infused", [
            Door(command: ["train-infused"], spec: .trainInfused,
                 required: ["--model", "/nonexistent/model.h5", "--index", "/nonexistent/i.h5", "--out", "/nonexistent/infused.h5"],
                 plumbing: ["corpus", "data", "debian-labels", "empty-texts", "model", "index", "threads", "out", "latent-figure",
                            "progress", "checkpoint", "resume", "stop-after-steps"]),
        ]),
    ]

    static let fisherPlumbing: Set<String> = ["dataset", "data", "labels-csv", "split", "limit", "subset-seed", "allow-outside-paths",
                                                     "out", "progress"]

    /// Stage types that have no command-line twin, with the reason.
    static let runnerOnly: [String: String] = [
        "split": "a seeded per-class split of a single-label fv.h5 into the images.csv that `annotate` reads; on the "
            + "command line `annotate manifest` writes images.csv from the dataset itself (class-csv: --train-per-class)",
        "split-images": "the same seeded per-class split from a dataset's ids and labels, before fisher (its manifest input); "
            + "on the command line `annotate manifest` writes images.csv and `--fit-manifest` passes it to fisher / fit-pca / fit-gmm",
    ]

    /// The options every command has from `JobOptions` (the per-rank memory budget, the stall watchdog).
    static let jobPlumbing: Set<String> = ["memory", "stall-timeout"]

    /// Every door of every twin, with its stage type's name.
    static var doors: [(stage: String, door: Door)] { twins.flatMap { twin in twin.doors.map { (twin.stage, $0) } } }

    /// The stage types whose twins are not converted yet (none when the contract holds everywhere).
    static let pending: Set<String> = []

    func testEveryStageTypeHasACommandLineTwin() throws {
        for type in StageRegistry.all where !Self.pending.contains(type.name) && Self.runnerOnly[type.name] == nil {
            XCTAssertTrue(Self.twins.contains { $0.stage == type.name }, "stage type \(type.name) has no command-line twin in the test table")
        }
        // Each twin's doors cover the stage's shared keys, every key declared the same in each door that has it.
        for twin in Self.twins {
            let type = try XCTUnwrap(StageRegistry.named(twin.stage))
            let keys = twin.doors.flatMap(\.spec.keys)
            XCTAssertEqual(Set(keys), Set(type.sharedKeys), "\(twin.stage): the doors' specs are not the stage's shared keys")
            for door in twin.doors {
                for key in door.spec.keys {
                    XCTAssertEqual(door.spec[key].helpText, type.spec[key].helpText, "\(twin.stage).\(key) declared twice")
                    XCTAssertEqual(door.spec[key].defaultValue, type.spec[key].defaultValue, "\(twin.stage).\(key) declared twice")
                }
            }
        }
    }

    /// `tributary <command> --experimental-dump-help`: the parser's own description of every option.
    private func options(of door: Door) throws -> [String: [String: Any]] {
        let (status, output) = try runTributary(door.command + ["--experimental-dump-help"])
        XCTAssertEqual(status, 0, output)
        let root = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]
        let arguments = (root?["command"] as? [String: Any])?["arguments"] as? [[String: Any]] ?? []
        var byName: [String: [String: Any]] = [:]
        for argument in arguments {
            for name in argument["names"] as? [[String: Any]] ?? [] where name["kind"] as? String == "long" {
                byName[name["name"] as! String] = argument
            }
        }
        return byName
    }

    func testCommandLineOptionsMatchTheSpec() throws {
        for (stage, door) in Self.doors {
            let type = try XCTUnwrap(StageRegistry.named(stage))
            let cli = try options(of: door)
            for key in door.spec.keys {
                let p = type.spec[key]
                let flag = String(p.flag.dropFirst(2))
                guard let option = cli[flag] else {
                    XCTFail("\(door.command.joined(separator: " ")) lacks \(p.flag) (stage \(stage), key \(key))")
                    continue
                }
                XCTAssertEqual(option["abstract"] as? String, p.helpText, "\(p.flag): help differs from the spec")
                let shown = option["defaultValue"] as? String
                switch p.defaultValue {
                case .null: XCTAssertNil(shown, "\(p.flag): the spec has no default")
                case let .int(n): XCTAssertEqual(shown.flatMap { Int($0) }, n, "\(p.flag): default differs")
                case let .double(x): XCTAssertEqual(shown.flatMap { Double($0) }, x, "\(p.flag): default differs")
                case let .string(s): XCTAssertEqual(shown, s, "\(p.flag): default differs")
                case let .bool(b): XCTAssertEqual(shown ?? "false", b ? "true" : "false", "\(p.flag): default differs")
                case let .array(items): XCTAssertEqual(shown, items.map { if case let .string(s) = $0 { s } else { "" } }.joined(separator: ","))
                case .object: XCTFail("\(p.flag): object default")
                }
                if !p.choices.isEmpty, let values = option["allValues"] as? [String] {
                    XCTAssertEqual(values, p.choices, "\(p.flag): choices differ")
                }
            }
            let shared = Set(door.spec.keys.map { String(ParameterSpec.flag(of: $0).dropFirst(2)) })
            for flag in cli.keys.sorted() where !shared.contains(flag) && flag != "help" && flag != "version" {
                // --memory and --stall-timeout are every job command's plumbing (JobOptions).
                XCTAssertTrue(door.plumbing.union(Self.jobPlumbing).contains(flag), "\(door.command.joined(separator: " ")) --\(flag) is neither a \(door.spec.name) parameter nor declared plumbing")
            }
        }
    }

    /// A value just outside each numeric range and a value outside each choice list fails in both doors, each
    /// naming its own key.
    func testBothDoorsRefuseTheSameValues() throws {
        for (stage, door) in Self.doors {
            let type = try XCTUnwrap(StageRegistry.named(stage))
            for key in door.spec.keys {
                let p = type.spec[key]
                var bad: [JSONValue] = []
                if let range = p.range {
                    if range.lowerBound > -1e300 { bad.append(p.kind == .int ? .int(Int(range.lowerBound) - 1) : .double(range.lowerBound - 0.5 * max(1e-3, abs(range.lowerBound)))) }
                    if range.upperBound < 1e9 { bad.append(p.kind == .int ? .int(Int(range.upperBound) + 1) : .double(range.upperBound + 0.5 * max(1e-3, abs(range.upperBound)))) }
                }
                if !p.choices.isEmpty { bad.append(.string("no-such-choice")) }
                for value in bad {
                    let text: String = switch value {
                    case let .int(n): "\(n)"
                    case let .double(x): "\(x)"
                    case let .string(s): s
                    default: ""
                    }
                    let (status, output) = try runTributary(door.command + door.required + [p.flag + "=" + text])
                    XCTAssertNotEqual(status, 0, "\(p.flag)=\(text) was accepted")
                    XCTAssertTrue(output.contains(p.flag), "\(p.flag)=\(text): the error does not name the flag:\n\(output)")
                    XCTAssertThrowsError(try Self.config(for: type, params: [key: value])) { error in
                        XCTAssertTrue("\(error)".contains("stages[\(Self.chain(for: type).count - 1)].params.\(key)"),
                                      "\(key)=\(text): the config error does not name the key: \(error)")
                    }
                }
            }
        }
    }

    /// `pca_dims` above a descriptor's dimension was clamped silently in both doors; the config door now refuses
    /// it too, naming the key and the dimension (the command line: FisherCLITests).
    func testPCADimsAboveTheDescriptorDimensionFailsInTheConfig() throws {
        let fisher = try XCTUnwrap(StageRegistry.named("fisher"))
        XCTAssertThrowsError(try Self.config(for: fisher, params: ["pca_dims": .int(100)])) { error in
            XCTAssertTrue("\(error)".contains("stages[0].params.pca_dims' = 100") && "\(error)".contains("dimension 96"), "\(error)")
        }
        XCTAssertNoThrow(try Self.config(for: fisher, params: ["pca_dims": .int(96), "chunk_size": .int(16)]))
        XCTAssertThrowsError(try Self.config(for: fisher, params: ["batch_size": .int(16)])) { error in
            XCTAssertTrue("\(error)".contains("chunk_size"), "the old key's error lists the new one: \(error)")
        }
    }

    /// The runner's `annotate` takes every parameter of `annotate train` and `annotate predict`.
    func testAnnotateTakesTheCommandLinesKeys() throws {
        let annotate = try XCTUnwrap(StageRegistry.named("annotate"))
        XCTAssertNoThrow(try Self.config(for: annotate, params: [
            "concepts": .array([.string("a")]), "max_tags": .int(10), "tagprop_layouts": .string("separate"),
            "late_fusion": .string("normalized")]))
        let p = try StageSpec.annotate.resolve(["tagprop_layouts": .string("separate"), "late_fusion": .string("normalized"),
                                                "max_tags": .int(10), "concepts": .array([.string("a")])], door: .commandLine)
        let train = AnnotateTrainConfig(p, fisherVectors: "fv.h5", annotations: "images.csv", output: "models.h5")
        XCTAssertEqual(train.tagPropLayouts, .separate)
        XCTAssertEqual(train.maximumTags, 10)
        XCTAssertEqual(train.concepts, ["a"])
        XCTAssertEqual(train.svm.seed, 1)
        XCTAssertEqual(AnnotatePredictConfig(p, models: "m", output: "s").lateFusion, .normalized)
    }

    /// The default pipeline's instance-infusion stages get exactly the settings they had before the specs were
    /// shared (its figures must not change): every default that changed is written out in default.json.
    func testDefaultPipelineInfusionStagesKeepTheirSettings() throws {
        let path = RunCLITests.repository.appendingPathComponent("data/pipelines/default.json").path
        let config = try RunnerConfig.load(path, stageTypes: StageRegistry.all)
        func parameters(_ name: String) throws -> StageParameters {
            try XCTUnwrap(config.stages.first { $0.name == name }, name).parameters
        }
        let index = IndexConfig(try parameters("packages-index"), embeddings: "e.h5", output: "i.h5")
        XCTAssertEqual(index, IndexConfig(embeddings: "e.h5", output: "i.h5", trees: 16, maxDepth: 20, candidatesPerTree: 32,
                                          metric: "cosine", seed: 0))
        let query = QueryConfig(try parameters("packages-query"), index: "i.h5", queries: "e.h5", output: "n.h5")
        XCTAssertEqual(query, QueryConfig(index: "i.h5", queries: "e.h5", output: "n.h5", k: 5, excludeSelf: true))
        XCTAssertTrue(try parameters("packages-embed").isNull("subset"))
        let infused = try InfusedTrainingStage.Configuration(try parameters("packages-infused"), modelPath: "m.h5",
                                                             source: TextCorpusSource(kind: .debian), indexes: ["i.h5"],
                                                             outputPath: "o.h5")
        XCTAssertEqual(infused.training, TrainingOptions(epochs: 2, batchSize: 64, learningRate: 0.001, optimizer: .adam,
                                                         clipNorm: nil, seed: 0, checkpointDirectory: nil,
                                                         checkpointEverySteps: 0))
        XCTAssertEqual("\(infused.split)", "\(TextTrainingStage.Split.testFraction(0.1))")
        XCTAssertEqual([infused.neighbours, infused.refreshEvery], [5, 1])
        XCTAssertEqual([infused.penaltyScale, infused.trainFraction], [1e-4, 1])
        XCTAssertEqual(infused.seed, 0)
        XCTAssertTrue(infused.excludeSelf)
    }

    /// The stage types `type` needs before it (its inputs, recursively), then `type`.
    static func chain(for type: RunnerStageType) -> [RunnerStageType] {
        var before: [RunnerStageType] = []
        for producers in type.inputs.keys.sorted().filter({ !type.optionalInputs.contains($0) }).compactMap({ type.inputs[$0] }) {
            for t in Self.chain(for: StageRegistry.named(producers[0])!) where !before.contains(where: { $0.name == t.name }) {
                before.append(t)
            }
        }
        return before + [type]
    }

    /// A minimal config whose last stage is `type` with `params`.
    static func config(for type: RunnerStageType, params: [String: JSONValue]) throws -> RunnerConfig {
        let chain = chain(for: type)
        var stages: [JSONValue] = []
        for (i, t) in chain.enumerated() {
            var stage: [String: JSONValue] = ["name": .string(t.name), "type": .string(t.name)]
            if let category = t.dataset { stage["dataset"] = .string(category == .image ? "images" : "texts") }
            var inputs: [String: JSONValue] = [:]
            for (role, producers) in t.inputs where !t.optionalInputs.contains(role) { inputs[role] = .string(producers[0]) }
            if !inputs.isEmpty { stage["inputs"] = .object(inputs) }
            if i == chain.count - 1 { stage["params"] = .object(params) }
            stages.append(.object(stage))
        }
        let root: JSONValue = .object([
            "out": .string("/nonexistent/out"),
            "datasets": .object(["images": .object(["kind": .string("synthetic")]), "texts": .object(["kind": .string("bbc")])]),
            "stages": .array(stages),
        ])
        return try RunnerConfig.parse(root, file: "cfg.json", stageTypes: StageRegistry.all)
    }
}
