import Foundation

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

    public func object(file: String, key: String) throws(RunnerConfigError) -> [String: JSONValue] {
        guard case let .object(o) = self else { throw .wrongType(file: file, key: key, expected: "an object", got: typeName) }
        return o
    }

    public func array(file: String, key: String) throws(RunnerConfigError) -> [JSONValue] {
        guard case let .array(a) = self else { throw .wrongType(file: file, key: key, expected: "a list", got: typeName) }
        return a
    }

    public func string(file: String, key: String) throws(RunnerConfigError) -> String {
        guard case let .string(s) = self else { throw .wrongType(file: file, key: key, expected: "a string", got: typeName) }
        return s
    }

    /// Rejects keys of `object` that are not in `allowed`.
    public static func checkKeys(_ object: [String: JSONValue], allowed: [String], file: String, at prefix: String) throws(RunnerConfigError) {
        for key in object.keys.sorted() where !allowed.contains(key) {
            throw .unknownKey(file: file, key: prefix + key, allowed: allowed)
        }
    }
}
