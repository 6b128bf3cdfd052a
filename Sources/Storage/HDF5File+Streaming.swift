import CHDF5

/// Streaming writes: datasets whose first axis grows as batches of rows arrive.
///
/// An extendable dataset has shape `[N, d₁, …, d_k]` with `N` unlimited (HDF5 `H5S_UNLIMITED`) and chunked
/// storage of `chunkRows` rows per chunk. `append(rows:to:)` grows `N` by the batch's row count and writes
/// the batch as one hyperslab, so a stage can write features as it computes them without holding all of
/// them in memory, and a file reopened with `.readWrite` can be appended to again.
///
/// ```swift
/// try file.createExtendable("x", of: Float.self, rowShape: [d], chunkRows: 256)
/// for batch in batches { try file.append(rows: batch, to: "x") }   // batch.count is a multiple of d
/// ```
extension HDF5File {
    /// Creates an empty dataset `name` of shape `[0] + rowShape` whose first axis can grow.
    ///
    /// - Parameters:
    ///   - chunkRows: rows per chunk; `nil` picks about `defaultChunkBytes` per chunk.
    ///   - gzip: deflate level 0…9, or `nil` for none.
    ///   - shuffle: the byte-shuffle filter before deflate (only with `gzip`).
    ///   - storedAs: the file's element kind when it differs from `T`'s (`.float16` for `Float` rows).
    public func createExtendable<T: HDF5Element>(
        _ name: String, of type: T.Type, rowShape: [Int], chunkRows: Int? = nil, gzip: Int? = nil,
        shuffle: Bool = false, storedAs stored: HDF5ElementKind? = nil
    ) throws {
        let file = try openID()
        precondition(rowShape.allSatisfy { $0 > 0 }, "row shape \(rowShape) must have positive extents")
        try requireNew(name)
        let kind = try storedKind(stored, for: T.self, dataset: name)
        let shape = [0] + rowShape
        let space = try dataspace(shape, unlimitedRows: true)
        defer { H5Sclose(space) }
        let chunk = chunkRows.map { [$0] + rowShape }
        let dcpl = try creationList(shape: shape, extendable: true, elementBytes: kind.byteCount,
                                    chunk: chunk, gzip: gzip, shuffle: shuffle)
        defer { H5Pclose(dcpl) }
        let lcpl = try intermediateGroupsList()
        defer { H5Pclose(lcpl) }
        let dataset = try kind.withFileType { H5Dcreate2(file, name, $0, space, lcpl, dcpl, tributary_h5p_default()) }
        guard dataset >= 0 else { throw StorageError.io(file: path, operation: "create extendable dataset '\(name)'") }
        H5Dclose(dataset)
    }

    /// Appends `rows` (C-order values of whole rows) to the extendable dataset `name`.
    ///
    /// - Returns: the range of row indices the batch now occupies.
    /// - Throws: `StorageError.typeMismatch` when `T` is not the stored type, `StorageError.countMismatch`
    ///   when `rows.count` is not a multiple of the row size, `StorageError.io` when the dataset is not
    ///   extendable or the file is read-only.
    @discardableResult
    public func append<T: HDF5Element>(rows values: [T], to name: String) throws -> Range<Int> {
        try withDataset(name) { dataset in
            try checkReadable(dataset, name: name, as: T.self)
            var shape = try datasetShape(dataset, name: name)
            let rowSize = shape.dropFirst().reduce(1, *)
            guard rowSize > 0, values.count % rowSize == 0 else {
                throw StorageError.countMismatch(file: path, dataset: name, count: values.count,
                                                 shape: Array(shape.dropFirst()))
            }
            let start = shape[0]
            let added = values.count / rowSize
            guard added > 0 else { return start..<start }
            shape[0] += added
            let dims = shape.map { hsize_t($0) }
            try check(H5Dset_extent(dataset, dims),
                      "grow '\(name)' to \(shape) rows (is it extendable and the file open for writing?)")
            let rows = start..<shape[0]
            let fileSpace = try selectRows(of: dataset, rows: rows, shape: shape, name: name)
            defer { H5Sclose(fileSpace) }
            let memorySpace = try dataspace([added] + shape.dropFirst())
            defer { H5Sclose(memorySpace) }
            let stored = try storedKind(of: dataset, name: name)
            let status = try withWriteBuffer(values, storedAs: stored) { type, bytes in
                H5Dwrite(dataset, type, memorySpace, fileSpace, tributary_h5p_default(), bytes)
            }
            try check(status, "append rows \(rows) to '\(name)'")
            return rows
        }
    }
}
