import Foundation

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

    public static let topLevelKeys = ["out", "title", "notes", "datasets", "stages"]

    /// Reads and checks the config at `path`. Relative `out` and dataset paths stay relative to the working directory.
    public static func load(_ path: String) throws(RunnerConfigError) -> RunnerConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(file: path, reason: FileManager.default.fileExists(atPath: path) ? "cannot be read" : "does not exist")
        }
        let root: JSONValue
        do {
            root = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw .notJSON(file: path, reason: Self.describe(error))
        }
        return try parse(root, file: path)
    }

    /// Checks an already decoded config (`file` is used in messages).
    public static func parse(_ root: JSONValue, file: String) throws(RunnerConfigError) -> RunnerConfig {
        let top = try root.object(file: file, key: "(top level)")
        try checkKeys(top, allowed: topLevelKeys, file: file, at: "")
        guard let out = try top["out"]?.string(file: file, key: "out"), !out.isEmpty else {
            throw .missingKey(file: file, key: "out", hint: "the output folder, e.g. \"out/pipeline\"")
        }
        let title = try top["title"]?.string(file: file, key: "title") ?? "Tributary pipeline"
        let notes = try top["notes"]?.string(file: file, key: "notes") ?? ""
        var datasets: [String: RunnerDataset] = [:]
        for (name, value) in try top["datasets"]?.object(file: file, key: "datasets") ?? [:] {
            datasets[name] = try RunnerDataset.parse(value, name: name, file: file)
        }
        guard let stageValues = try top["stages"]?.array(file: file, key: "stages"), !stageValues.isEmpty else {
            throw .missingKey(file: file, key: "stages", hint: "a non-empty list of stages")
        }
        var stages: [RunnerStage] = []
        for (i, value) in stageValues.enumerated() {
            let stage = try RunnerStage.parse(value, index: i, file: file, datasets: datasets, earlier: stages)
            stages.append(stage)
        }
        return RunnerConfig(path: file, out: out, title: title, notes: notes, datasets: datasets, stages: stages)
    }

    /// Rejects keys of `object` that are not in `allowed`.
    static func checkKeys(_ object: [String: JSONValue], allowed: [String], file: String, at prefix: String) throws(RunnerConfigError) {
        for key in object.keys.sorted() where !allowed.contains(key) {
            throw .unknownKey(file: file, key: prefix + key, allowed: allowed)
        }
    }

    static func describe(_ error: Error) -> String {
        if case let DecodingError.dataCorrupted(context) = error {
            let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return underlying ?? context.debugDescription
        }
        return "\(error)"
    }
}

/// A dataset of the config (`datasets.NAME`): its kind and where it is read from.
///
/// | kind | category | keys |
/// | --- | --- | --- |
/// | `fashion-mnist` | image | `data` (idx folder), `split` (train/test), `limit`, `subset_seed` |
/// | `folder` | image | `data` (image folder), `labels_csv`, `split`, `limit`, `subset_seed` |
/// | `tar` | image | `data` (archive), `labels_csv` (entry, default labels.csv), `split`, `limit`, `subset_seed` |
/// | `synthetic` | image | `count`, `width`, `height`, `seed` |
/// | `bbc`, `bbcsport`, `20news`, `csv`, `debian` | text | `data`, `limit`, `seed`, `min_class_size`, `labels` (debian: section/tags) |
public struct RunnerDataset: Sendable, Equatable {
    public enum Category: String, Sendable { case image, text }

    public var name: String
    public var kind: String
    public var parameters: [String: JSONValue]

    public static let imageKinds = ["fashion-mnist", "folder", "tar", "synthetic"]
    public static let textKinds = ["bbc", "bbcsport", "20news", "csv", "debian"]
    public static let keys: [String: [String: ParameterSpec.Kind]] = [
        "fashion-mnist": ["data": .string, "split": .string, "limit": .int, "subset_seed": .int],
        "folder": ["data": .string, "labels_csv": .string, "split": .string, "limit": .int, "subset_seed": .int],
        "tar": ["data": .string, "labels_csv": .string, "split": .string, "limit": .int, "subset_seed": .int],
        "synthetic": ["count": .int, "width": .int, "height": .int, "seed": .int],
    ].merging(textKinds.map { ($0, ["data": .string, "limit": .int, "seed": .int, "min_class_size": .int,
                                     "labels": .string] as [String: ParameterSpec.Kind]) }) { a, _ in a }

    public var category: Category { Self.imageKinds.contains(kind) ? .image : .text }

