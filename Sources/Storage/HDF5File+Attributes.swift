import CHDF5

/// Attributes on the root, a group or a dataset: hyper-parameters, the artifact header, provenance.
///
/// ```swift
/// try file.setAttribute("components", 256)                 // on "/"
/// try file.setAttribute("scales", [1.0, 1.41, 2.0], on: "features")
/// let k = try file.attribute("components", as: Int.self)
/// ```
/// Setting an existing attribute replaces it. See `HDF5AttributeValue` for the stored types.
extension HDF5File {
    /// Sets (or replaces) attribute `name` on the object at `object` ("/" is the root group).
    public func setAttribute<V: HDF5AttributeConvertible>(_ name: String, _ value: V, on object: String = "/") throws {
        try withObject(object) { objectID in
            if H5Aexists(objectID, name) > 0 {
                try check(H5Adelete(objectID, name), "replace attribute '\(name)' on '\(object)'")
            }
            switch value.attributeValue {
            case let .int(value): try writeNumbers([Int64(value)], scalar: true, kind: .int64, name, objectID, object)
            case let .double(value): try writeNumbers([value], scalar: true, kind: .float64, name, objectID, object)
            case let .ints(values): try writeNumbers(values.map(Int64.init), scalar: false, kind: .int64, name, objectID, object)
            case let .doubles(values): try writeNumbers(values, scalar: false, kind: .float64, name, objectID, object)
            case let .string(value): try writeStringAttribute([value], scalar: true, name, objectID, object)
            case let .strings(values): try writeStringAttribute(values, scalar: false, name, objectID, object)
            }
        }
    }

    /// Reads attribute `name` of the object at `object`.
    ///
    /// - Throws: `StorageError.attributeMissing`, or `StorageError.typeMismatch` when the stored value does
    ///   not convert to `V` (an integer reads as `Double`; nothing else converts).
    public func attribute<V: HDF5AttributeConvertible>(
        _ name: String, of object: String = "/", as type: V.Type = V.self
    ) throws -> V {
        let value = try attributeValue(name, of: object)
        guard let converted = V(attributeValue: value) else {
            throw StorageError.typeMismatch(file: path, name: "\(object) @\(name)", expected: V.attributeTypeName,
                                            got: value.typeName)
        }
        return converted
    }

    /// Whether attribute `name` exists on the object at `object`.
    public func hasAttribute(_ name: String, on object: String = "/") -> Bool {
        (try? withObject(object) { H5Aexists($0, name) > 0 }) ?? false
    }

