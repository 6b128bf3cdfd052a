/// One parameter of a stage, declared once: its config key, value kind, default, allowed range or choices, unit,
/// help text and the paper it comes from. Both front doors read it:
///
///     config file   stages[i].params.<key>          "batch_size": 64
///     command line  --<key with - for _>            --batch-size 64
///
/// The command line takes its option's default and help from here (`ParameterSpec.help`, `StageSpec.default`),
/// the runner its JSON schema; both validate through `StageSpec.resolve`, so a range is checked once and an error
/// names the key in the user's own front door (`FrontDoor`).
///
/// A `.null` default means "decided from the data"; `dataDefault` says how (e.g. Table 3's epochs for the corpus).
public struct ParameterSpec: Sendable {
    public enum Kind: String, Sendable {
        case int = "an integer", double = "a number", string = "a string", bool = "true or false"
        case strings = "a list of strings"
        /// Numbers to choose from (hyper-parameter candidates); `range` applies to each.
        case doubles = "a list of numbers"
        /// A path (a string) whose file's CONTENT enters the runner's stage key: editing the file reruns the stage.
        case file = "a file path (a string)"
    }

    /// The config key, snake_case (`batch_size`).
    public var key: String
    public var kind: Kind
    public var defaultValue: JSONValue
    /// What an absent (`null`) value means, when the default depends on the data.
    public var dataDefault: String?
    /// Allowed string values (empty: any).
    public var choices: [String]
    /// Allowed numeric values (nil: any number; integers are ≥ 0 unless a range says otherwise).
    public var range: ClosedRange<Double>?
    /// The unit of a number ("images", "epochs", "bits"), printed after the help.
    public var unit: String?
    public var help: String
    /// Where the default comes from ("Instance Infusion, Table 3").
    public var reference: String?
    /// A rule beyond kind, range and choices (`k/K`, a multiple of 4): returns what is allowed when `value` breaks it.
    public var rule: (@Sendable (JSONValue) -> String?)?

    public init(_ key: String, _ kind: Kind, _ defaultValue: JSONValue, dataDefault: String? = nil,
                choices: [String] = [], range: ClosedRange<Double>? = nil, unit: String? = nil,
                reference: String? = nil, rule: (@Sendable (JSONValue) -> String?)? = nil, _ help: String) {
        precondition(key.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "_" }, "ParameterSpec: key '\(key)' must be snake_case")
        self.key = key
        self.kind = kind
        self.defaultValue = defaultValue
        self.dataDefault = dataDefault
        self.choices = choices
        self.range = range ?? (kind == .int ? 0 ... Double(Int.max) : nil)
        self.unit = unit
        self.help = help
        self.reference = reference
        self.rule = rule
    }

    /// The command-line flag: `--batch-size` for `batch_size`.
    public var flag: String { Self.flag(of: key) }

    public static func flag(of key: String) -> String { "--" + key.replacingOccurrences(of: "_", with: "-") }

    /// The one help text both front doors print: the help, then the unit, the allowed values, what an absent value
    /// means and the reference.
    public var helpText: String {
        var notes: [String] = []
        if let unit { notes.append(unit) }
        if choices.isEmpty, let rule = allowedText { notes.append(rule) }  // choices: each front door lists them
        if let dataDefault { notes.append("default: " + dataDefault) }
        if let reference { notes.append(reference) }
        return notes.isEmpty ? help : help + " (" + notes.joined(separator: "; ") + ")"
    }

    /// "one of a, b", "≥ 1", "1 … 64", or nil when anything of the kind goes.
    public var allowedText: String? {
        if !choices.isEmpty { return "one of " + choices.joined(separator: ", ") }
        guard let range else { return nil }
        let isInt = kind == .int
        let lower = range.lowerBound, upper = range.upperBound
        let unbounded = upper >= 1e9  // "at most a billion" guards overflow, it is no rule a user needs
        if isInt && lower == 0 && unbounded { return nil }  // the implicit rule of every integer
        if unbounded { return "≥ " + number(lower) }
        return number(lower) + " … " + number(upper)
    }

    /// `x` as the user would write it: integers without a fraction.
    func number(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? "\(Int(x))" : "\(x)" }

    /// Checks one given value; returns it normalised (an integer given for a number becomes `.double`).
    public func check(_ value: JSONValue) -> Result<JSONValue, ParameterError.Problem> {
        switch (kind, value) {
        case (_, .null): return .success(.null)
        case (.int, .int), (.double, .double), (.string, .string), (.file, .string), (.bool, .bool): break
        case let (.double, .int(n)): return check(.double(Double(n)))
        case let (.doubles, .array(items)):
            guard !items.isEmpty, items.allSatisfy({ Double(json: $0) != nil }) else {
                return .failure(.wrongType(expected: kind.rawValue, got: items.isEmpty ? "an empty list" : value.typeName))
            }
            var element = self
            element.kind = .double
            for item in items {
                if case let .failure(problem) = element.check(.double(Double(json: item)!)) { return .failure(problem) }
            }
            return .success(.array(items.map { .double(Double(json: $0)!) }))
        case let (.strings, .array(items)) where items.allSatisfy({ if case .string = $0 { true } else { false } }): break
        default: return .failure(.wrongType(expected: kind.rawValue, got: value.typeName))
        }
        if let range {
            let x: Double? = switch value {
            case let .int(n): Double(n)
            case let .double(d): d
            default: nil
            }
            if let x, !(range.contains(x)) || !x.isFinite {
                let allowed = !x.isFinite ? "a finite number"
                    : x < range.lowerBound ? "≥ " + number(range.lowerBound) : "≤ " + number(range.upperBound)
                return .failure(.outOfRange(value: value.canonical, allowed: allowed))
            }
        }
        if !choices.isEmpty {
            let strings: [String] = switch value {
            case let .string(s): [s]
            case let .array(items): items.compactMap { if case let .string(s) = $0 { s } else { nil } }
            default: []
            }
            for s in strings where !choices.contains(s) {
                return .failure(.notAChoice(value: s, choices: choices))
            }
        }
        if let rule, let allowed = rule(value) { return .failure(.outOfRange(value: value.canonical, allowed: allowed)) }
        return .success(value)
    }
}

