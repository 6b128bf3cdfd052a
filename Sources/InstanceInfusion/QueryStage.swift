import Core
import Foundation
import LinearAlgebra
import Retrieval
import Stages
import Storage

/// Settings of the `query` stage.
public struct QueryConfig: Sendable, Equatable {
    /// The master written by `tributary index`.
    public var index: String
    /// An `embed` output whose rows are the queries (D must match the index).
    public var queries: String
    /// The neighbours file to write (rank 0).
    public var output: String
    /// Neighbours per query (paper: 5).
    public var k: Int
    /// Never return query b's own row b: for queries drawn from the indexed set (paper Table 4, source = target).
    public var excludeSelf: Bool

    public init(index: String, queries: String, output: String, k: Int = 5, excludeSelf: Bool = false) {
        self.index = index
        self.queries = queries
        self.output = output
        self.k = k
        self.excludeSelf = excludeSelf
    }
}

/// Neighbour lists of B queries as two (B, k) tables (row b = query b, best first): ids are global rows of the
/// indexed embeddings file, −1 where a query has fewer than k eligible neighbours; scores are the metric's
/// similarity (larger is nearer), −∞ in padded slots.
public struct QueryResult: Sendable, Equatable {
    public let k: Int
    public let ids: [Int]
    public let scores: [Float]
    public var count: Int { k == 0 ? 0 : ids.count / k }

    public init(k: Int, ids: [Int], scores: [Float]) {
        precondition(ids.count == scores.count && (k == 0 || ids.count % k == 0), "QueryResult: bad table sizes")
        self.k = k
        self.ids = ids
        self.scores = scores
    }

    init(_ lists: [[Neighbor]], k: Int) {
        var ids = [Int](repeating: -1, count: lists.count * k)
        var scores = [Float](repeating: -.infinity, count: lists.count * k)
        for (b, list) in lists.enumerated() {
            for (j, hit) in list.prefix(k).enumerated() {
                ids[b * k + j] = hit.id
                scores[b * k + j] = hit.score
            }
        }
        self.init(k: k, ids: ids, scores: scores)
    }

    /// The ids of query b's neighbours (without padding).
    public func neighbours(of b: Int) -> [Int] { ids[b * k ..< (b + 1) * k].filter { $0 >= 0 } }
}

/// The `query` stage: loads this rank's shard of an index (on any rank count: `IndexFiles.loadShard` re-shards
/// an index built on another), and answers every row
/// of a query embeddings file with `ShardedForest.search` (prefix counts all-reduced, per-rank top-k all-gathered
/// and merged), so the result equals one forest over the whole indexed set. Rank 0 writes the neighbours file:
///
/// | dataset | shape | type | content |
/// | --- | --- | --- | --- |
/// | `neighbours` | (B, k) | Int64 | global row ids in the indexed embeddings, −1 padded |
/// | `scores` | (B, k) | Float32 | similarities, −∞ padded |
/// | `neighbour_ids` | (B·k) | strings | the indexed set's string ids (`source_ids`), "" padded (when the index has them) |
/// | `query_ids` | (B) | strings | the query file's ids (when it has them) |
///
/// Header: stage `query`, version 1, `index`, `queries`, `k`, `exclude_self`, `ranks`.
public struct QueryStage: Sendable {
    public static let stage = "query"
    public static let version = 1
    public let config: QueryConfig

    public init(config: QueryConfig) { self.config = config }

