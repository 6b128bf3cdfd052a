/// Packing: a stitched master and its part files copied into one self-contained file.
///
/// A master's virtual datasets read their rows from `<master>.parts/`, so the master cannot travel alone.
/// `pack(_:to:)` writes a file with the same root attributes (header) and the same groups, datasets and
/// dataset attributes, every dataset real (contiguous rows copied in blocks), and without the part manifest
/// (`PartManifest.attributeNames`). Every block is read through the checked readers, so a missing or
/// mismatched part fails the pack instead of packing zeros. Readers accept packed files: a dataset that is
/// not virtual needs no parts. A file that is not a master packs to a plain copy of its datasets.
///
/// ```swift
/// try HDF5File.pack("out/fv.h5", to: "/mnt/share/fv-packed.h5")
/// ```
extension HDF5File {
    /// Writes `output` (atomically) as a self-contained copy of the file at `input`. Returns the copied
    /// dataset paths.
    @discardableResult
    public static func pack(_ input: String, to output: String) throws -> [String] {
        guard input != output else {
            throw StorageError.io(file: output, operation: "pack a file onto itself (choose another output path)")
        }
        let source = try open(path: input)
        defer { try? source.close() }
        return try createAtomic(path: output) { target in
            for name in try source.attributeNames() {
                try target.setAttribute(name, try source.attributeValue(name, of: "/"))
            }
            let datasets = try source.datasetPaths()
            for name in datasets {
                try source.copyDataset(name, to: target)
                for attribute in try source.attributeNames(of: name) where !PartManifest.attributeNames.contains(attribute) {
                    try target.setAttribute(attribute, try source.attributeValue(attribute, of: name), on: name)
                }
            }
            return datasets
        }
    }

    /// Copies dataset `name` (numeric or strings) into `target` under the same path.
    private func copyDataset(_ name: String, to target: HDF5File) throws {
        let shape = try shape(of: name)
        guard let kind = try elementKind(of: name) else {
            try target.writeStrings(try readStrings(name), to: name)
            return
        }
        switch kind {
        case .float32: try copyRows(name, shape: shape, as: Float.self, to: target)
        case .float16: try copyRows(name, shape: shape, as: Float.self, to: target, storedAs: .float16)
        case .float64: try copyRows(name, shape: shape, as: Double.self, to: target)
        case .int32: try copyRows(name, shape: shape, as: Int32.self, to: target)
        case .int64: try copyRows(name, shape: shape, as: Int64.self, to: target)
        case .uint8: try copyRows(name, shape: shape, as: UInt8.self, to: target)
        }
    }

    /// Copies numeric dataset `name`: whole when it is at most one block (`digestBlockBytes`), else block by block
    /// into an extendable dataset (memory stays at one block, whatever the dataset's size).
    /// `stored`: the file kind to keep (`.float16` rows are read as `Float` and stored as half again, exactly).
    private func copyRows<T: HDF5Element>(_ name: String, shape: [Int], as: T.Type, to target: HDF5File,
                                          storedAs stored: HDF5ElementKind? = nil) throws {
        let rowShape = Array(shape.dropFirst())
        let rowBytes = rowShape.reduce(T.hdf5Kind.byteCount, *)
        guard shape.count >= 1, rowShape.allSatisfy({ $0 > 0 }), shape[0] * rowBytes > Self.digestBlockBytes else {
            let values = try read(name, as: T.self).values
            try target.write(values, shape: shape, to: name, storedAs: stored)
            return
        }
        let step = Swift.max(1, Self.digestBlockBytes / rowBytes)
        try target.createExtendable(name, of: T.self, rowShape: rowShape, storedAs: stored)
        for start in stride(from: 0, to: shape[0], by: step) {
            try target.append(rows: try readRows(name, rows: start ..< Swift.min(start + step, shape[0]), as: T.self).values,
                              to: name)
        }
    }
}
