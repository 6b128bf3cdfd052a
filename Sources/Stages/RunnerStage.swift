/// A dataset of the config (`datasets.NAME`): its kind and where it is read from.
///
/// | kind | category | keys |
/// | --- | --- | --- |
/// | `fashion-mnist` | image | `data` (idx folder), `split` (train/test), `limit`, `subset_seed` |
/// | `folder` | image | `data` (image folder), `labels_csv`, `split`, `limit`, `subset_seed`, `allow_outside_paths` (true: the CSV may list files outside `data`) |
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
        "fashion-mnist": ["data": .file, "split": .string, "limit": .int, "subset_seed": .int],
        "folder": ["data": .file, "labels_csv": .file, "split": .string, "limit": .int, "subset_seed": .int,
                   "allow_outside_paths": .bool],
        "tar": ["data": .file, "labels_csv": .string, "split": .string, "limit": .int, "subset_seed": .int],
        "synthetic": ["count": .int, "width": .int, "height": .int, "seed": .int],
    ].merging(textKinds.map { ($0, ["data": .file, "limit": .int, "seed": .int, "min_class_size": .int,
                                     "labels": .string] as [String: ParameterSpec.Kind]) }) { a, _ in a }

    public var category: Category { Self.imageKinds.contains(kind) ? .image : .text }

    public init(name: String, kind: String, parameters: [String: JSONValue]) {
        self.name = name
        self.kind = kind
        self.parameters = parameters
    }

    public func string(_ key: String) -> String? { if case let .string(s)? = parameters[key] { return s } else { return nil } }
    public func bool(_ key: String) -> Bool? { if case let .bool(b)? = parameters[key] { return b } else { return nil } }
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
    /// `parameters.canonical` without the file-valued parameters: what the stage key hashes. A file enters the
    /// key by its content alone (`Runner.key`), never by how its path is spelled, so running the config from
    /// another folder, or naming the same file by a relative or an absolute path, reuses the stages.
    public var keyParameters: String

    public static let keys = ["name", "type", "dataset", "inputs", "params"]

    public init(name: String, type: RunnerStageType, dataset: String?, inputs: [String: String], parameters: StageParameters) {
        self.name = name
        self.type = type
        self.dataset = dataset
        self.inputs = inputs
        self.parameters = parameters
        self.keyParameters = parameters.canonical(omitting: Set(type.spec.keys.filter { type.spec[$0].kind == .file }))
    }
}
