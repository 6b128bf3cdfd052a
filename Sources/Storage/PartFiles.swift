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
/// out/fv.h5                       master: header + virtual datasets (a few KiB)
/// out/fv.h5.parts/part-00000.h5   rank 0's rows (N₀, D)   each part: same header, same dataset names
/// out/fv.h5.parts/part-00001.h5   rank 1's rows (N₁, D)
/// out/fv.h5.parts/part-00002.h5   rank 2's rows (N₂, D)
/// ```
/// The master stores part paths *relative* to its own folder (`fv.h5.parts/part-00001.h5`), and HDF5
/// resolves them against the master's folder, so `out/` can be moved or copied as a whole. Renaming the
/// master alone breaks the link (the parts folder is named after it); rename both, or re-run the stage.
/// h5py and `h5dump` read the master like any other file.
///
/// Each virtual dataset also carries the attributes `part_files` ([String]) and `part_rows` ([Int]).
///
/// ```swift
/// let parts = PartFiles(master: "out/fv.h5", count: comm.size)
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

    public init(master: String, count: Int) {
        precondition(count >= 1, "a part set needs at least one part")
        self.master = master
        self.count = count
    }

    /// `<master>.parts`: the folder holding the parts.
    public var directory: String { master + ".parts" }

    /// The path of rank `rank`'s part file.
    public func partPath(rank: Int) -> String {
        directory + "/" + Self.partName(rank: rank)
    }

    /// The path of rank `rank`'s part relative to the master's folder, as stored in the master.
    public func relativePartPath(rank: Int) -> String {
        let base = master.lastIndex(of: "/").map { String(master[master.index(after: $0)...]) } ?? master
        return base + ".parts/" + Self.partName(rank: rank)
    }

    /// `part-00003.h5` for rank 3.
    public static func partName(rank: Int) -> String {
        let digits = String(rank)
        return "part-" + String(repeating: "0", count: max(0, 5 - digits.count)) + digits + ".h5"
    }

    /// Writes rank `rank`'s part atomically (creating the parts folder if needed); `body` fills it.
    @discardableResult
    public func writePart<R>(rank: Int, durable: Bool = false, _ body: (HDF5File) throws -> R) throws -> R {
        precondition((0..<count).contains(rank), "rank \(rank) is outside 0..<\(count)")
        if let problem = FileProblem.makeFolder(directory) { throw StorageError.unusable(path: directory, problem: problem) }
        return try HDF5File.createAtomic(path: partPath(rank: rank), durable: durable, body)
    }

    /// Writes the master (atomically): `header` as its root attributes and, for each name in `datasets`,
    /// a virtual dataset concatenating that dataset of every part in rank order.
    ///
    /// Every part is checked first: it must exist (`StorageError.partMissing`), carry `header`'s stage and
    /// version (`wrongFormat`/`wrongStage`/`wrongVersion`), hold each dataset (`datasetMissing`) with the
    /// same numeric type (`typeMismatch`) and row shape (`shapeMismatch`) as part 0.
    ///
    /// `extra` runs on the master before it is renamed into place, for datasets that only the master holds
    /// (e.g. string ids and class names, which virtual datasets cannot concatenate).
    public func stitch(datasets: [String], header: ArtifactHeader, durable: Bool = false,
                       extra: (HDF5File) throws -> Void = { _ in }) throws {
        var layouts: [String: (kind: HDF5ElementKind, rowShape: [Int], rows: [Int])] = [:]
        for rank in 0..<count {
            let path = partPath(rank: rank)
            guard HDF5File.fileExists(path) else { throw StorageError.partMissing(master: master, part: path) }
            let part = try HDF5File.open(path: path)
            try ArtifactHeader.check(part, stage: header.stage, version: header.version)
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
            }
            try extra(file)
        }
    }
}
