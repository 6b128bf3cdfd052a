import Foundation
import Stages
import Storage

/// Content hashes of the runner's files (SHA-256, hex).
///
/// - A plain file: SHA-256 of its bytes, read in 1 MiB chunks.
/// - A folder: SHA-256 over its regular files in sorted relative-path order, each as `path NUL length NUL bytes`.
/// - An HDF5 file (`.h5`): a **canonical content digest**, not the bytes: HDF5 stores object modification times
///   and free-space layout, so two runs that wrote the same data give different bytes. The digest covers, for
///   every object in sorted path order, its path, its attributes (name and value) and, for a dataset, its element
///   type, shape and values (bit patterns; strings as UTF-8). Equal digests = the same data, bit for bit, which is
///   what the resume test compares. The per-rank layout attributes of stitched masters are left out.
public enum RunnerDigest {
    /// The digest of `path` (file, folder or HDF5 file, chosen as above).
    public static func of(_ path: String) throws -> String {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw RunnerError.missingOutput(path: path)
        }
        if isFolder.boolValue { return try folder(path) }
        if path.hasSuffix(".h5") { return try hdf5(path) }
        var h = SHA256()
        try feed(file: path, into: &h)
        return h.finalize().hex
    }

    static func feed(file path: String, into h: inout SHA256) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw RunnerError.unreadable(path: path) }
        defer { try? handle.close() }
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { h.update([UInt8](chunk)) }
    }

    static func folder(_ path: String) throws -> String {
        var h = SHA256()
        let files = (FileManager.default.enumerator(atPath: path)?.allObjects as? [String] ?? []).sorted()
        for relative in files {
            var isFolder: ObjCBool = false
            let full = path + "/" + relative
            guard FileManager.default.fileExists(atPath: full, isDirectory: &isFolder), !isFolder.boolValue else { continue }
            let size = ((try? FileManager.default.attributesOfItem(atPath: full))?[.size] as? Int) ?? 0
            h.update(relative + "\0\(size)\0")
            try feed(file: full, into: &h)
        }
        return h.finalize().hex
    }

    /// Attributes that describe how a stitched master is split into per-rank parts (`PartFiles`), not its data:
    /// left out, so a master written by 1 rank and by 3 ranks, and its packed copy, have the same digest.
    static let layoutAttributes: Set<String> = PartManifest.attributeNames.union([PartFiles.digestAttribute])

    /// The canonical content digest of an HDF5 file.
    public static func hdf5(_ path: String) throws -> String {
        let file = try HDF5File.open(path: path)
        defer { try? file.close() }
        var h = SHA256()
        func attributes(_ object: String) throws {
            for name in try file.attributeNames(of: object).sorted() where !layoutAttributes.contains(name) {
                h.update("@\(name)=\(try file.attribute(name, of: object, as: HDF5AttributeValue.self))\n")
            }
        }
        func visit(_ group: String) throws {
            try attributes(group)
            for child in try file.children(of: group).sorted() {
                let full = group == "/" ? "/" + child : group + "/" + child
                if file.isDataset(full) {
                    try attributes(full)
                    let shape = try file.shape(of: full)
                    if let kind = try file.elementKind(of: full) {
                        h.update("\(full) \(kind) \(shape)\n")
                        switch kind {
                        case .float32, .float16: feed(try file.read(full, as: Float.self).values, &h)
                        case .float64: feed(try file.read(full, as: Double.self).values, &h)
                        case .int32: feed(try file.read(full, as: Int32.self).values, &h)
                        case .int64: feed(try file.read(full, as: Int64.self).values, &h)
                        case .uint8: h.update(try file.read(full, as: UInt8.self).values)
                        }
                    } else {
                        h.update("\(full) string \(shape)\n")
                        for s in try file.readStrings(full) { h.update(Array(s.utf8) + [0]) }
                    }
                } else {
                    h.update("\(full)/\n")
                    try visit(full)
                }
            }
        }
        try visit("/")
        return h.finalize().hex
    }

    /// Feeds the values' memory: their bit patterns in the machine's byte order (little-endian on x86-64 and
    /// arm64, where digests are compared; NaN payloads and −0 are kept).
    static func feed<T: BitwiseCopyable>(_ values: [T], _ h: inout SHA256) {
        values.withUnsafeBytes { h.update($0.bindMemory(to: UInt8.self)) }
    }
}