/// Where a parameter value came from, so that an error names the key the user typed.
public enum FrontDoor: Sendable, Equatable {
    /// `tributary <stage> --batch-size 64`.
    case commandLine
    /// A pipeline config: its file and the key prefix of the stage's parameters (`stages[2].params.`).
    case config(file: String, prefix: String)

    /// `--batch-size` or `stages[2].params.batch_size` for the key `batch_size`.
    public func name(ofKey key: String) -> String {
        switch self {
        case .commandLine: return ParameterSpec.flag(of: key)
        case let .config(_, prefix): return prefix + key
        }
    }
}

/// A parameter value that the spec refuses. The message names the key in the user's front door and the fix.
public struct ParameterError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Problem: Error, Equatable, Sendable {
        case unknown(allowed: [String])
        case wrongType(expected: String, got: String)
        case outOfRange(value: String, allowed: String)
        case notAChoice(value: String, choices: [String])
        /// A value that is allowed on its own but not with these inputs (`--pca-dims 16` on an 8-dim PCA).
        case inconsistent(value: String, reason: String)
    }

    public var door: FrontDoor
    /// The key as the user wrote it (`--pca-dims`, `stages[0].params.pca_dims`).
    public var name: String
    public var problem: Problem

    public init(door: FrontDoor, name: String, problem: Problem) {
        self.door = door
        self.name = name
        self.problem = problem
    }

    public var description: String {
        let fix: String
        switch door {
        case .commandLine: fix = "see --help"
        case .config: fix = "fix it in the config (see data/pipelines/README.md)"
        }
        let file: String
        if case let .config(path, _) = door { file = path + ": " } else { file = "" }
        switch problem {
        case let .unknown(allowed):
            return "\(file)unknown key '\(name)'; remove it or use one of: \(allowed.joined(separator: ", ")) (see data/pipelines/README.md)"
        case let .wrongType(expected, got):
            return "\(file)'\(name)' must be \(expected), got \(got); fix the value"
        case let .outOfRange(value, allowed):
            return "\(file)'\(name)' = \(value) must be \(allowed); \(fix)"
        case let .notAChoice(value, choices):
            return "\(file)'\(name)' = \(value) must be one of \(choices.joined(separator: ", ")); \(fix)"
        case let .inconsistent(value, reason):
            return "\(file)'\(name)' = \(value) \(reason)"
        }
    }
}
