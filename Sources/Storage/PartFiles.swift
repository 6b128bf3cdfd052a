import Core
import CHDF5
#if canImport(Glibc)
import Glibc
#endif

/// Per-rank part files stitched by rank 0 into one master file of HDF5 virtual datasets.
///
/// A sharded stage (feature extraction, encoding) has each of R ranks write the rows of its shard to its
/// own part file; rank 0 then writes the master, whose datasets are virtual datasets concatenating the
/// parts' rows in rank order. Readers open only the master and see one dataset of `Σ_r N_r` rows.
///
/// Layout, for master `out/fv.h5` and R = 3:
/// ```
/// out/fv.h5                          master: header + virtual datasets + part manifest (a few KiB)
/// out/fv.h5.parts/part-00000.h5      rank 0's rows (N₀, D)   each part: same header, same dataset names,
/// out/fv.h5.parts/part-00001.h5      rank 1's rows (N₁, D)   plus `part_digest` (its content digest)
/// out/fv.h5.parts/part-00002.h5      rank 2's rows (N₂, D)
/// out/fv.h5.parts/g<key>/part-0000r.h5   the same for another generation (see below)
/// ```
/// The master stores part paths *relative* to its own folder (`fv.h5.parts/part-00001.h5`), and HDF5
/// resolves them against the master's folder, so `out/` can be moved or copied as a whole. Renaming the
/// master alone breaks the link (the parts folder is named after it); rename both, re-run the stage, or
/// `pack` the master into one file (`HDF5File.pack`). h5py and `h5dump` read the master like any other file.
///
/// **Generations: the master and its parts change as one unit.** A part set made with one `key` (a hash of
/// the settings and the rank count, `PartFiles.forWriting`) is a *generation*, written in one of two slots: the
/// parts folder itself (`generation == ""`) or the subfolder `g<key>`. A run whose key differs from the live
/// master's writes into the slot the live master does *not* use, so the live master and its parts stay intact
/// while the new parts are written; the new master is renamed into place last (atomically), and only then are
/// the other generations deleted. A crash at any point leaves the old master over its complete old parts, or
/// the new master over its complete new parts. A run with the live key (a resumed or repeated run) writes into
/// the live slot, reusing finished parts; a rewritten part then holds the same content, or the master's
/// manifest no longer matches and readers refuse it. A run interrupted before its stitch leaves its generation
/// behind; a rerun with the same key finds it (same slot) and reuses its finished parts.
///
/// **Manifest.** Each virtual dataset carries the attributes of `PartManifest` (`part_files`, `part_rows`,
/// `part_digests`, `parts_key`, `parts_generation`, `part_check`), and every read through a virtual dataset
/// verifies them first (`StorageError.partMissing`, `.partMismatch`).
///
/// ```swift
/// let parts = PartFiles.forWriting(master: "out/fv.h5", count: comm.size, key: PartFiles.key(settings, count: comm.size))
/// try parts.writePart(rank: comm.rank) { file in                   // every rank
///     try header.write(to: file)
///     try file.write(myRows, shape: [myCount, d], to: "x")
/// }
/// comm.barrier()
/// if comm.isRoot { try parts.stitch(datasets: ["x"], header: header) }
/// ```
public struct PartFiles: Sendable, Equatable {
    /// The master file's path.
    public let master: String
    /// The number of parts (ranks).
    public let count: Int
    /// The generation slot: `""` (parts directly in `<master>.parts/`) or `g<key>` (a subfolder).
    public let generation: String
    /// The hash of the settings this part set is made with (recorded in the master as `parts_key`).
    public let key: String

    /// The root attribute holding a part's content digest (`HDF5File.contentDigest`), written by `writePart`.
    public static let digestAttribute = "part_digest"

    public init(master: String, count: Int, generation: String = "", key: String = "") {
        precondition(count >= 1, "a part set needs at least one part")
        precondition(generation.isEmpty || Self.isGenerationName(generation), "generation must be \"\" or g<hex>")
        self.master = master
        self.count = count
        self.generation = generation
        self.key = key
    }

