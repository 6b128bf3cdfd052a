import ArgumentParser
import Distributed
import InstanceInfusion
import LinearAlgebra
import Retrieval

/// `tributary index`: an LSH Forest per rank over its shard of an `embed` output → OUT (master) + OUT.parts/.
struct IndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "LSH Forest per rank over its shard of an embeddings file (from `tributary embed`) → INDEX.h5 + parts.",
        discussion: """
            Each rank indexes rows shard(N, rank, size) with the same hyperplanes (same --seed); rank 0 writes the
            master. Query the index with `tributary query` under the same number of ranks.
            """)

    @Option(help: "The embeddings file written by `tributary embed` (dataset `embeddings`, N×D float32).")
    var embeddings: String

    @Option(help: "The index master to write; rank r's forest goes to <out>.parts/part-0000r.h5.")
    var out: String

    @Option(help: "Trees L of the forest (default: 64; 128 for --metric ip).")
    var trees: Int?

    @Option(help: "Maximum label length K (k_m) in bits, 1…64.")
    var maxDepth = 20

    @Option(help: "Candidates per tree c, the forest re-ranks up to c·L points per query (default: 32; 16 for --metric ip).")
    var candidatesPerTree: Int?

    @Option(help: "Similarity: cosine, ip (inner product) or l2.")
    var metric = "cosine"

    @Option(help: "Seed of the random hyperplanes.")
    var seed: UInt64 = 0

    func validate() throws {
        if let trees, trees < 1 { throw ValidationError("--trees must be at least 1, got \(trees)") }
        guard (1 ... 64).contains(maxDepth) else { throw ValidationError("--max-depth must be in 1…64, got \(maxDepth)") }
        if let candidatesPerTree, candidatesPerTree < 1 {
            throw ValidationError("--candidates-per-tree must be at least 1, got \(candidatesPerTree)")
        }
        guard IndexConfig.metrics[metric] != nil else {
            throw ValidationError("--metric must be cosine, ip or l2, got \(metric)")
        }
    }

    func run() throws {
        let defaults = LSHForest.Parameters.defaults(for: IndexConfig.metrics[metric]!)
        let config = IndexConfig(embeddings: embeddings, output: out, trees: trees ?? defaults.trees, maxDepth: maxDepth,
                                 candidatesPerTree: candidatesPerTree ?? defaults.candidatesPerTree, metric: metric,
                                 seed: seed)
        World.run { comm in
            try IndexStage(config: config).run(communicator: comm) { comm.log0($0) }
        }
    }
}

/// `tributary query`: the k nearest indexed embeddings of every row of a query embeddings file → OUT.
struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "k nearest indexed embeddings of every query row, over all ranks' forests → OUT (neighbours, scores).",
        discussion: """
            Run under as many ranks as the index was built with. The answer equals one forest over all indexed rows.
            --exclude-self is for queries that are the indexed set itself (source = target): row b never returns b.
            """)

    @Option(help: "The index master written by `tributary index`.")
    var index: String

    @Option(help: "An embeddings file whose rows are the queries.")
    var queries: String

    @Option(help: "The neighbours file to write (rank 0).")
    var out: String

    @Option(name: .customShort("k"), help: "Neighbours per query.")
    var neighbours = 5

    @Flag(help: "Never return query b's own row b (the queries are the indexed embeddings).")
    var excludeSelf = false

    func validate() throws {
        guard neighbours >= 1 else { throw ValidationError("-k must be at least 1, got \(neighbours)") }
    }

    func run() throws {
        let config = QueryConfig(index: index, queries: queries, output: out, k: neighbours, excludeSelf: excludeSelf)
        World.run { comm in
            _ = try QueryStage(config: config).run(communicator: comm) { comm.log0($0) }
        }
    }
}
