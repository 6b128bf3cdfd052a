/// The value of an HDF5 attribute: a scalar or a 1-D array of integers, doubles or strings.
///
/// | case | stored as | h5py reads |
/// | --- | --- | --- |
/// | `.int` / `.ints` | `H5T_STD_I64LE`, scalar / `[n]` | `int` / `int64` array |
/// | `.double` / `.doubles` | `H5T_IEEE_F64LE`, scalar / `[n]` | `float` / `float64` array |
/// | `.string` / `.strings` | variable-length UTF-8, scalar / `[n]` | `str` / array of `str` |
///
/// A scalar and a one-element array are different values (scalar vs `[1]` dataspace); an empty array is
/// stored with a null dataspace and keeps its element type.
public enum HDF5AttributeValue: Sendable, Hashable, CustomStringConvertible {
    case int(Int)
    case double(Double)
    case string(String)
    case ints([Int])
    case doubles([Double])
    case strings([String])

    public var description: String {
        switch self {
        case let .int(value): return String(value)
        case let .double(value): return String(value)
        case let .string(value): return "\"\(value)\""
        case let .ints(values): return "\(values)"
        case let .doubles(values): return "\(values)"
        case let .strings(values): return "\(values)"
        }
    }

    /// The stored type as a Swift type name, for error messages.
    var typeName: String {
        switch self {
        case .int: return "Int"
        case .double: return "Double"
        case .string: return "String"
        case .ints: return "[Int]"
        case .doubles: return "[Double]"
        case .strings: return "[String]"
        }
    }
}

/// A Swift value that converts to and from an `HDF5AttributeValue`: `Int`, `Double`, `String` and arrays
/// of them. Reading an integer attribute as `Double` (or `[Double]`) converts it; every other mismatch is
/// a `StorageError.typeMismatch`.
public protocol HDF5AttributeConvertible: Sendable {
    var attributeValue: HDF5AttributeValue { get }
    init?(attributeValue: HDF5AttributeValue)
    /// The Swift type name, for error messages.
    static var attributeTypeName: String { get }
}

/// A scalar attribute type whose arrays are attributes too.
public protocol HDF5AttributeScalar: HDF5AttributeConvertible {
    static func arrayValue(_ values: [Self]) -> HDF5AttributeValue
    static func array(from value: HDF5AttributeValue) -> [Self]?
}

extension Int: HDF5AttributeScalar {
    public var attributeValue: HDF5AttributeValue { .int(self) }
    public init?(attributeValue: HDF5AttributeValue) {
        guard case let .int(value) = attributeValue else { return nil }
        self = value
    }
    public static var attributeTypeName: String { "Int" }
    public static func arrayValue(_ values: [Int]) -> HDF5AttributeValue { .ints(values) }
    public static func array(from value: HDF5AttributeValue) -> [Int]? {
        guard case let .ints(values) = value else { return nil }
        return values
    }
}

extension Double: HDF5AttributeScalar {
    public var attributeValue: HDF5AttributeValue { .double(self) }
    public init?(attributeValue: HDF5AttributeValue) {
        switch attributeValue {
        case let .double(value): self = value
        case let .int(value): self = Double(value)
        default: return nil
        }
    }
    public static var attributeTypeName: String { "Double" }
    public static func arrayValue(_ values: [Double]) -> HDF5AttributeValue { .doubles(values) }
    public static func array(from value: HDF5AttributeValue) -> [Double]? {
        switch value {
        case let .doubles(values): return values
        case let .ints(values): return values.map(Double.init)
        default: return nil
        }
    }
}

extension String: HDF5AttributeScalar {
    public var attributeValue: HDF5AttributeValue { .string(self) }
    public init?(attributeValue: HDF5AttributeValue) {
        guard case let .string(value) = attributeValue else { return nil }
        self = value
    }
    public static var attributeTypeName: String { "String" }
    public static func arrayValue(_ values: [String]) -> HDF5AttributeValue { .strings(values) }
    public static func array(from value: HDF5AttributeValue) -> [String]? {
        guard case let .strings(values) = value else { return nil }
        return values
    }
}

extension Array: HDF5AttributeConvertible where Element: HDF5AttributeScalar {
    public var attributeValue: HDF5AttributeValue { Element.arrayValue(self) }
    public init?(attributeValue: HDF5AttributeValue) {
        guard let values = Element.array(from: attributeValue) else { return nil }
        self = values
    }
    public static var attributeTypeName: String { "[\(Element.attributeTypeName)]" }
}

extension HDF5AttributeValue: HDF5AttributeConvertible {
    public var attributeValue: HDF5AttributeValue { self }
    public init?(attributeValue: HDF5AttributeValue) { self = attributeValue }
    public static var attributeTypeName: String { "HDF5AttributeValue" }
}
