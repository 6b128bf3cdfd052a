import CHDF5
import Core

/// Whole-dataset and row-range I/O of numeric N-D datasets.
///
/// Shapes: a dataset of shape `[N, d₁, …, d_k]` holds `N·d₁⋯d_k` values in C order; a "row" is one index of
/// the first axis, i.e. `d₁⋯d_k` consecutive values. Whole reads and writes are one `H5Dread`/`H5Dwrite`
/// straight from the array's buffer (no per-element copies), which is what makes 1 GiB writes run at
/// page-cache speed (see `HDF5Benchmark`).
///
/// Performance notes: whole-dataset I/O bypasses HDF5's chunk cache (`wholeDatasetAccessList`), and
/// datasets made by `write` skip HDF5's fill-value pre-fill (every element is written anyway); without
/// both, HDF5 1.10 memsets and memcpys every chunk once more.
extension HDF5File {
    /// Layout defaults: chunks of about this many bytes, whole rows at a time (HDF5's default chunk cache
    /// is 1 MiB, so one chunk fits in it).
    public static let defaultChunkBytes = 1 << 20

    /// Writes `values` as a new dataset of `shape` at `name` (parent groups are created).
    ///
    /// - Parameters:
    ///   - chunk: chunk shape; `nil` stores the dataset contiguously unless `gzip` is set, in which case
    ///     chunks of whole rows of about `defaultChunkBytes` are used. Chunk extents are clamped to the shape.
    ///   - gzip: deflate level 0…9, or `nil` for no compression.
    ///   - shuffle: the byte-shuffle filter before deflate (groups the values' bytes by significance, which is
    ///     what lets deflate shrink floats); only with `gzip`.
    ///   - storedAs: the file's element kind when it differs from `T`'s: `.float16` for `Float` values
    ///     (rounded to IEEE half by libhdf5); `nil` stores `T.hdf5Kind`.
    /// - Throws: `StorageError.countMismatch` when `values.count != shape.reduce(1, *)`,
    ///   `StorageError.io` when `name` already exists or HDF5 fails.
    public func write<T: HDF5Element>(
        _ values: [T], shape: [Int], to name: String, chunk: [Int]? = nil, gzip: Int? = nil, shuffle: Bool = false,
        storedAs stored: HDF5ElementKind? = nil
    ) throws {
        let file = try openID()
        precondition(!shape.isEmpty && shape.allSatisfy { $0 >= 0 }, "shape \(shape) must have rank ≥ 1, extents ≥ 0")
        guard values.count == shape.reduce(1, *) else {
            throw StorageError.countMismatch(file: path, dataset: name, count: values.count, shape: shape)
        }
        try requireNew(name)
        let kind = try storedKind(stored, for: T.self, dataset: name)
        let space = try dataspace(shape)
        defer { H5Sclose(space) }
        let dcpl = try creationList(shape: shape, extendable: false, elementBytes: kind.byteCount,
                                    chunk: chunk, gzip: gzip, shuffle: shuffle)
        defer { H5Pclose(dcpl) }
        let lcpl = try intermediateGroupsList()
        defer { H5Pclose(lcpl) }
        let dapl = try wholeDatasetAccessList()
        defer { H5Pclose(dapl) }
        let dataset = try kind.withFileType { H5Dcreate2(file, name, $0, space, lcpl, dcpl, dapl) }
        guard dataset >= 0 else { throw StorageError.io(file: path, operation: "create dataset '\(name)'") }
        defer { H5Dclose(dataset) }
        guard !values.isEmpty else { return }
        let status = try withWriteBuffer(values, storedAs: kind) { type, bytes in
            H5Dwrite(dataset, type, tributary_h5s_all(), tributary_h5s_all(), tributary_h5p_default(), bytes)
        }
        try check(status, "write dataset '\(name)'")
    }

    /// Reads the whole dataset `name` and its shape.
    ///
    /// - Throws: `StorageError.datasetMissing`, `StorageError.typeMismatch` when the stored type is not `T`,
    ///   `StorageError.partMissing` when `name` is a stitched (virtual) dataset whose part file is gone.
    public func read<T: HDF5Element>(_ name: String, as type: T.Type = T.self) throws -> (values: [T], shape: [Int]) {
        try withDataset(name, wholeRead: true) { dataset in
            try checkReadable(dataset, name: name, as: T.self)
            let shape = try datasetShape(dataset, name: name)
            try reserveMemory(for: shape, elementBytes: MemoryLayout<T>.stride, dataset: name)
            let count = shape.reduce(1, *)
            guard count > 0 else { return ([], shape) }
            let values: [T] = try readValues(dataset, count: count, memorySpace: tributary_h5s_all(),
                                             fileSpace: tributary_h5s_all(), name: name, operation: "read dataset '\(name)'")
            return (values, shape)
        }
    }

