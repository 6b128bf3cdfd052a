import CHDF5

/// Float values stored as IEEE half (`storedAs: .float16` in `write` and `createExtendable`; `append` follows the
/// dataset's stored kind).
///
/// HDF5 1.10 has no predefined half type; `HDF5ElementKind.withFileType` builds one from `H5T_IEEE_F32LE` (the
/// binary16 layout, which h5py reads as `<f2`). Writes round here, with Swift's `Float16(x)` (IEEE round to nearest,
/// ties to even), and hand libhdf5 halves of the file's own type, so it copies bits: libhdf5 1.10.8's float → half
/// conversion loses the carry when rounding up crosses a power of two (0.12499 became 0.0625) and truncates half
/// subnormals. Reads ask for `Float`, and libhdf5's widening half → float is exact (`Float16StorageTests`).
extension HDF5File {
    /// The file kind for `T` values stored as `stored` (nil: `T`'s own); only `Float` → `.float16` converts.
    func storedKind<T: HDF5Element>(_ stored: HDF5ElementKind?, for type: T.Type, dataset name: String) throws -> HDF5ElementKind {
        guard let stored, stored != T.hdf5Kind else { return T.hdf5Kind }
        guard stored.readKind == T.hdf5Kind else {
            throw StorageError.typeMismatch(file: path, name: name, expected: "\(T.hdf5Kind) values stored as \(T.hdf5Kind)"
                                            + " (or float32 values as float16)", got: "a request to store them as \(stored)")
        }
        return stored
    }

    /// Runs `write` with the memory type and buffer that put `values` into a dataset stored as `kind` (for
    /// `.float16`: the values rounded to halves here, with the file's half type as the memory type).
    func withWriteBuffer<T: HDF5Element>(_ values: [T], storedAs kind: HDF5ElementKind,
                                         _ write: (hid_t, UnsafeRawPointer?) -> herr_t) throws -> herr_t {
        guard kind == .float16, let floats = values as? [Float] else {
            return values.withUnsafeBytes { write(T.hdf5Kind.memoryType, $0.baseAddress) }
        }
        let halves = floats.map { Float16($0).bitPattern }
        return try kind.withFileType { type in halves.withUnsafeBytes { write(type, $0.baseAddress) } }
    }

    /// The stored element kind of the open `dataset` (`.float32` for anything unclassified: the strict type check
    /// has already passed).
    func storedKind(of dataset: hid_t, name: String) throws -> HDF5ElementKind {
        let type = H5Dget_type(dataset)
        guard type >= 0 else { throw StorageError.io(file: path, operation: "get the type of '\(name)'") }
        defer { H5Tclose(type) }
        return HDF5ElementKind(storedType: type) ?? .float32
    }
}
