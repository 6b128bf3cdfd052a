import CHDF5

/// The numeric element types a dataset can hold, and their on-disk HDF5 types.
///
/// | kind | Swift | file type (little-endian) | h5py / numpy |
/// | --- | --- | --- | --- |
/// | `.float32` | `Float` | `H5T_IEEE_F32LE` | `float32` |
/// | `.float64` | `Double` | `H5T_IEEE_F64LE` | `float64` |
/// | `.int32` | `Int32` | `H5T_STD_I32LE` | `int32` |
/// | `.int64` | `Int64` | `H5T_STD_I64LE` | `int64` |
/// | `.uint8` | `UInt8` | `H5T_STD_U8LE` | `uint8` |
///
/// Reads are strict: a `float32` dataset read as `Double` is a `StorageError.typeMismatch`, never a silent
/// conversion, because a changed dtype almost always means the writer's settings changed.
public enum HDF5ElementKind: String, Sendable, CaseIterable, CustomStringConvertible {
    case float32, float64, int32, int64, uint8

    public var description: String { rawValue }

    /// Bytes per element.
    public var byteCount: Int {
        switch self {
        case .float32, .int32: return 4
        case .float64, .int64: return 8
        case .uint8: return 1
        }
    }

    /// The in-memory (native) HDF5 type.
    var memoryType: hid_t {
        switch self {
        case .float32: return tributary_h5t_native_float()
        case .float64: return tributary_h5t_native_double()
        case .int32: return tributary_h5t_native_int32()
        case .int64: return tributary_h5t_native_int64()
        case .uint8: return tributary_h5t_native_uint8()
        }
    }

    /// The type written to files: explicit little-endian, so files are the same on every machine.
    var fileType: hid_t {
        switch self {
        case .float32: return tributary_h5t_ieee_f32le()
        case .float64: return tributary_h5t_ieee_f64le()
        case .int32: return tributary_h5t_std_i32le()
        case .int64: return tributary_h5t_std_i64le()
        case .uint8: return tributary_h5t_std_u8le()
        }
    }

    /// Classifies a stored HDF5 type; `nil` for anything that is not one of the five kinds.
    init?(storedType type: hid_t) {
        let size = H5Tget_size(type)
        switch H5Tget_class(type) {
        case H5T_FLOAT:
            switch size {
            case 4: self = .float32
            case 8: self = .float64
            default: return nil
            }
        case H5T_INTEGER:
            let signed = H5Tget_sign(type) == H5T_SGN_2
            switch (size, signed) {
            case (4, true): self = .int32
            case (8, true): self = .int64
            case (1, false): self = .uint8
            default: return nil
            }
        default:
            return nil
        }
    }

    /// A human-readable name for any stored type, for error messages (`"string"`, `"int16"`, `"float32"` …).
    static func describe(storedType type: hid_t) -> String {
        if let kind = HDF5ElementKind(storedType: type) { return kind.rawValue }
        let bits = H5Tget_size(type) * 8
        switch H5Tget_class(type) {
        case H5T_STRING: return "string"
        case H5T_FLOAT: return "float\(bits)"
        case H5T_INTEGER: return (H5Tget_sign(type) == H5T_SGN_NONE ? "uint" : "int") + "\(bits)"
        case H5T_COMPOUND: return "compound"
        default: return "an unsupported HDF5 type"
        }
    }
}

/// A Swift scalar that can be stored in an HDF5 dataset or attribute: `Float`, `Double`, `Int32`, `Int64`, `UInt8`.
///
/// Values are plain bits (`BitwiseCopyable`), so whole arrays go to and from HDF5 in one call straight from the
/// array's buffer, with no per-element copies.
public protocol HDF5Element: BitwiseCopyable, Sendable, Equatable {
    /// The stored element kind for this Swift type.
    static var hdf5Kind: HDF5ElementKind { get }
}

extension Float: HDF5Element { public static var hdf5Kind: HDF5ElementKind { .float32 } }
extension Double: HDF5Element { public static var hdf5Kind: HDF5ElementKind { .float64 } }
extension Int32: HDF5Element { public static var hdf5Kind: HDF5ElementKind { .int32 } }
extension Int64: HDF5Element { public static var hdf5Kind: HDF5ElementKind { .int64 } }
extension UInt8: HDF5Element { public static var hdf5Kind: HDF5ElementKind { .uint8 } }
