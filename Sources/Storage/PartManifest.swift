#if canImport(Glibc)
import Glibc
#endif

/// What a stitched master records about each of its part files, and the check every reader runs before it
/// reads a row through a virtual dataset.
///
/// HDF5 reads a virtual dataset's missing or unreadable source as fill values (zeros) without an error, and it
/// happily reads a source that another run rewrote. So the master carries a manifest — attributes on every
/// virtual dataset — and `HDF5File.read`/`readRows` verify it once per open master (`verifyPartManifest`):
///
/// | attribute (on each virtual dataset) | type | meaning |
/// | --- | --- | --- |
/// | `part_files` | [String] | part paths relative to the master's folder, in rank order |
/// | `part_rows` | [Int] | rows of this dataset in each part (part r holds rows Σ_{s<r} N_s ..< Σ_{s≤r} N_s) |
/// | `part_digests` | [String] | each part's `part_digest` at stitch time |
/// | `parts_key` | String | hash of the settings the part set was made with (chooses the generation) |
/// | `parts_generation` | String | the generation folder under `<master>.parts/` (`""`: the folder itself) |
/// | `part_check` | String | how an h5py user verifies the parts (h5py fills missing parts with zeros) |
///
/// **The digest.** `part_digest` (a root attribute of every part, hex) is a 64-bit hash of the part's whole
/// content — its root attributes, and every dataset's path, type, shape and values — computed once, when the
/// part is written (`PartFiles.writePart`). A reader compares the part's stored digest with the master's: one
/// `open` and one attribute read per part, whatever the part's size. Re-hashing the data on every read would cost
/// a full pass over gigabytes; file size or modification time would reject identical data copied with `cp`,
/// and accept a same-size part of another run. A part rewritten with the same content (a resumed, deterministic
/// run) keeps its digest, so the master stays valid; a part with any other content has another digest (up to
/// 64-bit hash collisions). What the stored digest does not catch is bit rot inside a part after it was
/// written; `HDF5File.contentDigest()` recomputes it when that matters.
public struct PartManifest: Sendable, Equatable {
    /// Part paths relative to the master's folder (as the virtual datasets store them).
    public var files: [String]
    /// Rows of the dataset the manifest was read from, per part.
    public var rows: [Int]
    /// Each part's content digest, hex.
    public var digests: [String]
    /// The hash of the part set's settings (`PartFiles.key`).
    public var key: String
    /// The generation folder name (`""` for parts directly in `<master>.parts/`).
    public var generation: String

    /// The manifest attributes; `pack` and `RunnerDigest` leave them out (they describe the split, not the data).
    public static let attributeNames: Set<String> = [
        "part_files", "part_rows", "part_digests", "parts_key", "parts_generation", "part_check",
    ]

    /// The text of `part_check`.
    public static let h5pyCheck = """
        virtual dataset over the part files in part_files (relative to this file's folder); h5py reads a missing \
        part as zeros without an error. Verify before reading: import h5py, os; d = f[name]; \
        assert all(os.path.exists(os.path.join(os.path.dirname(f.filename), s.file_name)) \
        for s in d.virtual_sources()); and for each i, h5py.File(part_files[i]).attrs['part_digest'] == \
        part_digests[i]. Or read with tributary, or run `tributary pack MASTER OUT.h5` for a file without parts.
        """

    /// Reads the manifest attributes of `dataset` in `master`; `partManifestMissing` when it has none.
    public static func read(from master: HDF5File, dataset: String) throws -> PartManifest {
        guard master.hasAttribute("part_digests", on: dataset) else {
            throw StorageError.partManifestMissing(master: master.path, dataset: dataset)
        }
        let manifest = PartManifest(
            files: try master.attribute("part_files", of: dataset, as: [String].self),
            rows: try master.attribute("part_rows", of: dataset, as: [Int].self),
            digests: try master.attribute("part_digests", of: dataset, as: [String].self),
            key: try master.attribute("parts_key", of: dataset, as: String.self),
            generation: try master.attribute("parts_generation", of: dataset, as: String.self))
        guard manifest.files.count == manifest.digests.count, manifest.files.count == manifest.rows.count else {
            throw StorageError.partMismatch(master: master.path, part: dataset, reason: "the manifest's "
                + "part_files, part_rows and part_digests have different lengths")
        }
        return manifest
    }

    /// The manifest of the first virtual dataset of `master` (depth-first, name order), or nil when it has none.
    public static func first(in master: HDF5File) throws -> (dataset: String, manifest: PartManifest)? {
        for name in try master.datasetPaths() where master.hasAttribute("part_files", on: name) {
            return (name, try read(from: master, dataset: name))
        }
        return nil
    }

    /// Where part `index` is, for a master at `masterPath`.
    public func partPath(_ index: Int, masterPath: String) -> String {
        files[index].hasPrefix("/") ? files[index] : HDF5File.directoryPath(of: masterPath) + "/" + files[index]
    }