    static func parse(_ value: JSONValue, name: String, file: String) throws(RunnerConfigError) -> RunnerDataset {
        let at = "datasets.\(name)."
        var object = try value.object(file: file, key: "datasets.\(name)")
        guard let kind = try object.removeValue(forKey: "kind")?.string(file: file, key: at + "kind") else {
            throw .missingKey(file: file, key: at + "kind", hint: "one of " + (imageKinds + textKinds).joined(separator: ", "))
        }
        guard let allowed = keys[kind] else {
            throw .badValue(file: file, key: at + "kind", value: kind, rule: "must be one of " + (imageKinds + textKinds).joined(separator: ", "))
        }
        try RunnerConfig.checkKeys(object, allowed: ["kind"] + allowed.keys.sorted(), file: file, at: at)
        for (key, parameterKind) in allowed {
            guard let v = object[key] else { continue }
            if case let .failure(problem) = ParameterSpec(key, parameterKind, .null, "").check(v) {
                throw .parameter(ParameterError(door: .config(file: file, prefix: at), name: at + key, problem: problem))
            }
        }
        if kind == "csv" || kind == "folder" || kind == "tar", object["data"] == nil {
            throw .missingKey(file: file, key: at + "data", hint: "the \(kind == "csv" ? "CSV file" : kind == "tar" ? "archive" : "image folder")")
        }
        for key in ["limit", "count", "width", "height", "min_class_size"] {
            if case let .int(n)? = object[key], n < 1 { throw .badValue(file: file, key: at + key, value: "\(n)", rule: "must be at least 1") }
        }
        return RunnerDataset(name: name, kind: kind, parameters: object)
    }

    public func string(_ key: String) -> String? { if case let .string(s)? = parameters[key] { return s } else { return nil } }
    public func int(_ key: String) -> Int? { if case let .int(n)? = parameters[key] { return n } else { return nil } }
}

/// One stage of the config (`stages[i]`): `name` (unique; its folder under `out`), `type` (a `RunnerStageType`),
/// `dataset`, `inputs` (role → earlier stage name) and `params`.
public struct RunnerStage: Sendable {
    public var name: String
    public var type: RunnerStageType
    public var dataset: String?
    public var inputs: [String: String]
    public var parameters: StageParameters

    public static let keys = ["name", "type", "dataset", "inputs", "params"]

    static func parse(_ value: JSONValue, index: Int, file: String, datasets: [String: RunnerDataset],
                      earlier: [RunnerStage]) throws(RunnerConfigError) -> RunnerStage {
        let at = "stages[\(index)]"
        let object = try value.object(file: file, key: at)
        try RunnerConfig.checkKeys(object, allowed: keys, file: file, at: at + ".")
        guard let name = try object["name"]?.string(file: file, key: at + ".name"), !name.isEmpty else {
            throw .missingKey(file: file, key: at + ".name", hint: "a unique stage name (its folder under out)")
        }
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }), !name.hasPrefix(".") else {
            throw .badValue(file: file, key: at + ".name", value: name, rule: "use letters, digits, - _ . only (it names a folder)")
        }
        guard !earlier.contains(where: { $0.name == name }) else {
            throw .badValue(file: file, key: at + ".name", value: name, rule: "is already the name of an earlier stage")
        }
        guard let typeName = try object["type"]?.string(file: file, key: at + ".type") else {
            throw .missingKey(file: file, key: at + ".type", hint: "one of " + RunnerStageType.registry.map(\.name).joined(separator: ", "))
        }
        guard let type = RunnerStageType.named(typeName) else {
            throw .badValue(file: file, key: at + ".type", value: typeName,
                            rule: "must be one of " + RunnerStageType.registry.map(\.name).joined(separator: ", "))
        }
        var dataset: String?
        if let category = type.dataset {
            guard let d = try object["dataset"]?.string(file: file, key: at + ".dataset") else {
                throw .missingKey(file: file, key: at + ".dataset", hint: "the name of a \(category.rawValue) dataset under datasets")
            }
            guard let found = datasets[d] else {
                throw .badValue(file: file, key: at + ".dataset", value: d, rule: "names no dataset; define it under datasets")
            }
            guard found.category == category else {
                throw .badValue(file: file, key: at + ".dataset", value: d,
                                rule: "is a \(found.category.rawValue) dataset; stage type \(type.name) needs a \(category.rawValue) dataset")
            }
            dataset = d
        } else if object["dataset"] != nil {
            throw .unknownKey(file: file, key: at + ".dataset", allowed: keys.filter { $0 != "dataset" })
        }
        var inputs: [String: String] = [:]
        let given = try object["inputs"]?.object(file: file, key: at + ".inputs") ?? [:]
        try RunnerConfig.checkKeys(given, allowed: type.inputs.keys.sorted(), file: file, at: at + ".inputs.")
        for (role, producers) in type.inputs.sorted(by: { $0.key < $1.key }) {
            guard let source = try given[role]?.string(file: file, key: at + ".inputs.\(role)") else {
                throw .missingKey(file: file, key: at + ".inputs.\(role)", hint: "the name of an earlier stage of type " + producers.joined(separator: " or "))
            }
            guard let producer = earlier.first(where: { $0.name == source }) else {
                throw .badValue(file: file, key: at + ".inputs.\(role)", value: source,
                                rule: "names no earlier stage (stages run in list order, so inputs must come first)")
            }
            guard producers.contains(producer.type.name) else {
                throw .badValue(file: file, key: at + ".inputs.\(role)", value: source,
                                rule: "is a \(producer.type.name) stage; \(type.name) needs " + producers.joined(separator: " or "))
            }
            inputs[role] = source
        }
        let params = try object["params"]?.object(file: file, key: at + ".params") ?? [:]
        let parameters: StageParameters
        do {
            parameters = try type.spec.resolve(params, door: .config(file: file, prefix: at + ".params."))
        } catch {
            throw .parameter(error)
        }
        return RunnerStage(name: name, type: type, dataset: dataset, inputs: inputs, parameters: parameters)
    }
}

