import CHDF5
import Core

/// The dataspace, shape and creation-list helpers behind `HDF5File+Datasets` (and the streaming, string and
/// virtual-dataset extensions): shape checks that name the dataset, C-order dataspaces, row hyperslabs and the
/// chunked / gzip / no-fill creation list.
extension HDF5File {
    func requireShape(_ shape: [Int], matches expected: [Int?], dataset: String) throws {
        let matches = shape.count == expected.count
            && zip(shape, expected).allSatisfy { actual, wanted in wanted.map { $0 == actual } ?? true }
        if !matches { throw StorageError.shapeMismatch(file: path, dataset: dataset, expected: expected, got: shape) }
    }

    func requireNew(_ name: String) throws {
        if contains(name) {
            throw StorageError.io(file: path, operation: "create '\(name)': it already exists "
                                  + "(write to a new file with createAtomic, or use another name)")
        }
    }

    /// Checks the stored type is `T` and, for a stitched dataset, that every part file is present.
    func checkReadable<T: HDF5Element>(_ dataset: hid_t, name: String, as: T.Type) throws {
        let type = H5Dget_type(dataset)
        guard type >= 0 else { throw StorageError.io(file: path, operation: "get the type of '\(name)'") }
        defer { H5Tclose(type) }
        guard HDF5ElementKind(storedType: type)?.readKind == T.hdf5Kind else {
            throw StorageError.typeMismatch(file: path, name: name, expected: T.hdf5Kind.rawValue,
                                            got: HDF5ElementKind.describe(storedType: type))
        }
        try checkVirtualSources(dataset, name: name)
    }

    func datasetShape(_ dataset: hid_t, name: String) throws -> [Int] {
        let space = H5Dget_space(dataset)
        guard space >= 0 else { throw StorageError.io(file: path, operation: "get the shape of '\(name)'") }
        defer { H5Sclose(space) }
        return dataspaceShape(space)
    }

    func dataspaceShape(_ space: hid_t) -> [Int] {
        let rank = Int(H5Sget_simple_extent_ndims(space))
        guard rank > 0 else { return [] }
        var dims = [hsize_t](repeating: 0, count: rank)
        H5Sget_simple_extent_dims(space, &dims, nil)
        return dims.map { Int($0) }
    }

    /// A simple dataspace of `shape`; `unlimitedRows` makes the first axis extendible.
    func dataspace(_ shape: [Int], unlimitedRows: Bool = false) throws -> hid_t {
        let dims = shape.map { hsize_t($0) }
        var maxDims = dims
        if unlimitedRows { maxDims[0] = tributary_h5s_unlimited() }
        let space = H5Screate_simple(Int32(dims.count), dims, maxDims)
        guard space >= 0 else { throw StorageError.io(file: path, operation: "create a dataspace of shape \(shape)") }
        return space
    }

    /// The file dataspace of `dataset` with rows `rows` selected.
    func selectRows(of dataset: hid_t, rows: Range<Int>, shape: [Int], name: String) throws -> hid_t {
        let space = H5Dget_space(dataset)
        guard space >= 0 else { throw StorageError.io(file: path, operation: "get the dataspace of '\(name)'") }
        let start = [hsize_t(rows.lowerBound)] + [hsize_t](repeating: 0, count: shape.count - 1)
        let count = [hsize_t(rows.count)] + shape.dropFirst().map { hsize_t($0) }
        guard H5Sselect_hyperslab(space, H5S_SELECT_SET, start, nil, count, nil) >= 0 else {
            H5Sclose(space)
            throw StorageError.io(file: path, operation: "select rows \(rows) of '\(name)'")
        }
        return space
    }

    /// A dataset creation property list whose datasets record no access/modification/change/birth times: by
    /// default HDF5 stores four timestamps in every dataset's object header, so the same content written twice
    /// (another out folder, a rerun) gave files with other bytes (10 differing bytes in a 10-dataset fv.h5;
    /// h5diff: no difference in any value or attribute). Without them equal content gives equal bytes. Every
    /// dataset this type creates starts from this list.
    func untimedCreationList() throws -> hid_t {
        let dcpl = H5Pcreate(tributary_h5p_dataset_create())
        guard dcpl >= 0 else { throw StorageError.io(file: path, operation: "create a dataset property list") }
        guard H5Pset_obj_track_times(dcpl, false) >= 0 else {
            H5Pclose(dcpl)
            throw StorageError.io(file: path, operation: "turn off the dataset timestamps")
        }
        return dcpl
    }

    /// Dataset creation properties (`untimedCreationList`): contiguous, or chunked (+ deflate) when asked or needed.
    func creationList(shape: [Int], extendable: Bool, elementBytes: Int, chunk: [Int]?, gzip: Int?,
                      shuffle: Bool = false) throws -> hid_t {
        let dcpl = try untimedCreationList()
        let hasData = shape.allSatisfy { $0 > 0 }
        if !extendable && hasData {
            // `write` fills every element, so HDF5 need not pre-fill chunks with the fill value. This also
            // lets chunks bypass the chunk cache and go straight from the caller's buffer to the file.
            H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER)
        }
        guard extendable || (hasData && (chunk != nil || gzip != nil)) else { return dcpl }
        precondition(chunk == nil || chunk!.count == shape.count, "chunk \(chunk!) must have the rank of \(shape)")
        let rowBytes = max(1, shape.dropFirst().reduce(elementBytes, *))
        let chosen = chunk ?? [max(1, Self.defaultChunkBytes / rowBytes)] + shape.dropFirst()
        let dims = chosen.enumerated().map { axis, extent -> hsize_t in
            let limit = axis == 0 && extendable ? Int.max : max(1, shape[axis])
            return hsize_t(min(max(1, extent), limit))
        }
        guard H5Pset_chunk(dcpl, Int32(dims.count), dims) >= 0 else {
            H5Pclose(dcpl)
            throw StorageError.io(file: path, operation: "set chunk shape \(chosen)")
        }
        if let level = gzip {
            precondition((0...9).contains(level), "gzip level \(level) must be in 0...9")
            // The shuffle filter must come before deflate in the pipeline (filters run in the order they are set).
            if shuffle && elementBytes > 1 && H5Pset_shuffle(dcpl) < 0 {
                H5Pclose(dcpl)
                throw StorageError.io(file: path, operation: "enable the shuffle filter")
            }
            guard H5Pset_deflate(dcpl, UInt32(level)) >= 0 else {
                H5Pclose(dcpl)
                throw StorageError.io(file: path, operation: "enable gzip (is HDF5 built with zlib?)")
            }
        }
        return dcpl
    }
}