    /// Runs the stage on every rank; returns the neighbours on every rank.
    @discardableResult
    public func run(communicator comm: any Communicator, log: (String) -> Void = { _ in }) throws -> QueryResult {
        guard config.k >= 1 else {
            throw IndexError.invalidParameter(name: "k", value: "\(config.k)", rule: "must be ≥ 1")
        }
        let header = try IndexFiles.readHeader(config.index)
        let count = try IndexFiles.int(header, "count", config.index)
        let dimension = try IndexFiles.int(header, "dimension", config.index)
        let forest = try IndexFiles.loadShard(master: config.index, communicator: comm)  // any rank count
        let (queries, queryIDs) = try IndexFiles.readEmbeddings(config.queries)
        guard queries.columns == dimension else {
            throw IndexError.dimensionMismatch(file: config.queries, got: queries.columns, index: config.index,
                                               expected: dimension)
        }
        let sourceIDs = try Self.sourceIDs(config.index)
        var excluding: [Int]?
        if config.excludeSelf {
            guard queries.rows == count else {
                throw IndexError.notTheIndexedSet(queries: config.queries, index: config.index,
                                                  reason: "\(queries.rows) queries vs \(count) indexed rows")
            }
            if !queryIDs.isEmpty, !sourceIDs.isEmpty, queryIDs != sourceIDs {
                throw IndexError.notTheIndexedSet(queries: config.queries, index: config.index,
                                                  reason: "the ids differ from the indexed ids")
            }
            excluding = Array(0 ..< queries.rows)
        }
        let lists = try forest.search(queries: queries, k: config.k, excluding: excluding, communicator: comm)
        let result = QueryResult(lists, k: config.k)
        if comm.isRoot {
            try ShardedOutput.makeDirectory(containing: config.output)
            let header = ArtifactHeader(stage: Self.stage, version: Self.version, parameters: [
                "index": .string(config.index), "queries": .string(config.queries), "k": .int(config.k),
                "exclude_self": .int(config.excludeSelf ? 1 : 0), "ranks": .int(comm.size),
            ])
            try ArtifactFile.create(config.output, header: header) { file in
                try file.write(result.ids.map(Int64.init), shape: [result.count, config.k], to: "neighbours")
                try file.write(result.scores, shape: [result.count, config.k], to: "scores")
                if !sourceIDs.isEmpty {
                    try file.writeStrings(result.ids.map { $0 >= 0 ? sourceIDs[$0] : "" }, to: "neighbour_ids")
                }
                if !queryIDs.isEmpty { try file.writeStrings(queryIDs, to: "query_ids") }
            }
        }
        log("query: \(queries.rows) queries, k = \(config.k)\(config.excludeSelf ? ", self excluded" : "") over "
            + "\(count) indexed rows on \(comm.size) rank(s) → \(config.output)")
        return result
    }

    /// Reads a `query` output back.
    public static func read(_ path: String) throws -> QueryResult {
        guard FileManager.default.fileExists(atPath: path) else {
            throw PipelineError.missingInput(path: path, producer: "`tributary query`")
        }
        let file = try HDF5File.open(path: path)
        defer { try? file.close() }
        try ArtifactHeader.check(file, stage: stage, version: version)
        let (ids, shape) = try file.read("neighbours", as: Int64.self)
        let scores = try file.read("scores", as: Float.self, shape: [shape[0], shape[1]])
        return QueryResult(k: shape[1], ids: ids.map { Int($0) }, scores: scores)
    }

    static func sourceIDs(_ master: String) throws -> [String] {
        let file = try HDF5File.open(path: master)
        defer { try? file.close() }
        return file.isDataset("source_ids") ? try file.readStrings("source_ids") : []
    }

    /// The reference answer: one in-memory `LSHForest` over all rows of `config.embeddings` (no files, no
    /// ranks), queried with `queries`' rows. `index` + `query` on any rank count must equal it exactly.
    public static func reference(index config: IndexConfig, queries: String, k: Int,
                                 excludeSelf: Bool = false) throws -> QueryResult {
        let base = try IndexFiles.readEmbeddings(config.embeddings).vectors
        let q = try IndexFiles.readEmbeddings(queries).vectors
        let forest = try LSHForest(base, parameters: try config.parameters())
        let lists = try forest.search(queries: q, k: k, excluding: excludeSelf ? Array(0 ..< q.rows) : nil)
        return QueryResult(lists, k: k)
    }
}