    /// The names of the attributes on the object at `object`, in name order.
    public func attributeNames(of object: String = "/") throws -> [String] {
        try withObject(object) { objectID in
            var names: [String] = []
            while true {
                let index = hsize_t(names.count)
                let length = H5Aget_name_by_idx(objectID, ".", H5_INDEX_NAME, H5_ITER_INC, index, nil, 0,
                                                tributary_h5p_default())
                guard length >= 0 else { return names }
                var buffer = [CChar](repeating: 0, count: Int(length) + 1)
                H5Aget_name_by_idx(objectID, ".", H5_INDEX_NAME, H5_ITER_INC, index, &buffer, buffer.count,
                                   tributary_h5p_default())
                names.append(String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) },
                                    as: UTF8.self))
            }
        }
    }

    // MARK: - Internal

    /// Reads any supported attribute as an `HDF5AttributeValue`.
    func attributeValue(_ name: String, of object: String) throws -> HDF5AttributeValue {
        try withObject(object) { objectID in
            guard H5Aexists(objectID, name) > 0 else {
                throw StorageError.attributeMissing(file: path, object: object, name: name)
            }
            let attribute = H5Aopen(objectID, name, tributary_h5p_default())
            guard attribute >= 0 else { throw StorageError.io(file: path, operation: "open attribute '\(name)'") }
            defer { H5Aclose(attribute) }
            let space = H5Aget_space(attribute), stored = H5Aget_type(attribute)
            defer { H5Sclose(space); H5Tclose(stored) }
            let scalar = H5Sget_simple_extent_type(space) == H5S_SCALAR
            let count = Int(H5Sget_simple_extent_npoints(space))
            let label = "\(object) @\(name)"
            switch H5Tget_class(stored) {
            case H5T_INTEGER:
                let values = try readNumbers(Int64.self, count: count, attribute, label).map { Int($0) }
                return scalar ? .int(values[0]) : .ints(values)
            case H5T_FLOAT:
                let values = try readNumbers(Double.self, count: count, attribute, label)
                return scalar ? .double(values[0]) : .doubles(values)
            case H5T_STRING:
                let values = try readStringValues(count: count, storedType: stored, name: label) { type, buffer in
                    H5Aread(attribute, type, buffer)
                }
                return scalar ? .string(values[0]) : .strings(values)
            default:
                throw StorageError.typeMismatch(file: path, name: label, expected: "a number or string",
                                                got: HDF5ElementKind.describe(storedType: stored))
            }
        }
    }

    /// Opens the group or dataset at `object`, runs `body` with its id, and closes it.
    func withObject<R>(_ object: String, _ body: (hid_t) throws -> R) throws -> R {
        let file = try openID()
        guard contains(object) else { throw StorageError.datasetMissing(file: path, name: object) }
        let objectID = H5Oopen(file, object, tributary_h5p_default())
        guard objectID >= 0 else { throw StorageError.io(file: path, operation: "open '\(object)'") }
        defer { H5Oclose(objectID) }
        return try body(objectID)
    }

    private func attributeSpace(count: Int, scalar: Bool) throws -> hid_t {
        let space = scalar ? H5Screate(H5S_SCALAR) : count == 0 ? H5Screate(H5S_NULL) : try dataspace([count])
        guard space >= 0 else { throw StorageError.io(file: path, operation: "create an attribute dataspace") }
        return space
    }

    private func writeNumbers<T: HDF5Element>(
        _ values: [T], scalar: Bool, kind: HDF5ElementKind, _ name: String, _ objectID: hid_t, _ object: String
    ) throws {
        let space = try attributeSpace(count: values.count, scalar: scalar)
        defer { H5Sclose(space) }
        let attribute = try kind.withFileType { H5Acreate2(objectID, name, $0, space, tributary_h5p_default(), tributary_h5p_default()) }
        guard attribute >= 0 else { throw StorageError.io(file: path, operation: "create attribute '\(name)' on '\(object)'") }
        defer { H5Aclose(attribute) }
        guard !values.isEmpty else { return }
        let status = values.withUnsafeBytes { H5Awrite(attribute, kind.memoryType, $0.baseAddress) }
        try check(status, "write attribute '\(name)' on '\(object)'")
    }

    private func writeStringAttribute(
        _ values: [String], scalar: Bool, _ name: String, _ objectID: hid_t, _ object: String
    ) throws {
        let type = try stringType()
        defer { H5Tclose(type) }
        let space = try attributeSpace(count: values.count, scalar: scalar)
        defer { H5Sclose(space) }
        let attribute = H5Acreate2(objectID, name, type, space, tributary_h5p_default(), tributary_h5p_default())
        guard attribute >= 0 else { throw StorageError.io(file: path, operation: "create attribute '\(name)' on '\(object)'") }
        defer { H5Aclose(attribute) }
        guard !values.isEmpty else { return }
        let status = withCStrings(values) { H5Awrite(attribute, type, $0) }
        try check(status, "write attribute '\(name)' on '\(object)'")
    }

    private func readNumbers<T: HDF5Element>(_ type: T.Type, count: Int, _ attribute: hid_t, _ label: String) throws -> [T] {
        guard count > 0 else { return [] }
        try reserveMemory(for: [count], elementBytes: MemoryLayout<T>.stride, dataset: "attribute \(label)")
        return try [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            try check(H5Aread(attribute, T.hdf5Kind.memoryType, buffer.baseAddress), "read attribute \(label)")
            initialized = count
        }
    }
}