    /// Checks part `index`: it exists (`partMissing`) and its `part_digest` is the recorded one (`partMismatch`).
    public func verifyPart(_ index: Int, masterPath: String) throws {
        let path = partPath(index, masterPath: masterPath)
        guard HDF5File.fileExists(path) else { throw StorageError.partMissing(master: masterPath, part: path) }
        let part: HDF5File
        do {
            part = try HDF5File.open(path: path)
        } catch {
            throw StorageError.partMismatch(master: masterPath, part: path, reason: "it is not readable HDF5: \(error)")
        }
        defer { try? part.close() }
        guard part.hasAttribute(PartFiles.digestAttribute) else {
            throw StorageError.partMismatch(master: masterPath, part: path, reason: "it has no part_digest")
        }
        let found = try part.attribute(PartFiles.digestAttribute, as: String.self)
        guard found == digests[index] else {
            throw StorageError.partMismatch(master: masterPath, part: path,
                                            reason: "its digest is \(found), the master recorded \(digests[index])")
        }
    }
}

extension HDF5File {
    /// Verifies, once per open file, every part behind the virtual dataset `name` (whose source files are
    /// `sources`, as stored): each source is in the manifest, each part exists and has the recorded digest.
    func verifyPartManifest(dataset name: String, sources: [String]) throws {
        let manifest = try PartManifest.read(from: self, dataset: name)
        let listed = Set(manifest.files)
        for source in sources where source != "." && !listed.contains(source) {
            throw StorageError.partMismatch(master: path, part: source, reason: "dataset '\(name)' reads it but the "
                + "manifest does not list it")
        }
        for index in manifest.files.indices {
            let token = manifest.files[index] + "\u{0}" + manifest.digests[index]
            if verifiedParts.contains(token) { continue }
            try manifest.verifyPart(index, masterPath: path)
            verifiedParts.insert(token)
        }
    }

    /// Every dataset's path ("/a/b"), depth-first in name order.
    public func datasetPaths(under group: String = "/") throws -> [String] {
        var paths: [String] = []
        for child in try children(of: group) {
            let full = group == "/" ? "/" + child : group + "/" + child
            if isDataset(full) { paths.append(full) } else { paths += try datasetPaths(under: full) }
        }
        return paths
    }

    /// The content digest of this file (hex, 64 bits): its root attributes except `part_digest`, then every
    /// dataset's path, type, shape and values in path order, read in blocks of about `digestBlockBytes`.
    /// The same data written twice has the same digest; HDF5's own bytes (object times, free space) do not enter.
    public func contentDigest() throws -> String {
        var hash = ContentHash()
        for name in try attributeNames() where name != PartFiles.digestAttribute {
            hash.add("@\(name)=\(try attributeValue(name, of: "/"))\n")
        }
        for name in try datasetPaths() {
            let shape = try shape(of: name)
            guard let kind = try elementKind(of: name) else {
                hash.add("\(name) string \(shape)\n")
                for value in try readStrings(name) { hash.add(value + "\u{0}") }
                continue
            }
            hash.add("\(name) \(kind) \(shape)\n")
            guard let rows = shape.first else { continue }
            let rowBytes = Swift.max(1, shape.dropFirst().reduce(kind.byteCount, *))
            let step = Swift.max(1, Self.digestBlockBytes / rowBytes)
            for start in stride(from: 0, to: rows, by: step) {
                let block = start ..< Swift.min(start + step, rows)
                switch kind {
                case .float32, .float16: hash.add(try readRows(name, rows: block, as: Float.self).values)
                case .float64: hash.add(try readRows(name, rows: block, as: Double.self).values)
                case .int32: hash.add(try readRows(name, rows: block, as: Int32.self).values)
                case .int64: hash.add(try readRows(name, rows: block, as: Int64.self).values)
                case .uint8: hash.add(try readRows(name, rows: block, as: UInt8.self).values)
                }
            }
        }
        return hash.hex
    }

    /// Bytes per block when hashing a dataset.
    static let digestBlockBytes = 8 << 20
}

/// A 64-bit streaming hash over bytes, 8 at a time (multiply–rotate, as FxHash, with a final avalanche): fast
/// enough to run over every part once at write time. It detects changed content, not tampering.
struct ContentHash {
    private var state: UInt64 = 0x243f_6a88_85a3_08d3
    private var length: UInt64 = 0

    mutating func add(_ text: String) { add(Array(text.utf8)) }

    mutating func add<T: BitwiseCopyable>(_ values: [T]) {
        values.withUnsafeBytes { bytes in
            var offset = 0
            while offset + 8 <= bytes.count {
                mix(bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                offset += 8
            }
            var tail: UInt64 = 0
            for index in offset ..< bytes.count { tail |= UInt64(bytes[index]) << (8 * UInt64(index - offset)) }
            if offset < bytes.count { mix(tail) }
            length &+= UInt64(bytes.count)
        }
    }

    private mutating func mix(_ word: UInt64) {
        state = ((state << 5) | (state >> 59)) ^ word
        state = state &* 0x517c_c1b7_2722_0a95
    }

    /// The digest as 16 hex digits.
    var hex: String {
        var h = state ^ length
        h ^= h >> 33
        h = h &* 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        h = h &* 0xc4ce_b9fe_1a85_ec53
        h ^= h >> 33
        let digits = String(h, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
