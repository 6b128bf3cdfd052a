import Foundation
import LinearAlgebra
import Retrieval
import Stages
import Storage

/// The files of the `index` stage, and the `embed` file it reads.
///
/// **Input** (written by `tributary embed`): root header stage `embed`, version 1; datasets `embeddings` (N, D)
/// Float32, `labels` (N) Int32, `ids` (N) strings. Only `embeddings` is required here; `ids` is copied into the
/// master as `source_ids` when present.
///
/// **Output**, for master `out/index.h5` built on R ranks (`PartFiles` layout):
///
/// | file | content |
/// | --- | --- |
/// | `out/index.h5` | header (below); virtual datasets `ids` (N) Int64 and `vectors` (N, D) Float32 over all parts (row i of `vectors` is embeddings row `ids[i]`: each part's forest stores its rows in its own order, within the part's id range; `readVectors` reads rows by id); `source_ids` (N) strings |
/// | `out/index.h5.parts/[g<key>/]part-0000r.h5` | rank r's forest: the header plus `shard_start`, `shard_end`, `part_digest`; datasets below (the master's `PartManifest` names the generation) |
///
/// Part datasets (`LSHForest.Parts`, n = shard rows):
///
/// | dataset | shape | HDF5 type | content |
/// | --- | --- | --- | --- |
/// | `normals` | (L·K, D) | Float32 | hyperplane normals (identical on every rank) |
/// | `labels` | (L, n) | Int64 | each tree's sorted UInt64 labels, **stored as their Int64 bit patterns** (HDF5Element has no UInt64) |
/// | `rows` | (L, n) | Int32 | the local row of each label (UInt32 < 2³¹ since n < 2³¹; stored as Int32) |
/// | `ids` | (n) | Int64 | global ids = rows of the embeddings file: a permutation of shard_start ..< shard_end |
/// | `vectors` | (n, D) | Float32 | the shard's vectors, for exact re-ranking |
///
/// Header attributes (master and parts): `trees`, `max_depth`, `candidates_per_tree`, `metric` ("cosine", "ip",
/// "l2"), `seed` (the UInt64 seed's Int64 bit pattern), `ranks` R, `count` N, `dimension` D, `embeddings` (path).
public enum IndexFiles {
    public static let stage = "index"
    public static let version = 1
    /// The `embed` stage's header, as `TextEmbeddingStage` writes it.
    public static let embedStage = "embed"
    public static let embedVersion = 1

    /// Opens an `embed` output and checks its header.
    static func openEmbeddings(_ path: String) throws -> HDF5File {
        guard FileManager.default.fileExists(atPath: path) else {
            throw PipelineError.missingInput(path: path, producer: "`tributary embed`")
        }
        let file = try HDF5File.open(path: path)
        try ArtifactHeader.check(file, stage: embedStage, version: embedVersion)
        return file
    }

    /// Reads all of an `embed` output's vectors (N, D).
    static func readEmbeddings(_ path: String) throws -> (vectors: Matrix<Float>, ids: [String]) {
        let file = try openEmbeddings(path)
        defer { try? file.close() }
        let (values, shape) = try file.read("embeddings", as: Float.self)
        guard shape.count == 2 else {
            throw StorageError.shapeMismatch(file: path, dataset: "embeddings", expected: [nil, nil], got: shape)
        }
        let ids = file.isDataset("ids") ? try file.readStrings("ids") : []
        return (Matrix(rows: shape[0], columns: shape[1], values: values), ids)
    }

    static func header(config: IndexConfig, parameters p: LSHForest.Parameters, ranks: Int, count: Int,
                       dimension: Int) -> ArtifactHeader {
        ArtifactHeader(stage: stage, version: version, parameters: [
            "trees": .int(p.trees), "max_depth": .int(p.maxDepth), "candidates_per_tree": .int(p.candidatesPerTree),
            "metric": .string(config.metric), "seed": .int(Int(truncatingIfNeeded: p.seed)), "ranks": .int(ranks),
            "count": .int(count), "dimension": .int(dimension), "embeddings": .string(config.embeddings),
        ])
    }

    static func writePart(_ parts: LSHForest.Parts, range: Range<Int>, header: ArtifactHeader, to file: HDF5File) throws {
        var partHeader = header
        partHeader.parameters["shard_start"] = .int(range.lowerBound)
        partHeader.parameters["shard_end"] = .int(range.upperBound)
        try partHeader.write(to: file)
        let (l, n, d) = (parts.parameters.trees, parts.ids.count, parts.vectors.columns)
        try file.write(parts.normals.values, shape: [parts.normals.rows, d], to: "normals")
        try file.write(parts.labels.map { Int64(bitPattern: $0) }, shape: [l, n], to: "labels")
        try file.write(parts.rows.map { Int32(bitPattern: $0) }, shape: [l, n], to: "rows")
        try file.write(parts.ids.map(Int64.init), shape: [n], to: "ids")
        try file.write(parts.vectors.values, shape: [n, d], to: "vectors")
    }