    /// The part set a run with settings `key` writes: in the live master's slot when the live master was made
    /// with the same key (resume), else in the other slot (`g<key>` when the live parts are in the folder
    /// itself, the folder itself otherwise or when there is no readable live master).
    public static func forWriting(master: String, count: Int, key: String) -> PartFiles {
        let live = liveManifest(master)
        let generation: String
        if let live, live.key == key {
            generation = live.generation
        } else if let live, live.generation.isEmpty {
            generation = "g" + key
        } else {
            generation = ""
        }
        return PartFiles(master: master, count: count, generation: generation, key: key)
    }

    /// The part set the master at `master` reads (from its manifest), or nil when it has none.
    public static func liveManifest(_ master: String) -> PartManifest? {
        guard HDF5File.fileExists(master), let file = try? HDF5File.open(path: master) else { return nil }
        defer { try? file.close() }
        return (try? PartManifest.first(in: file))?.manifest
    }

    /// A key (16 hex digits) for the settings `description` of a part set of `count` parts.
    public static func key(_ description: String, count: Int) -> String {
        var hash = ContentHash()
        hash.add("\(description)\nparts=\(count)")
        return hash.hex
    }

    /// `<master>.parts`: the folder holding every generation's parts.
    public var directory: String { master + ".parts" }

    /// The folder holding this generation's parts.
    public var generationDirectory: String { generation.isEmpty ? directory : directory + "/" + generation }

    /// The path of rank `rank`'s part file.
    public func partPath(rank: Int) -> String {
        generationDirectory + "/" + Self.partName(rank: rank)
    }

    /// The path of rank `rank`'s part relative to the master's folder, as stored in the master.
    public func relativePartPath(rank: Int) -> String {
        let base = master.lastIndex(of: "/").map { String(master[master.index(after: $0)...]) } ?? master
        return base + ".parts/" + (generation.isEmpty ? "" : generation + "/") + Self.partName(rank: rank)
    }

    /// `part-00003.h5` for rank 3.
    public static func partName(rank: Int) -> String {
        let digits = String(rank)
        return "part-" + String(repeating: "0", count: max(0, 5 - digits.count)) + digits + ".h5"
    }

    /// Whether `name` is a generation subfolder name (`g` followed by hex digits).
    static func isGenerationName(_ name: String) -> Bool {
        name.count > 1 && name.hasPrefix("g") && name.dropFirst().allSatisfy(\.isHexDigit)
    }

    /// Writes rank `rank`'s part atomically (creating the folders if needed); `body` fills it, then its content
    /// digest is stored as the root attribute `part_digest` (one read pass over what `body` wrote).
    @discardableResult
    public func writePart<R>(rank: Int, durable: Bool = false, _ body: (HDF5File) throws -> R) throws -> R {
        precondition((0..<count).contains(rank), "rank \(rank) is outside 0..<\(count)")
        for folder in [directory, generationDirectory] {
            if let problem = FileProblem.makeFolder(folder) { throw StorageError.unusable(path: folder, problem: problem) }
        }
        return try HDF5File.createAtomic(path: partPath(rank: rank), durable: durable) { file in
            let result = try body(file)
            try file.setAttribute(Self.digestAttribute, try file.contentDigest())
            return result
        }
    }

