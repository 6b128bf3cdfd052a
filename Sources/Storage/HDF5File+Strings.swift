import CHDF5
import Core
#if canImport(Glibc)
import Glibc
#endif

/// Variable-length UTF-8 string datasets (labels, class names, file lists, package descriptions).
///
/// Strings are stored as HDF5 variable-length strings with character set UTF-8, the type h5py uses for
/// Python `str`, so `f["names"].asstr()[...]` reads them. Any Unicode text and the empty string round-trip;
/// a string is cut at an embedded NUL character (C strings cannot hold one). Fixed-length string datasets
/// written by other tools are read too (trailing NUL/space padding is removed).
extension HDF5File {
    /// Writes `values` as a new 1-D string dataset `name` of shape `[values.count]`.
    public func writeStrings(_ values: [String], to name: String) throws {
        let file = try openID()
        try requireNew(name)
        let type = try stringType()
        defer { H5Tclose(type) }
        let space = try dataspace([values.count])
        defer { H5Sclose(space) }
        let lcpl = try intermediateGroupsList()
        defer { H5Pclose(lcpl) }
        let dcpl = try untimedCreationList()
        defer { H5Pclose(dcpl) }
        let dataset = H5Dcreate2(file, name, type, space, lcpl, dcpl, tributary_h5p_default())
        guard dataset >= 0 else { throw StorageError.io(file: path, operation: "create string dataset '\(name)'") }
        defer { H5Dclose(dataset) }
        guard !values.isEmpty else { return }
        let status = withCStrings(values) { pointers in
            H5Dwrite(dataset, type, tributary_h5s_all(), tributary_h5s_all(), tributary_h5p_default(), pointers)
        }
        try check(status, "write string dataset '\(name)'")
    }

    /// Reads the 1-D string dataset `name`.
    ///
    /// - Throws: `StorageError.typeMismatch` when `name` holds numbers, `StorageError.datasetMissing`.
    public func readStrings(_ name: String) throws -> [String] {
        try withDataset(name) { dataset in
            let stored = H5Dget_type(dataset)
            guard stored >= 0 else { throw StorageError.io(file: path, operation: "get the type of '\(name)'") }
            defer { H5Tclose(stored) }
            let shape = try datasetShape(dataset, name: name)
            try reserveMemory(for: shape, elementBytes: MemoryLayout<UnsafeMutablePointer<CChar>?>.stride, dataset: name)
            let count = shape.reduce(1, *)
            return try readStringValues(count: count, storedType: stored, name: name) { memoryType, buffer in
                H5Dread(dataset, memoryType, tributary_h5s_all(), tributary_h5s_all(), tributary_h5p_default(), buffer)
            }
        }
    }

    // MARK: - Shared with attributes

    /// The variable-length UTF-8 string type (caller closes it).
    func stringType() throws -> hid_t {
        let type = H5Tcopy(tributary_h5t_c_s1())
        guard type >= 0, H5Tset_size(type, tributary_h5t_variable()) >= 0,
              H5Tset_cset(type, H5T_CSET_UTF8) >= 0 else {
            throw StorageError.io(file: path, operation: "create the UTF-8 string type")
        }
        return type
    }

    /// Calls `body` with a C array of `char *` for `values`, valid only during the call.
    func withCStrings<R>(_ values: [String], _ body: (UnsafeRawPointer) -> R) -> R {
        let pointers: [UnsafeMutablePointer<CChar>?] = values.map { strdup($0) }
        defer { pointers.forEach { free($0) } }
        return pointers.withUnsafeBytes { body($0.baseAddress!) }
    }

    /// Reads `count` strings of stored type `storedType` through `read(memoryType, buffer)`.
    func readStringValues(
        count: Int, storedType: hid_t, name: String, read: (hid_t, UnsafeMutableRawPointer) -> herr_t
    ) throws -> [String] {
        guard H5Tget_class(storedType) == H5T_STRING else {
            throw StorageError.typeMismatch(file: path, name: name, expected: "string",
                                            got: HDF5ElementKind.describe(storedType: storedType))
        }
        guard count > 0 else { return [] }
        if H5Tis_variable_str(storedType) > 0 {
            let type = try stringType()
            defer { H5Tclose(type) }
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
            let status = pointers.withUnsafeMutableBytes { read(type, $0.baseAddress!) }
            defer { pointers.forEach { if let pointer = $0 { H5free_memory(pointer) } } }
            try check(status, "read strings '\(name)'")
            return pointers.map { $0.map { String(cString: $0) } ?? "" }
        }
        // Fixed-length strings: read the raw padded bytes and strip the padding.
        let size = H5Tget_size(storedType)
        let type = H5Tcopy(storedType)
        guard type >= 0, size > 0 else { throw StorageError.io(file: path, operation: "read strings '\(name)'") }
        defer { H5Tclose(type) }
        var bytes = [UInt8](repeating: 0, count: count * size)
        let status = bytes.withUnsafeMutableBytes { read(type, $0.baseAddress!) }
        try check(status, "read strings '\(name)'")
        let spacePadded = H5Tget_strpad(storedType) == H5T_STR_SPACEPAD
        return (0..<count).map { index in
            var field = bytes[index * size..<(index + 1) * size]
            if let end = field.firstIndex(of: 0) { field = field[..<end] }
            while spacePadded, field.last == 0x20 { field = field.dropLast() }
            return String(decoding: field, as: UTF8.self)
        }
    }
}