    /// Reads the whole dataset `name` after checking its shape against `expected` (`nil` = any extent),
    /// e.g. `[nil, 64]` for "N rows of 64 values".
    public func read<T: HDF5Element>(_ name: String, as type: T.Type = T.self, shape expected: [Int?]) throws -> [T] {
        let shape = try self.shape(of: name)
        try requireShape(shape, matches: expected, dataset: name)
        return try read(name, as: T.self).values
    }

    /// Reads the whole dataset `name` into `buffer`, which must already hold exactly as many elements
    /// (reuse one buffer across reads to avoid allocating and page-faulting it each time). Returns the shape.
    @discardableResult
    public func read<T: HDF5Element>(_ name: String, into buffer: inout [T]) throws -> [Int] {
        try withDataset(name, wholeRead: true) { dataset in
            try checkReadable(dataset, name: name, as: T.self)
            let shape = try datasetShape(dataset, name: name)
            guard shape.reduce(1, *) == buffer.count else {
                throw StorageError.shapeMismatch(file: path, dataset: name, expected: [buffer.count],
                                                 got: shape)
            }
            guard !buffer.isEmpty else { return shape }
            let status = buffer.withUnsafeMutableBytes { bytes in
                H5Dread(dataset, T.hdf5Kind.memoryType, tributary_h5s_all(), tributary_h5s_all(),
                        tributary_h5p_default(), bytes.baseAddress)
            }
            try check(status, "read dataset '\(name)'")
            return shape
        }
    }

    /// Reads rows `rows` (a range of the first axis) of dataset `name`: a hyperslab read that touches only
    /// the chunks holding those rows. Returns the values and their shape `[rows.count, d₁, …]`.
    public func readRows<T: HDF5Element>(
        _ name: String, rows: Range<Int>, as type: T.Type = T.self
    ) throws -> (values: [T], shape: [Int]) {
        try withDataset(name) { dataset in
            try checkReadable(dataset, name: name, as: T.self)
            let shape = try datasetShape(dataset, name: name)
            guard rows.lowerBound >= 0, rows.upperBound <= shape[0] else {
                throw StorageError.rowsOutOfRange(file: path, dataset: name, rows: rows, rowCount: shape[0])
            }
            let blockShape = [rows.count] + shape.dropFirst()
            try reserveMemory(for: blockShape, elementBytes: MemoryLayout<T>.stride, dataset: name, rows: rows)
            let count = blockShape.reduce(1, *)
            guard count > 0 else { return ([], blockShape) }
            let fileSpace = try selectRows(of: dataset, rows: rows, shape: shape, name: name)
            defer { H5Sclose(fileSpace) }
            let memorySpace = try dataspace(blockShape)
            defer { H5Sclose(memorySpace) }
            let values: [T] = try readValues(dataset, count: count, memorySpace: memorySpace, fileSpace: fileSpace,
                                             name: name, operation: "read rows \(rows) of dataset '\(name)'")
            return (values, blockShape)
        }
    }

    /// Throws `MemoryBudgetError` unless a read of `shape` elements of `elementBytes` fits the per-rank
    /// `MemoryBudget.current`: the shape is what the file declares (10¹² rows cost nothing on disk when the
    /// chunks are unwritten), so it is checked before the buffer is allocated.
    func reserveMemory(for shape: [Int], elementBytes: Int, dataset: String, rows: Range<Int>? = nil) throws {
        try MemoryBudget.current.reserve(
            bytes: MemoryBudget.product(shape + [elementBytes]), for: "file \(path), dataset '\(dataset)'",
            purpose: rows.map { "reading rows \($0.lowerBound)..<\($0.upperBound) (shape \(shape))" } ?? "reading its shape \(shape) whole",
            fix: "check that it is the file you meant and re-run the stage that wrote it if its shape is wrong")
    }

    /// The current shape of dataset `name`.
    public func shape(of name: String) throws -> [Int] {
        try withDataset(name) { try datasetShape($0, name: name) }
    }

    /// The stored element kind of dataset `name`, or `nil` for strings and other non-numeric types.
    public func elementKind(of name: String) throws -> HDF5ElementKind? {
        try withDataset(name) { dataset in
            let type = H5Dget_type(dataset)
            guard type >= 0 else { throw StorageError.io(file: path, operation: "get the type of '\(name)'") }
            defer { H5Tclose(type) }
            return HDF5ElementKind(storedType: type)
        }
    }
}