    /// Writes the master (atomically): `header` as its root attributes and, for each name in `datasets`,
    /// a virtual dataset concatenating that dataset of every part in rank order, with the `PartManifest`
    /// attributes. Then deletes the other generations' parts (only now that nothing reads them).
    ///
    /// Every part is checked first: it must exist (`StorageError.partMissing`), carry `header`'s stage and
    /// version (`wrongFormat`/`wrongStage`/`wrongVersion`) and a `part_digest` (`partMismatch`), hold each
    /// dataset (`datasetMissing`) with the same numeric type (`typeMismatch`) and row shape (`shapeMismatch`)
    /// as part 0.
    ///
    /// `extra` runs on the master before it is renamed into place, for datasets that only the master holds
    /// (e.g. string ids and class names, which virtual datasets cannot concatenate).
    public func stitch(datasets: [String], header: ArtifactHeader, durable: Bool = false,
                       extra: (HDF5File) throws -> Void = { _ in }) throws {
        var layouts: [String: (kind: HDF5ElementKind, rowShape: [Int], rows: [Int])] = [:]
        var digests: [String] = []
        for rank in 0..<count {
            let path = partPath(rank: rank)
            guard HDF5File.fileExists(path) else { throw StorageError.partMissing(master: master, part: path) }
            let part = try HDF5File.open(path: path)
            try ArtifactHeader.check(part, stage: header.stage, version: header.version)
            guard part.hasAttribute(Self.digestAttribute) else {
                throw StorageError.partMismatch(master: master, part: path, reason: "it has no part_digest "
                    + "(written by an older build or not by PartFiles.writePart)")
            }
            digests.append(try part.attribute(Self.digestAttribute, as: String.self))
            for name in datasets {
                let shape = try part.shape(of: name)
                guard let kind = try part.elementKind(of: name) else {
                    throw StorageError.typeMismatch(file: path, name: name, expected: "a numeric dataset",
                                                    got: "string or another non-numeric type")
                }
                let rowShape = Array(shape.dropFirst())
                guard let first = layouts[name] else {
                    layouts[name] = (kind, rowShape, [shape[0]])
                    continue
                }
                guard first.rowShape == rowShape else {
                    throw StorageError.shapeMismatch(file: path, dataset: name,
                                                     expected: [nil] + first.rowShape.map { $0 }, got: shape)
                }
                guard first.kind == kind else {
                    throw StorageError.typeMismatch(file: path, name: name, expected: first.kind.rawValue,
                                                    got: kind.rawValue)
                }
                layouts[name]!.rows.append(shape[0])
            }
            try part.close()
        }
        try HDF5File.createAtomic(path: master, durable: durable) { file in
            try header.write(to: file)
            for name in datasets {
                let layout = layouts[name]!
                let sources = (0..<count).map { rank in
                    HDF5File.VirtualSource(file: relativePartPath(rank: rank), dataset: name,
                                           rows: layout.rows[rank])
                }
                try file.createVirtualDataset(name, kind: layout.kind, rowShape: layout.rowShape, sources: sources)
                try file.setAttribute("part_files", sources.map(\.file), on: name)
                try file.setAttribute("part_rows", layout.rows, on: name)
                try file.setAttribute("part_digests", digests, on: name)
                try file.setAttribute("parts_key", key, on: name)
                try file.setAttribute("parts_generation", generation, on: name)
                try file.setAttribute("part_check", PartManifest.h5pyCheck, on: name)
            }
            try extra(file)
        }
        removeOtherGenerations()
    }

    /// Deletes every part file under `directory` that this generation does not hold: stale `part-*.h5` of the
    /// folder itself, and whole `g<key>` subfolders (their part files, then the folder). Other files are left.
    /// Failures are ignored: a leftover generation costs disk space, never correctness (the master names its
    /// parts), and the next stitch tries again.
    func removeOtherGenerations() {
        let keep = Set((0..<count).map { Self.partName(rank: $0) })
        for entry in Self.entries(of: directory) {
            let path = directory + "/" + entry
            if Self.isGenerationName(entry) {
                guard entry != generation else {
                    for stale in Self.entries(of: path) where Self.isPartName(stale) && !keep.contains(stale) {
                        unlink(path + "/" + stale)
                    }
                    continue
                }
                for file in Self.entries(of: path) where file.hasPrefix("part-") { unlink(path + "/" + file) }
                rmdir(path)
            } else if Self.isPartName(entry) && !(generation.isEmpty && keep.contains(entry)) {
                unlink(path)
            }
        }
    }

    /// `part-NNNNN.h5` (any rank).
    static func isPartName(_ name: String) -> Bool {
        name.hasPrefix("part-") && name.hasSuffix(".h5") && name.dropFirst(5).dropLast(3).allSatisfy(\.isNumber)
            && name.count > 8
    }

    /// The names in folder `path` (not `.` and `..`); empty when it cannot be read.
    static func entries(of path: String) -> [String] {
        guard let folder = opendir(path) else { return [] }
        defer { closedir(folder) }
        var names: [String] = []
        while let entry = readdir(folder) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
                String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}
