import Core
import Foundation
import Stages

/// The pipeline config of `tributary run` / `tributary status`: a JSON file naming the output folder, the
/// datasets and the stages (in run order) with their parameters. The keys are documented one by one in
/// `data/pipelines/README.md` (JSON has no comments); `data/pipelines/default.json` is the embedded default.
///
///     { "out": "out/default",
///       "title": "…",
///       "datasets": { "fashion": { "kind": "fashion-mnist", "limit": 600 } },
///       "stages": [ { "name": "fashion-fv", "type": "fisher", "dataset": "fashion", "params": { "components": 16 } },
///                   { "name": "fashion-split", "type": "split", "inputs": { "fv": "fashion-fv" } } ] }
///
/// **Paths** (`out`, a dataset's `data` and a folder's `labels_csv`, every stage parameter that is a file) written
/// in the config are relative to the folder of the config file, not to the working directory (declared defaults
/// of file parameters stay as declared); stage keys and dataset hashes hash the files' content, not their paths.
///
/// Reading is strict: an unknown key, a value of the wrong type, an unknown stage type or dataset kind, an input
/// that names no earlier stage (so the stages form a chain without cycles) is a `RunnerConfigError` that names
/// the file, the key path (`stages[2].params.cost`) and what is allowed.
public struct RunnerConfig: Sendable {
    public var path: String
    public var out: String
    public var title: String
    /// Free text printed under the report's title (e.g. how the datasets were scaled down).
    public var notes: String
    public var datasets: [String: RunnerDataset]
    public var stages: [RunnerStage]
    /// The per-rank memory budget the config asks for (`"memory": "4GiB"`); `run --memory` overrides it, and
    /// without either the machine default applies (see `MemoryBudget`). It is not part of any stage's key:
    /// a budget changes what is refused, never what is computed.
    public var memory: MemoryBudget? = nil
    /// The `repeat` block (seeds × folds, `RepeatSpec`): `tributary run` then runs `RepeatRunner`. Nil: one run.
    public var repetition: RepeatSpec? = nil
    /// Stages this config reads but does not run: stage name → the output folder that holds it (a repetition's
    /// shared stages live in `OUT/shared`; `Runner` checks they are done there and copies their records).
    public var external: [String: String] = [:]

    public static let topLevelKeys = ["out", "title", "notes", "datasets", "stages", "memory", "repeat"]

