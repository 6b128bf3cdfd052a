/// The parameter table of one stage: every parameter's key, kind, default, range or choices, unit, help and
/// reference, declared ONCE (`ParameterSpec`). The runner builds a config stage's JSON schema from it and the
/// command line its options' defaults and help; both resolve values through `resolve(_:door:)`:
///
///     given values ──resolve──▶ unknown key?  wrong kind?  out of range / not a choice?  ──▶ StageParameters
///                                 └───────────── ParameterError naming --flag or stages[i].params.key
///
/// A stage made of steps (`fisher` = extract → fit-pca → fit-gmm → encode) is the union of its steps' specs
/// (`init(_:summary:combining:)`), so each step's parameters are still declared once.
public struct StageSpec: Sendable {
    public var name: String
    public var summary: String
    /// In the order help and documentation list them.
    public var parameters: [ParameterSpec]
    /// Rules between parameters (`fold` excludes `test_fraction`), checked by `resolve` after each value's own.
    public var constraints: [Constraint]

    /// A rule between resolved parameters: the error it finds, or nil.
    public typealias Constraint = @Sendable (StageParameters) -> ParameterError?

    public init(_ name: String, summary: String, _ parameters: [ParameterSpec], constraints: [Constraint] = []) {
        var seen = Set<String>()
        for p in parameters { precondition(seen.insert(p.key).inserted, "StageSpec \(name): parameter \(p.key) declared twice") }
        self.name = name
        self.summary = summary
        self.parameters = parameters
        self.constraints = constraints
    }

    /// The union of `parts`' parameters, in order; a key in several parts is the same declaration.
    public init(_ name: String, summary: String, combining parts: [StageSpec], _ extra: [ParameterSpec] = [],
                constraints: [Constraint] = []) {
        var all: [ParameterSpec] = []
        for p in parts.flatMap(\.parameters) + extra where !all.contains(where: { $0.key == p.key }) { all.append(p) }
        self.init(name, summary: summary, all, constraints: parts.flatMap(\.constraints) + constraints)
    }

    public var keys: [String] { parameters.map(\.key) }

    public func contains(_ key: String) -> Bool { parameters.contains { $0.key == key } }

    public subscript(key: String) -> ParameterSpec {
        guard let p = parameters.first(where: { $0.key == key }) else {
            preconditionFailure("StageSpec \(name) has no parameter '\(key)'")
        }
        return p
    }

    /// The declared default of `key` as a Swift value (what a command-line option starts from).
    public func `default`<T: ParameterValue>(_ key: String, as type: T.Type = T.self) -> T {
        guard let value = T(json: self[key].defaultValue) else {
            preconditionFailure("StageSpec \(name): the default of \(key) is not a \(T.self)")
        }
        return value
    }

    /// The help text of `key` (the same in `--help` and in data/pipelines/README.md).
    public func help(_ key: String) -> String { self[key].helpText }

    /// Checks `given` (key → value) against the table and fills in the defaults. A value equal to its default
    /// gives the same `StageParameters` as leaving it out, so the runner's stage key does not change.
    public func resolve(_ given: [String: JSONValue], door: FrontDoor) throws(ParameterError) -> StageParameters {
        var values: [String: JSONValue] = [:]
        for p in parameters { values[p.key] = p.defaultValue }
        for key in given.keys.sorted() {
            guard let p = parameters.first(where: { $0.key == key }) else {
                throw ParameterError(door: door, name: door.name(ofKey: key), problem: .unknown(allowed: keys))
            }
            switch p.check(given[key]!) {
            case let .success(value): if value != .null { values[key] = value }
            case let .failure(problem): throw ParameterError(door: door, name: door.name(ofKey: p.key), problem: problem)
            }
        }
        let resolved = StageParameters(values: values, spec: self, door: door)
        for constraint in constraints { if let error = constraint(resolved) { throw error } }
        return resolved
    }
}

/// A stage's resolved parameters: the declared defaults overlaid with the given values.
public struct StageParameters: Sendable {
    public var values: [String: JSONValue]
    public var spec: StageSpec
    /// Where the values came from: errors found later (against the inputs) name the key there.
    public var door: FrontDoor