    /// The master's header, checked.
    public static func readHeader(_ master: String) throws -> ArtifactHeader {
        guard FileManager.default.fileExists(atPath: master) else {
            throw PipelineError.missingInput(path: master, producer: "`tributary index`")
        }
        let file = try HDF5File.open(path: master)
        defer { try? file.close() }
        return try ArtifactHeader.check(file, stage: stage, version: version)
    }

    /// Rank `rank`'s forest of the index at `master` (header `masterHeader`), with its global id range.
    static func loadPart(master: String, masterHeader: ArtifactHeader, rank: Int, ranks: Int) throws -> ShardedForest {
        let path = try verifiedPartPath(master: master, rank: rank, ranks: ranks)
        let file = try HDF5File.open(path: path)
        defer { try? file.close() }
        let header = try ArtifactHeader.check(file, stage: stage, version: version)
        for (name, value) in masterHeader.parameters where header.parameters[name] != value {
            throw IndexError.inconsistentPart(part: path, reason: "\(name) is \(header.parameters[name].map { "\($0)" } ?? "absent") "
                + "in the part but \(value) in the master")
        }
        guard case let .int(start)? = header.parameters["shard_start"], case let .int(end)? = header.parameters["shard_end"],
              start >= 0, end >= start else {
            throw IndexError.inconsistentPart(part: path, reason: "shard_start/shard_end are missing or invalid")
        }
        let p = try config(from: header).parameters()
        let d = try int(header, "dimension", path), (l, n) = (p.trees, end - start)
        let normals = try file.read("normals", as: Float.self, shape: [l * p.maxDepth, d])
        let labels = try file.read("labels", as: Int64.self, shape: [l, n]).map { UInt64(bitPattern: $0) }
        let rows = try file.read("rows", as: Int32.self, shape: [l, n]).map { UInt32(bitPattern: $0) }
        let ids = try file.read("ids", as: Int64.self, shape: [n]).map { Int($0) }
        let vectors = try file.read("vectors", as: Float.self, shape: [n, d])
        guard ids.sorted() == Array(start ..< end) else {
            throw IndexError.inconsistentPart(part: path, reason: "ids are not a permutation of shard_start ..< shard_end")
        }
        let forest = try LSHForest(parts: .init(parameters: p, normals: Matrix(rows: l * p.maxDepth, columns: d, values: normals),
                                                labels: labels, rows: rows, ids: ids,
                                                vectors: Matrix(rows: n, columns: d, values: vectors)))
        return ShardedForest(forest: forest, globalIDs: start ..< end)
    }

    /// Where rank `rank`'s part of the index at `master` is, from the master's part manifest, after checking it is
    /// there and holds what the master recorded (`PartManifest.verifyPart`): the part's generation folder is
    /// whatever the master names, never guessed from the rank.
    static func verifiedPartPath(master: String, rank: Int, ranks: Int) throws -> String {
        let file = try HDF5File.open(path: master)
        defer { try? file.close() }
        guard file.hasAttribute("part_files", on: "ids") else {
            throw IndexError.inconsistentPart(part: master, reason: "it holds no part files (a packed index keeps the "
                + "vectors but not the forests); query the index written by `tributary index`, with its .parts/ folder")
        }
        let manifest = try PartManifest.read(from: file, dataset: "ids")
        guard manifest.files.count == ranks, (0 ..< ranks).contains(rank) else {
            throw IndexError.inconsistentPart(part: master, reason: "its manifest lists \(manifest.files.count) parts, "
                + "the header says \(ranks) ranks")
        }
        try manifest.verifyPart(rank, masterPath: master)
        return manifest.partPath(rank, masterPath: master)
    }

    /// The forest settings recorded in a header.
    static func config(from header: ArtifactHeader) throws -> IndexConfig {
        let file = "the index header"
        guard case let .string(metric)? = header.parameters["metric"] else {
            throw IndexError.inconsistentPart(part: file, reason: "metric is missing")
        }
        var embeddings = ""
        if case let .string(path)? = header.parameters["embeddings"] { embeddings = path }
        return IndexConfig(embeddings: embeddings, output: "", trees: try int(header, "trees", file),
                           maxDepth: try int(header, "max_depth", file),
                           candidatesPerTree: try int(header, "candidates_per_tree", file), metric: metric,
                           seed: UInt64(truncatingIfNeeded: try int(header, "seed", file)))
    }

    static func int(_ header: ArtifactHeader, _ name: String, _ file: String) throws -> Int {
        guard case let .int(value)? = header.parameters[name] else {
            throw IndexError.inconsistentPart(part: file, reason: "integer attribute \(name) is missing")
        }
        return value
    }
}
