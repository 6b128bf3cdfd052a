/// A declared stage parameter: its JSON type, default, and an optional rule.
public struct RunnerParameter: Sendable {
    public enum Kind: String, Sendable {
        case int = "an integer", double = "a number", string = "a string", bool = "true or false", strings = "a list of strings"
        /// A path (a string) whose file's CONTENT enters the stage key: editing the file reruns the stage.
        case file = "a file path (a string)"

        public func check(_ value: JSONValue, file: String, key: String) throws(RunnerConfigError) {
            switch (self, value) {
            case (.int, .int), (.double, .int), (.double, .double), (.string, .string), (.file, .string), (.bool, .bool): return
            case let (.strings, .array(items)) where items.allSatisfy({ if case .string = $0 { true } else { false } }): return
            default: throw .wrongType(file: file, key: key, expected: rawValue, got: value.typeName)
            }
        }
    }

    public var kind: Kind
    public var defaultValue: JSONValue
    /// Allowed string values (empty: any).
    public var choices: [String]
    /// Allowed numeric values (nil: any; integer parameters default to ≥ 0).
    public var range: ClosedRange<Double>?
    public var help: String

    public init(_ kind: Kind, _ defaultValue: JSONValue, choices: [String] = [], range: ClosedRange<Double>? = nil,
                _ help: String) {
        self.kind = kind
        self.defaultValue = defaultValue
        self.choices = choices
        self.range = range ?? (kind == .int ? 0 ... Double(Int.max) : nil)
        self.help = help
    }

    /// Checks a numeric value against `range`.
    public func checkRange(_ value: JSONValue, file: String, key: String) throws(RunnerConfigError) {
        guard let range else { return }
        let x: Double
        switch value {
        case let .int(n): x = Double(n)
        case let .double(d): x = d
        default: return
        }
        guard range.contains(x) else {
            let upper = range.upperBound >= Double(Int.max) ? "" : " and at most \(range.upperBound)"
            throw .badValue(file: file, key: key, value: "\(value.canonical)", rule: "must be at least \(range.lowerBound)\(upper); fix the value")
        }
    }
}

/// A stage's parameters: the declared defaults overlaid with the config's values (checked), so a value written
/// out equal to its default gives the same stage key as leaving it out.
public struct RunnerParameters: Sendable {
    public var values: [String: JSONValue]

    public init(_ given: [String: JSONValue], declared: [String: RunnerParameter], file: String, at: String) throws(RunnerConfigError) {
        try JSONValue.checkKeys(given, allowed: declared.keys.sorted(), file: file, at: at)
        var values = declared.mapValues(\.defaultValue)
        for (key, value) in given {
            let p = declared[key]!
            if case .null = value { continue }
            try p.kind.check(value, file: file, key: at + key)
            try p.checkRange(value, file: file, key: at + key)
            if !p.choices.isEmpty {
                let strings: [String]
                switch value {
                case let .string(s): strings = [s]
                case let .array(items): strings = items.compactMap { if case let .string(s) = $0 { s } else { nil } }
                default: strings = []
                }
                for s in strings where !p.choices.contains(s) {
                    throw .badValue(file: file, key: at + key, value: s, rule: "must be one of " + p.choices.joined(separator: ", "))
                }
            }
            if p.kind == .double, case let .int(n) = value { values[key] = .double(Double(n)) } else { values[key] = value }
        }
        self.values = values
    }

    public func int(_ key: String) -> Int { if case let .int(n)? = values[key] { return n } else { return 0 } }
    public func optionalInt(_ key: String) -> Int? { if case let .int(n)? = values[key] { return n } else { return nil } }
    public func double(_ key: String) -> Double {
        switch values[key] {
        case let .double(x)?: return x
        case let .int(n)?: return Double(n)
        default: return 0
        }
    }
    public func string(_ key: String) -> String { if case let .string(s)? = values[key] { return s } else { return "" } }
    public func bool(_ key: String) -> Bool { if case let .bool(b)? = values[key] { return b } else { return false } }
    public func strings(_ key: String) -> [String] {
        if case let .array(items)? = values[key] { return items.compactMap { if case let .string(s) = $0 { s } else { nil } } }
        return []
    }

    /// `key=value` lines in key order: what the stage key hashes, and what the report lists.
    public var canonical: String { values.keys.sorted().map { "\($0)=\(values[$0]!.canonical)" }.joined(separator: "\n") }
}

