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
/// | `.float16` | `Float` (converted) | IEEE binary16, little-endian (built, see `withFileType`) | `float16` (`<f2`) |
///
/// Reads are strict: a `float32` dataset read as `Double` is a `StorageError.typeMismatch`, never a silent
/// conversion, because a changed dtype almost always means the writer's settings changed. The one exception is
/// `.float16`, a *storage* format for `Float` values (`HDF5File.write(_:shape:to:storedAs:)`): it is read as
/// `Float` (libhdf5 widens every half exactly to float on read; writes round with Swift's `Float16(x)`, see
/// `withWriteBuffer`), so a reader asking for `Float` works unchanged whichever of the two a writer chose.
public enum HDF5ElementKind: String, Sendable, CaseIterable, CustomStringConvertible {
    case float32, float64, int32, int64, uint8, float16

    public var description: String { rawValue }

    /// Bytes per element.
    public var byteCount: Int {
        switch self {
        case .float32, .int32: return 4
        case .float64, .int64: return 8
        case .uint8: return 1
        case .float16: return 2
        }
    }

    /// The kind of the Swift type a dataset of this kind is read as: itself, except `.float16` → `.float32`.
    public var readKind: HDF5ElementKind { self == .float16 ? .float32 : self }

    /// The in-memory (native) HDF5 type.
    var memoryType: hid_t {
        switch self {
        case .float32: return tributary_h5t_native_float()
        case .float64: return tributary_h5t_native_double()
        case .int32: return tributary_h5t_native_int32()
        case .int64: return tributary_h5t_native_int64()
        case .uint8: return tributary_h5t_native_uint8()
        case .float16: return tributary_h5t_native_float()
        }
    }

    /// Runs `body` with the type written to files: explicit little-endian, so files are the same on every
    /// machine. libhdf5 1.10 has no predefined half type, so `.float16` is built here from `H5T_IEEE_F32LE`
    /// (sign bit 15, exponent bits 10–14 with bias 15, mantissa bits 0–9, 2 bytes: the binary16 layout, which
    /// h5py and numpy read as `<f2`) and closed after `body` (a cached id would not survive `H5close`).
    func withFileType<R>(_ body: (hid_t) throws -> R) throws -> R {
        switch self {
        case .float32: return try body(tributary_h5t_ieee_f32le())
        case .float64: return try body(tributary_h5t_ieee_f64le())
        case .int32: return try body(tributary_h5t_std_i32le())
        case .int64: return try body(tributary_h5t_std_i64le())
        case .uint8: return try body(tributary_h5t_std_u8le())
        case .float16:
            let type = H5Tcopy(tributary_h5t_ieee_f32le())
            guard type >= 0 else { throw StorageError.io(file: "(none)", operation: "copy H5T_IEEE_F32LE for float16") }
            defer { H5Tclose(type) }
            guard H5Tset_fields(type, 15, 10, 5, 0, 10) >= 0, H5Tset_size(type, 2) >= 0, H5Tset_ebias(type, 15) >= 0 else {
                throw StorageError.io(file: "(none)", operation: "build the IEEE binary16 type from H5T_IEEE_F32LE")
            }
            return try body(type)
        }
    }

    /// Classifies a stored HDF5 type; `nil` for anything that is not one of the five kinds.
    init?(storedType type: hid_t) {
        let size = H5Tget_size(type)
        switch H5Tget_class(type) {
        case H5T_FLOAT:
            switch size {
            case 2 where H5Tget_ebias(type) == 15: self = .float16
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
