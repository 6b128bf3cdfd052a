import Stages
import ArgumentParser
import Distributed
import InstanceInfusion
import LinearAlgebra
import Retrieval

/// `tributary index`: an LSH Forest per rank over its shard of an `embed` output → OUT (master) + OUT.parts/.
struct IndexCommand: ParsableCommand, SpecCommand {
    static let spec = StageSpec.index
    static let plumbing = ["embeddings", "out"]
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "LSH Forest per rank over its shard of an embeddings file (from `tributary embed`) → INDEX.h5 + parts.",
        discussion: """
            Each rank indexes rows shard(N, rank, size) with the same hyperplanes (same --seed); rank 0 writes the
            master. `tributary query` and `train-infused` load it on any number of ranks (re-sharded when it differs:
            the same neighbours). The same parameters as an
            `index` stage of a pipeline config (data/pipelines/README.md).
            """)

    @Option(help: "The embeddings file written by `tributary embed` (dataset `embeddings`, N×D float32).")
    var embeddings: String

    @Option(help: "The index master to write; rank r's forest goes to <out>.parts/part-0000r.h5.")
    var out: String

    @Option(help: ArgumentHelp(spec.help("trees"))) var trees: Int?
    @Option(help: ArgumentHelp(spec.help("max_depth"))) var maxDepth = spec.default("max_depth", as: Int.self)
    @Option(help: ArgumentHelp(spec.help("candidates_per_tree"))) var candidatesPerTree: Int?
    @Option(help: ArgumentHelp(spec.help("metric"))) var metric = spec.default("metric", as: IndexMetric.self)
    @Option(help: ArgumentHelp(spec.help("seed"))) var seed = spec.default("seed", as: Int.self)

    @OptionGroup var job: JobOptions

    func run() throws {
        let config = IndexConfig(try parameters(), embeddings: embeddings, output: out)
        job.run { comm in
            try IndexStage(config: config).run(communicator: comm) { comm.log0($0) }
        }
    }
}

/// `tributary query`: the k nearest indexed embeddings of every row of a query embeddings file → OUT.
struct QueryCommand: ParsableCommand, SpecCommand {
    static let spec = StageSpec.query
    static let plumbing = ["index", "queries", "out"]
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "k nearest indexed embeddings of every query row, over all ranks' forests → OUT (neighbours, scores).",
        discussion: """
            Run under as many ranks as the index was built with. The answer equals one forest over all indexed rows.
            --exclude-self is for queries that are the indexed set itself (source = target): row b never returns b.
            The same parameters as a `query` stage of a pipeline config (data/pipelines/README.md).
            """)

    @Option(help: "The index master written by `tributary index`.")
    var index: String

    @Option(help: "An embeddings file whose rows are the queries.")
    var queries: String

    @Option(help: "The neighbours file to write (rank 0).")
    var out: String

    @Option(name: [.long, .customShort("k")], help: ArgumentHelp(spec.help("neighbours")))
    var neighbours = spec.default("neighbours", as: Int.self)

    @Flag(help: ArgumentHelp(spec.help("exclude_self"))) var excludeSelf = spec.default("exclude_self", as: Bool.self)

    @OptionGroup var job: JobOptions

    func run() throws {
        let config = QueryConfig(try parameters(), index: index, queries: queries, output: out)
        job.run { comm in
            _ = try QueryStage(config: config).run(communicator: comm) { comm.log0($0) }
        }
    }
}

extension IndexMetric: ExpressibleByArgument {}