/// A JSON value, decoded strictly (a number with a fraction or exponent is `.double`, one without is `.int`;
/// `true` is never a number).
public enum JSONValue: Sendable, Equatable, Decodable {
    case null, bool(Bool), int(Int), double(Double), string(String), array([JSONValue]), object([String: JSONValue])

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Int.self) { self = .int(n) }
        else if let x = try? c.decode(Double.self) { self = .double(x) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int: return "an integer"
        case .double: return "a number"
        case .string: return "a string"
        case .array: return "a list"
        case .object: return "an object"
        }
    }

    /// A canonical text form (sorted object keys, round-trip doubles).
    public var canonical: String {
        switch self {
        case .null: return "null"
        case let .bool(b): return b ? "true" : "false"
        case let .int(n): return "\(n)"
        case let .double(x): return "\(x)"
        case let .string(s): return "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        case let .array(items): return "[" + items.map(\.canonical).joined(separator: ",") + "]"
        case let .object(o): return "{" + o.keys.sorted().map { "\"\($0)\":" + o[$0]!.canonical }.joined(separator: ",") + "}"
        }
    }

    func object(file: String, key: String) throws(RunnerConfigError) -> [String: JSONValue] {
        guard case let .object(o) = self else { throw .wrongType(file: file, key: key, expected: "an object", got: typeName) }
        return o
    }

    func array(file: String, key: String) throws(RunnerConfigError) -> [JSONValue] {
        guard case let .array(a) = self else { throw .wrongType(file: file, key: key, expected: "a list", got: typeName) }
        return a
    }

    func string(file: String, key: String) throws(RunnerConfigError) -> String {
        guard case let .string(s) = self else { throw .wrongType(file: file, key: key, expected: "a string", got: typeName) }
        return s
    }
}

/// A bad pipeline config. Every message names the file and the key, and says what is allowed.
public enum RunnerConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    case unreadable(file: String, reason: String)
    case notJSON(file: String, reason: String)
    case unknownKey(file: String, key: String, allowed: [String])
    case missingKey(file: String, key: String, hint: String)
    case wrongType(file: String, key: String, expected: String, got: String)
    case badValue(file: String, key: String, value: String, rule: String)
    /// A stage parameter or dataset key that its spec refuses.
    case parameter(ParameterError)

    public var description: String {
        switch self {
        case let .unreadable(file, reason):
            return "\(file) \(reason); pass the path of a pipeline config (see data/pipelines/README.md)"
        case let .notJSON(file, reason):
            return "\(file) is not valid JSON (\(reason)); fix the syntax (JSON has no comments and no trailing commas)"
        case let .unknownKey(file, key, allowed):
            return "\(file): unknown key '\(key)'; remove it or use one of: \(allowed.joined(separator: ", ")) (see data/pipelines/README.md)"
        case let .missingKey(file, key, hint):
            return "\(file): missing key '\(key)'; add \(hint)"
        case let .wrongType(file, key, expected, got):
            return "\(file): '\(key)' must be \(expected), got \(got); fix the value"
        case let .parameter(error):
            return error.description
        case let .badValue(file, key, value, rule):
            return "\(file): '\(key)' = \(value) \(rule)" + (rule.contains("; ") ? "" : "; fix it in the config (see data/pipelines/README.md)")
        }
    }
}