    /// Reads and checks the config at `path`. Relative `out` and dataset paths stay relative to the working directory.
    ///
    /// `stageTypes` is the registry `"type"` is resolved against: the method modules' stage types, joined by the
    /// caller (e.g. `FisherAnnotationStages.stageTypes + InstanceInfusionStages.stageTypes + …`).
    public static func load(_ path: String, stageTypes: [RunnerStageType]) throws(RunnerConfigError) -> RunnerConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(file: path, reason: FileManager.default.fileExists(atPath: path) ? "cannot be read" : "does not exist")
        }
        let root: JSONValue
        do {
            root = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw .notJSON(file: path, reason: Self.describe(error))
        }
        return try parse(root, file: path, stageTypes: stageTypes)
    }

    /// Checks an already decoded config (`file` is used in messages).
    public static func parse(_ root: JSONValue, file: String, stageTypes: [RunnerStageType]) throws(RunnerConfigError) -> RunnerConfig {
        let top = try root.object(file: file, key: "(top level)")
        try JSONValue.checkKeys(top, allowed: topLevelKeys, file: file, at: "")
        guard let out = try top["out"]?.string(file: file, key: "out"), !out.isEmpty else {
            throw .missingKey(file: file, key: "out", hint: "the output folder, e.g. \"out/pipeline\"")
        }
        let title = try top["title"]?.string(file: file, key: "title") ?? "Tributary pipeline"
        let notes = try top["notes"]?.string(file: file, key: "notes") ?? ""
        var memory: MemoryBudget?
        if let text = try top["memory"]?.string(file: file, key: "memory") {
            do {
                memory = try MemoryBudget(parsing: text, origin: "\"memory\" in \(file)")
            } catch {
                throw .badValue(file: file, key: "memory", value: text, rule: "a memory size such as \"4GiB\" or \"512MiB\"")
            }
        }
        var datasets: [String: RunnerDataset] = [:]
        for (name, value) in try top["datasets"]?.object(file: file, key: "datasets") ?? [:] {
            datasets[name] = try RunnerDataset.parse(value, name: name, file: file)
        }
        guard let stageValues = try top["stages"]?.array(file: file, key: "stages"), !stageValues.isEmpty else {
            throw .missingKey(file: file, key: "stages", hint: "a non-empty list of stages")
        }
        var stages: [RunnerStage] = []
        for (i, value) in stageValues.enumerated() {
            let stage = try RunnerStage.parse(value, index: i, file: file, datasets: datasets, earlier: stages, stageTypes: stageTypes)
            stages.append(stage)
        }
        let base = (file as NSString).deletingLastPathComponent
        for name in datasets.keys {
            let kinds = RunnerDataset.keys[datasets[name]!.kind] ?? [:]
            for (key, kind) in kinds where kind == .file {
                if case let .string(path)? = datasets[name]!.parameters[key] {
                    datasets[name]!.parameters[key] = .string(resolve(path, against: base))
                }
            }
        }
        for i in stages.indices {
            // Only the paths the config writes: a declared default (data/label-graphs/…) stays as declared.
            guard case let .object(stage)? = Optional(stageValues[i]), case let .object(given)? = stage["params"] else { continue }
            for key in stages[i].type.spec.keys where stages[i].type.spec[key].kind == .file && given[key] != nil {
                if case let .string(path)? = stages[i].parameters.values[key], !path.isEmpty {
                    stages[i].parameters.values[key] = .string(resolve(path, against: base))
                }
            }
        }
        var repetition: RepeatSpec?
        if let block = top["repeat"] {
            var given: [[String: JSONValue]] = []  // each stage's params as written (already checked above)
            for case let .object(stage) in stageValues {
                if case let .object(params)? = stage["params"] { given.append(params) } else { given.append([:]) }
            }
            repetition = try RepeatSpec.parse(block, file: file, stages: stages, given: given)
        }
        return RunnerConfig(path: file, out: resolve(out, against: base), title: title, notes: notes, datasets: datasets,
                            stages: stages, memory: memory, repetition: repetition)
    }

    /// The folder of stage `name`: `external`'s, else `out/name`.
    public func folder(of name: String) -> String { (external[name] ?? out) + "/" + name }

    /// A path of the config: absolute as it is, relative against the config file's folder `base` (so a config
    /// means the same files from any working directory).
    public static func resolve(_ path: String, against base: String) -> String {
        lexicallyNormalized(path.hasPrefix("/") || base.isEmpty || base == "." ? path : base + "/" + path)
    }

    /// Checks the sizes the config's datasets declare (a synthetic dataset's `count`, `width`, `height`) against
    /// `budget`: `run` and `status` call it before anything is allocated. The message names the key.
    public func checkDatasetSizes(budget: MemoryBudget = .current) throws {
        for name in datasets.keys.sorted() {
            guard case let .images(source, _) = RunnerDatasets.resolve(datasets[name]!, out: out) else { continue }
            try source.checkDeclaredSizes(input: "\(path): datasets.\(name)", budget: budget)
        }
    }

    /// The input files the config names (datasets' file keys, stages' file parameters) that do not exist, in
    /// config order: `run` refuses to start with any (`RunnerConfigError.missingInputs`), `status` lists them.
    public func missingInputs() -> [MissingInput] {
        var missing: [MissingInput] = []
        for name in datasets.keys.sorted() {
            let dataset = datasets[name]!
            for (key, kind) in (RunnerDataset.keys[dataset.kind] ?? [:]).sorted(by: { $0.key < $1.key }) where kind == .file {
                if case let .string(path)? = dataset.parameters[key], !FileManager.default.fileExists(atPath: path) {
                    missing.append(MissingInput(key: "datasets.\(name).\(key)", path: path))
                }
            }
        }
        for (i, stage) in stages.enumerated() {
            for key in stage.type.spec.keys.sorted() where stage.type.spec[key].kind == .file {
                if case let .string(path)? = stage.parameters.values[key], !path.isEmpty,
                   !FileManager.default.fileExists(atPath: path) {
                    missing.append(MissingInput(key: "stages[\(i)].params.\(key)", path: path))
                }
            }
        }
        return missing
    }

    /// Throws `RunnerConfigError.missingInputs` when `missingInputs()` is not empty.
    public func checkInputsExist() throws(RunnerConfigError) {
        let missing = missingInputs()
        if !missing.isEmpty { throw .missingInputs(file: path, missing: missing) }
    }

    static func describe(_ error: Error) -> String {
        if case let DecodingError.dataCorrupted(context) = error {
            let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return underlying ?? context.debugDescription
        }
        return "\(error)"
    }
}
