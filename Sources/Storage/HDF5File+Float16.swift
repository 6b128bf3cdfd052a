import CHDF5

/// Float values stored as IEEE half (`storedAs: .float16` in `write` and `createExtendable`; `append` follows the
/// dataset's stored kind).
///
/// HDF5 1.10 has no predefined half type; `HDF5ElementKind.withFileType` builds one from `H5T_IEEE_F32LE` (the
/// binary16 layout, which h5py reads as `<f2`). Writes round here, with Swift's `Float16(x)` (IEEE round to nearest,
/// ties to even), and hand libhdf5 halves of the file's own type, so it copies bits: libhdf5 1.10.8's float → half
/// conversion loses the carry when rounding up crosses a power of two (0.12499 became 0.0625) and truncates half
/// subnormals. Reads of `Float` from a half dataset (`readValues`) likewise take the file's halves as bits and widen
/// them here with `Float(Float16(bitPattern:))`: exact, as libhdf5's widening is (`Float16StorageTests`), but
/// libhdf5 1.10.8 widens through its generic soft-float conversion, which on the Flowers102 paper-size run
/// (docs/results.md) was far slower than the disk.
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

    /// Reads the `count` values selected by `memorySpace`/`fileSpace` of the open `dataset` as `T` (a `.float16`
    /// dataset read as `Float`: halves read with the file's own type, widened here; anything else: one `H5Dread`
    /// into `T`'s memory type, converted by libhdf5 where the stored type differs).
    func readValues<T: HDF5Element>(_ dataset: hid_t, count: Int, memorySpace: hid_t, fileSpace: hid_t, name: String,
                                    operation: @autoclosure () -> String) throws -> [T] {
        if T.self == Float.self, try storedKind(of: dataset, name: name) == .float16 {
            let halves = try HDF5ElementKind.float16.withFileType { type in
                try [UInt16](unsafeUninitializedCapacity: count) { buffer, initialized in
                    try check(H5Dread(dataset, type, memorySpace, fileSpace, tributary_h5p_default(), buffer.baseAddress),
                              operation())
                    initialized = count
                }
            }
            return halves.map { Float(Float16(bitPattern: $0)) } as! [T]
        }
        return try [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            try check(H5Dread(dataset, T.hdf5Kind.memoryType, memorySpace, fileSpace, tributary_h5p_default(),
                              buffer.baseAddress), operation())
            initialized = count
        }
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
