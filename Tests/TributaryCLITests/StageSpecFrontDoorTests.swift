import Foundation
import Pipeline
import TestSupport
import XCTest

/// One parameter table per stage: every runner stage type's `StageSpec` is walked, and its command-line twin must
/// offer each shared parameter as `--<key>` with the same default, help and choices, and refuse the same
/// out-of-range values that the runner refuses — each door naming the key the user typed.
final class StageSpecFrontDoorTests: XCTestCase {
    /// A runner stage type, the command that runs the same stage, the arguments that command needs besides the
    /// parameters (so that only the parameter under test can fail), and its options that are not parameters
    /// (input/output paths, threads, resume: the plumbing the runner decides itself).
    struct Twin {
        var stage: String
        /// The commands that run the stage (a stage made of steps has a command per step, and maybe one for all).
        var doors: [Door]
        var plumbing: Set<String>
    }

    /// One command of a twin: its words, the arguments it needs, and the spec keys it offers (nil: all the stage's).
    struct Door {
        var command: [String]
        var required: [String] = []
        var keys: [String]? = nil
    }

    static let twins: [Twin] = [
        Twin(stage: "train-text", doors: [Door(command: ["train-text"], required: ["--out", "/nonexistent/model.h5"])],
             plumbing: ["corpus", "data", "debian-labels", "empty-texts", "checkpoint", "resume", "stop-after-steps",
                        "threads", "out"]),
        Twin(stage: "fisher",
             doors: [Door(command: ["fisher"]), Door(command: ["extract"], keys: StageSpec.extract.keys),
                     Door(command: ["fit-pca"], keys: StageSpec.fitPCA.keys), Door(command: ["fit-gmm"], keys: StageSpec.fitGMM.keys),
                     Door(command: ["encode"], keys: StageSpec.encode.keys)],
             plumbing: ["dataset", "data", "labels-csv", "split", "limit", "subset-seed", "out"]),
        Twin(stage: "annotate",
             doors: [Door(command: ["annotate", "train"], required: ["--fv", "/nonexistent/fv.h5"], keys: StageSpec.annotateTrain.keys),
                     Door(command: ["annotate", "predict"], keys: StageSpec.annotatePredict.keys)],
             plumbing: ["out", "fv", "annotations"]),
    ]

    /// Stage types that have no command-line twin, with the reason.
    static let runnerOnly: [String: String] = [
        "split": "a seeded per-class split of a single-label fv.h5 into the images.csv that `annotate` reads; on the "
            + "command line `annotate manifest` writes images.csv from the dataset itself (class-csv: --train-per-class)",
    ]

    /// The stage types whose twins are not converted yet (none when the contract holds everywhere).
    static let pending: Set<String> = ["embed", "index", "query", "train-infused", "train-paths"]

    func testEveryStageTypeHasACommandLineTwin() {
        for type in RunnerStageType.registry where !Self.pending.contains(type.name) && Self.runnerOnly[type.name] == nil {
            XCTAssertTrue(Self.twins.contains { $0.stage == type.name }, "stage type \(type.name) has no command-line twin in the test table")
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
        for twin in Self.twins {
            let type = try XCTUnwrap(RunnerStageType.named(twin.stage))
            var offered = Set<String>()
            for door in twin.doors {
                let cli = try options(of: door)
                let keys = door.keys ?? type.sharedKeys
                let name = door.command.joined(separator: " ")
                for key in keys {
                    XCTAssertTrue(type.sharedKeys.contains(key), "\(name): \(key) is no parameter of the \(twin.stage) stage")
                    offered.insert(key)
                    let p = type.spec[key]
                    let flag = String(p.flag.dropFirst(2))
                    guard let option = cli[flag] else {
                        XCTFail("\(name) lacks \(p.flag) (stage \(twin.stage), key \(key))")
                        continue
                    }
                    XCTAssertEqual(option["abstract"] as? String, p.helpText, "\(name) \(p.flag): help differs from the spec")
                    let shown = option["defaultValue"] as? String
                    switch p.defaultValue {
                    case .null: XCTAssertNil(shown, "\(name) \(p.flag): the spec has no default")
                    case let .int(n): XCTAssertEqual(shown.flatMap { Int($0) }, n, "\(name) \(p.flag): default differs")
                    case let .double(x): XCTAssertEqual(shown.flatMap { Double($0) }, x, "\(name) \(p.flag): default differs")
                    case let .string(s): XCTAssertEqual(shown, s, "\(name) \(p.flag): default differs")
                    case let .bool(b): XCTAssertEqual(shown ?? "false", b ? "true" : "false", "\(name) \(p.flag): default differs")
                    case let .array(items): XCTAssertEqual(shown, items.map { if case let .string(s) = $0 { s } else { "" } }.joined(separator: ","))
                    case .object: XCTFail("\(p.flag): object default")
                    }
                    if !p.choices.isEmpty, let values = option["allValues"] as? [String] {
                        XCTAssertEqual(values, p.choices, "\(name) \(p.flag): choices differ")
                    }
                }
                // Every other option is plumbing: a parameter of another step (fit-gmm --pca-dims) is no option at all.
                let own = Set(keys.map { String(ParameterSpec.flag(of: $0).dropFirst(2)) })
                for flag in cli.keys.sorted() where !own.contains(flag) && flag != "help" && flag != "version" {
                    XCTAssertTrue(twin.plumbing.contains(flag), "\(name) --\(flag) is neither a parameter of its step nor declared plumbing")
                }
            }
            XCTAssertEqual(offered, Set(type.sharedKeys), "\(twin.stage): parameters no command offers")
        }
    }

    /// A value just outside each numeric range and a value outside each choice list fails in both doors, each
    /// naming its own key.
    func testBothDoorsRefuseTheSameValues() throws {
        for twin in Self.twins {
            let type = try XCTUnwrap(RunnerStageType.named(twin.stage))
            for key in type.sharedKeys {
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
                    for door in twin.doors where (door.keys ?? type.sharedKeys).contains(key) {
                        let (status, output) = try runTributary(door.command + door.required + [p.flag + "=" + text])
                        XCTAssertNotEqual(status, 0, "\(door.command.joined(separator: " ")) \(p.flag)=\(text) was accepted")
                        XCTAssertTrue(output.contains(p.flag), "\(p.flag)=\(text): the error does not name the flag:\n\(output)")
                    }
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
        let fisher = try XCTUnwrap(RunnerStageType.named("fisher"))
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
        let annotate = try XCTUnwrap(RunnerStageType.named("annotate"))
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

    /// The stage types `type` needs before it (its inputs, recursively), then `type`.
    static func chain(for type: RunnerStageType) -> [RunnerStageType] {
        var before: [RunnerStageType] = []
        for producers in type.inputs.keys.sorted().compactMap({ type.inputs[$0] }) {
            for t in Self.chain(for: RunnerStageType.named(producers[0])!) where !before.contains(where: { $0.name == t.name }) {
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
            for (role, producers) in t.inputs { inputs[role] = .string(producers[0]) }
            if !inputs.isEmpty { stage["inputs"] = .object(inputs) }
            if i == chain.count - 1 { stage["params"] = .object(params) }
            stages.append(.object(stage))
        }
        let root: JSONValue = .object([
            "out": .string("/nonexistent/out"),
            "datasets": .object(["images": .object(["kind": .string("synthetic")]), "texts": .object(["kind": .string("bbc")])]),
            "stages": .array(stages),
        ])
        return try RunnerConfig.parse(root, file: "cfg.json")
    }
}
