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
    /// Input files the config names that do not exist: (key path, resolved path) pairs.
    case missingInputs(file: String, missing: [MissingInput])

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
        case let .missingInputs(file, missing):
            return "\(file): \(missing.count) input file(s) do not exist, so no stage was run: "
                + missing.map { "\($0.key) = \($0.path)" }.joined(separator: "; ")
                + ". Relative paths in a config are from the config's folder; fix the paths (or create the files)"
        case let .badValue(file, key, value, rule):
            return "\(file): '\(key)' = \(value) \(rule)" + (rule.contains("; ") ? "" : "; fix it in the config (see data/pipelines/README.md)")
        }
    }
}

/// An input file a config names (`datasets.img.data`, `stages[3].params.graph`) that is not there.
public struct MissingInput: Sendable, Equatable {
    public var key: String
    /// The path as resolved against the config's folder.
    public var path: String

    public init(key: String, path: String) {
        self.key = key
        self.path = path
    }
}