    public func int(_ key: String) -> Int { if case let .int(n)? = values[key] { return n } else { return 0 } }
    public func optionalInt(_ key: String) -> Int? { if case let .int(n)? = values[key] { return n } else { return nil } }
    public func double(_ key: String) -> Double {
        switch values[key] {
        case let .double(x)?: return x
        case let .int(n)?: return Double(n)
        default: return 0
        }
    }
    public func optionalDouble(_ key: String) -> Double? { values[key] == .null ? nil : double(key) }
    public func string(_ key: String) -> String { if case let .string(s)? = values[key] { return s } else { return "" } }
    public func optionalString(_ key: String) -> String? { if case let .string(s)? = values[key] { return s } else { return nil } }
    public func bool(_ key: String) -> Bool { if case let .bool(b)? = values[key] { return b } else { return false } }
    public func strings(_ key: String) -> [String] {
        if case let .array(items)? = values[key] { return items.compactMap { if case let .string(s) = $0 { s } else { nil } } }
        return []
    }
    public func doubles(_ key: String) -> [Double] {
        if case let .array(items)? = values[key] { return items.compactMap { Double(json: $0) } }
        return []
    }
    public func isNull(_ key: String) -> Bool { values[key] == nil || values[key] == .null }

    /// A value of `key` that is fine on its own but not with the stage's inputs: the error names the key in the
    /// user's front door.
    public func inconsistent(_ key: String, _ reason: String) -> ParameterError {
        ParameterError(door: door, name: door.name(ofKey: key), problem: .inconsistent(value: values[key]?.canonical ?? "null", reason: reason))
    }

    /// `key=value` lines in key order: what the report lists (the runner's stage key hashes
    /// `canonical(omitting:)` of the file-valued keys).
    public var canonical: String { canonical(omitting: []) }

    /// `canonical` without the lines of the `omitted` keys.
    public func canonical(omitting omitted: Set<String>) -> String {
        values.keys.sorted().filter { !omitted.contains($0) }.map { "\($0)=\(values[$0]!.canonical)" }.joined(separator: "\n")
    }
}

/// A Swift type a parameter's value converts to and from (the command line's option types).
public protocol ParameterValue {
    init?(json: JSONValue)
    var json: JSONValue { get }
}

extension Int: ParameterValue {
    public init?(json: JSONValue) { if case let .int(n) = json { self = n } else { return nil } }
    public var json: JSONValue { .int(self) }
}

extension UInt64: ParameterValue {
    public init?(json: JSONValue) { if case let .int(n) = json, n >= 0 { self = UInt64(n) } else { return nil } }
    public var json: JSONValue { .int(Int(clamping: self)) }
}

extension Double: ParameterValue {
    public init?(json: JSONValue) {
        switch json {
        case let .double(x): self = x
        case let .int(n): self = Double(n)
        default: return nil
        }
    }
    public var json: JSONValue { .double(self) }
}

extension String: ParameterValue {
    public init?(json: JSONValue) { if case let .string(s) = json { self = s } else { return nil } }
    public var json: JSONValue { .string(self) }
}

extension Bool: ParameterValue {
    public init?(json: JSONValue) { if case let .bool(b) = json { self = b } else { return nil } }
    public var json: JSONValue { .bool(self) }
}

extension Array: ParameterValue where Element == String {
    public init?(json: JSONValue) {
        guard case let .array(items) = json else { return nil }
        let strings = items.compactMap { if case let .string(s) = $0 { s } else { nil } }
        guard strings.count == items.count else { return nil }
        self = strings
    }
    public var json: JSONValue { .array(map { .string($0) }) }
}

extension Optional: ParameterValue where Wrapped: ParameterValue {
    public init?(json: JSONValue) {
        if json == .null { self = .none; return }
        guard let w = Wrapped(json: json) else { return nil }
        self = .some(w)
    }
    public var json: JSONValue { map(\.json) ?? .null }
}

/// A string enum parameter (`--optimizer adam`): its raw values are the spec's choices.
public protocol ParameterChoice: RawRepresentable, CaseIterable, ParameterValue where RawValue == String {}

extension ParameterChoice {
    public init?(json: JSONValue) {
        guard case let .string(s) = json, let v = Self(rawValue: s) else { return nil }
        self = v
    }
    public var json: JSONValue { .string(rawValue) }
    /// The choices of a spec parameter of this type.
    public static var choices: [String] { allCases.map(\.rawValue) }
}

extension ParameterSpec {
    /// Mid-epoch checkpoints of the data-parallel training stages (`train-text`, `train-infused`, `train-paths`:
    /// one declaration for the three; the checkpoint itself is `DataParallelTrainer`'s).
    public static let checkpointEverySteps = ParameterSpec("checkpoint_every_steps", .int, .int(0), unit: "steps",
                                                           "Also checkpoint every N steps inside an epoch (0: at epoch ends only)")
}
