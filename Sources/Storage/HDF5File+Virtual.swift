import CHDF5

/// HDF5 virtual datasets (VDS, HDF5 ≥ 1.10): a dataset in one file whose rows live in other files.
///
/// `PartFiles.stitch` uses them to present per-rank part files as one master dataset. Source file names
/// are stored relative to the master's folder, and HDF5 (≥ 1.10.2) resolves a relative source name
/// against the folder of the file holding the virtual dataset, so the master and its parts folder can be
/// moved together. HDF5 reads a missing source as fill values (zeros) without an error; `read` and
/// `readRows` therefore check the sources and the master's `PartManifest` first (`checkVirtualSources`) and
/// throw `StorageError.partMissing` / `.partMismatch` instead of returning silent zeros or another run's rows.
extension HDF5File {
    /// One source of a virtual dataset: rows `0..<rows` of `dataset` in `file` (a path relative to the
    /// master's folder), mapped to the next `rows` rows of the virtual dataset.
    struct VirtualSource {
        var file: String
        var dataset: String
        var rows: Int
    }

    /// Creates the virtual dataset `name` of shape `[Σ rows] + rowShape`, concatenating `sources` in order.
    func createVirtualDataset(
        _ name: String, kind: HDF5ElementKind, rowShape: [Int], sources: [VirtualSource]
    ) throws {
        let file = try openID()
        try requireNew(name)
        let shape = [sources.reduce(0) { $0 + $1.rows }] + rowShape
        let virtualSpace = try dataspace(shape)
        defer { H5Sclose(virtualSpace) }
        let dcpl = try untimedCreationList()
        defer { H5Pclose(dcpl) }
        var offset = 0
        for source in sources where source.rows > 0 {
            let rows = offset..<offset + source.rows
            offset += source.rows
            let start = [hsize_t(rows.lowerBound)] + rowShape.map { _ in hsize_t(0) }
            let count = [hsize_t(rows.count)] + rowShape.map { hsize_t($0) }
            let sourceSpace = try dataspace([source.rows] + rowShape)
            defer { H5Sclose(sourceSpace) }
            // '%' would be read as a printf pattern in VDS source names; "%%" is a literal percent sign.
            let fileName = source.file.replacingOccurrences(of: "%", with: "%%")
            guard H5Sselect_hyperslab(virtualSpace, H5S_SELECT_SET, start, nil, count, nil) >= 0,
                  H5Pset_virtual(dcpl, virtualSpace, fileName, source.dataset, sourceSpace) >= 0 else {
                throw StorageError.io(file: path, operation: "map rows \(rows) of '\(name)' to \(source.file)")
            }
        }
        H5Sselect_all(virtualSpace)
        let lcpl = try intermediateGroupsList()
        defer { H5Pclose(lcpl) }
        let dataset = try kind.withFileType { H5Dcreate2(file, name, $0, virtualSpace, lcpl, dcpl, tributary_h5p_default()) }
        guard dataset >= 0 else { throw StorageError.io(file: path, operation: "create virtual dataset '\(name)'") }
        H5Dclose(dataset)
    }

    /// The source file names of `dataset` when it is virtual (as stored: relative or absolute), else `[]`.
    func virtualSourceFiles(_ dataset: hid_t) -> [String] {
        let dcpl = H5Dget_create_plist(dataset)
        guard dcpl >= 0 else { return [] }
        defer { H5Pclose(dcpl) }
        guard H5Pget_layout(dcpl) == H5D_VIRTUAL else { return [] }
        var count = 0
        guard H5Pget_virtual_count(dcpl, &count) >= 0 else { return [] }
        return (0..<count).compactMap { index -> String? in
            let length = H5Pget_virtual_filename(dcpl, index, nil, 0)
            guard length >= 0 else { return nil }
            var buffer = [CChar](repeating: 0, count: Int(length) + 1)
            H5Pget_virtual_filename(dcpl, index, &buffer, buffer.count)
            let name = String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return name.replacingOccurrences(of: "%%", with: "%")
        }
    }

    /// For a virtual `dataset`: checks its part manifest (`verifyPartManifest`: every part exists and holds the
    /// content the master recorded) and that every source file is where HDF5 looks — beside this file first,
    /// then as given. Throws `partMissing`, `partMismatch` or `partManifestMissing`; does nothing for a dataset
    /// that is not virtual (a packed file).
    func checkVirtualSources(_ dataset: hid_t, name: String) throws {
        let sources = virtualSourceFiles(dataset)
        guard !sources.isEmpty else { return }
        let folder = Self.directoryPath(of: path)
        for source in sources where source != "." {
            let besideMaster = source.hasPrefix("/") ? source : folder + "/" + source
            if !Self.fileExists(besideMaster) && !Self.fileExists(source) {
                throw StorageError.partMissing(master: path, part: besideMaster)
            }
        }
        try verifyPartManifest(dataset: name, sources: sources)
    }
}

extension String {
    /// Foundation-free `replacingOccurrences(of:with:)` for the short names used here.
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        guard contains(target) else { return self }
        return split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
