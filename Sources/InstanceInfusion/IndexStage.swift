import Core
import Foundation
import LinearAlgebra
import Retrieval
import Stages
import Storage

/// Settings of the `index` stage (plain values, so callers need not import `Retrieval`).
public struct IndexConfig: Sendable, Equatable {
    /// The `embed` output to index: `embeddings` (N, D) Float, `ids` (N) strings, header stage `embed`.
    public var embeddings: String
    /// The index master to write (parts go to `<output>.parts/`).
    public var output: String
    /// L, K (k_m), c of the LSH Forest (defaults: `LSHForest.Parameters()`, L = 64, K = 20, c = 32).
    public var trees: Int
    public var maxDepth: Int
    public var candidatesPerTree: Int
    /// "cosine", "ip" (inner product) or "l2".
    public var metric: String
    public var seed: UInt64

    public init(embeddings: String, output: String, trees: Int = 64, maxDepth: Int = 20, candidatesPerTree: Int = 32,
                metric: String = "cosine", seed: UInt64 = 0) {
        self.embeddings = embeddings
        self.output = output
        self.trees = trees
        self.maxDepth = maxDepth
        self.candidatesPerTree = candidatesPerTree
        self.metric = metric
        self.seed = seed
    }

    /// The metric names the CLI accepts.
    public static let metrics = ["cosine": Metric.cosine, "ip": .innerProduct, "l2": .l2]

    /// The forest parameters.
    func parameters() throws -> LSHForest.Parameters {
        guard let m = Self.metrics[metric] else {
            throw IndexError.invalidParameter(name: "metric", value: metric, rule: "must be cosine, ip or l2")
        }
        return LSHForest.Parameters(trees: trees, maxDepth: maxDepth, candidatesPerTree: candidatesPerTree, metric: m,
                                    seed: seed)
    }
}

/// The `index` stage: an LSH Forest per rank over its shard of an embeddings file (paper § 3, "Instance
/// Retrieval"; DESIGN.md "Retrieval").
///
/// Every rank reads rows `shard(count: N, rank: r, size: R)` of `embeddings`, builds a forest over them with the
/// *same* hyperplanes (same seed), with global ids = row numbers in the embeddings file, and writes its forest as
/// a part (`IndexFiles`). Rank 0 then writes the master: the header, virtual datasets `ids` and `vectors` over all
/// parts (each part holds its id range, rows in its forest's order: `IndexFiles.readVectors` reads by id), and the
/// source's string ids. Any rank count may load the index (`IndexFiles.loadShard` re-shards it), and answers
/// exactly what one forest over all N rows would.
public struct IndexStage: Sendable {
    public let config: IndexConfig

    public init(config: IndexConfig) { self.config = config }

    public func run(communicator comm: any Communicator, log: (String) -> Void = { _ in }) throws {
        let parameters = try config.parameters()
        let source = try IndexFiles.openEmbeddings(config.embeddings)
        let shape = try source.shape(of: "embeddings")
        let (n, d) = (shape[0], shape.count > 1 ? shape[1] : 1)
        guard shape.count == 2, n >= comm.size else {
            throw IndexError.tooFewRows(file: config.embeddings, rows: n, ranks: comm.size)
        }
        let range = shard(count: n, rank: comm.rank, size: comm.size)
        let rows = try source.readRows("embeddings", rows: range, as: Float.self).values
        if let bad = rows.firstIndex(where: { !$0.isFinite }) {
            throw IndexError.inconsistentPart(part: config.embeddings, reason: "row \(range.lowerBound + bad / Swift.max(d, 1)) of "
                + "`embeddings` holds NaN or infinity (re-run `tributary embed`; the model may have diverged)")
        }
        let forest = try ShardedForest(shard: Matrix(rows: range.count, columns: d, values: rows),
                                       firstID: range.lowerBound, parameters: parameters)
        let header = IndexFiles.header(config: config, parameters: parameters, ranks: comm.size, count: n, dimension: d)
        // Distributed: every rank picks the same generation from the same live master (PartFiles.forWriting).
        let files = ShardedOutput.partFiles(master: config.output, count: comm.size, stage: IndexFiles.stage,
                                            version: IndexFiles.version, parameters: header.parameters)
        try ShardedOutput.makeDirectory(containing: config.output)
        try files.writePart(rank: comm.rank) { file in
            try IndexFiles.writePart(forest.forest.parts, range: range, header: header, to: file)
        }
        log("index: rank parts written (N = \(n), D = \(d), L = \(parameters.trees), K = \(parameters.maxDepth), "
            + "c = \(parameters.candidatesPerTree), \(config.metric), \(comm.size) rank(s))")
        try comm.barrier()  // Distributed: every part exists before rank 0 stitches them
        if comm.isRoot {
            let names = source.isDataset("ids") ? try source.readStrings("ids") : []
            try files.stitch(datasets: ["ids", "vectors"], header: header) { master in
                if !names.isEmpty { try master.writeStrings(names, to: "source_ids") }
            }
        }
        try source.close()
        try comm.barrier()  // Distributed: the master exists when any rank returns
        log("index: wrote \(config.output)")
    }
}

extension IndexStage {
    /// The rows of each part of the index at `master` (from the master's `part_rows` on `ids`).
    public static func partRows(_ master: String) throws -> [Int] {
        let file = try HDF5File.open(path: master)
        defer { try? file.close() }
        return try file.attribute("part_rows", of: "ids", as: [Int].self)
    }
}
