import Core
import LinearAlgebra

/// Brute-force k-nearest-neighbour search over a base set sharded across ranks: the exact twin of
/// `ShardedForest.search`, over the very rows that rank's forest stores (same global ids, same metric).
///
/// Model, for queries Q (B, D) identical on every rank and this rank's shard X_r (n_r, D) with global ids G_r:
///
///     local_r(b)  = the k best x ∈ X_r under `Neighbor.precedes` of score(q_b, x)   (`ExactSearch`, one GEMM per block)
///     result(b)   = TopK.merge(local_0(b), …, local_{R−1}(b))                      (all-gather in rank order)
///
/// with score the forest's metric (cosine: q·x / (‖q‖‖x‖)) and `excluding[b]` never returned for query b. Shards
/// are disjoint and `Neighbor.precedes` is a total order, so result(b) is the k best of the union, whatever R:
/// identical on every rank and for every rank count (the merge argument of `TopK`).
///
/// Memory: a copy of this rank's shard, 4·n_r·D bytes (checked with `MemoryBudget`), plus `ExactSearch`'s fixed
/// scores block; traffic per search 2·R·B·k numbers, as the forest's.
///
/// ```swift
/// let exact = try ShardedExactSearch(forest)             // forest: this rank's ShardedForest
/// let hits = try exact.search(queries: q, k: 5, excluding: selfIDs, communicator: comm)
/// ```
public struct ShardedExactSearch: Sendable {
    /// This rank's shard, indexed exactly.
    public let index: ExactSearch

    /// The exact index over the rows (and global ids) `forest` holds on this rank, under its metric.
    public init(_ forest: ShardedForest) throws {
        let f = forest.forest
        try MemoryBudget.current.reserve(bytes: 4 * f.count * f.dimension, for: "the index shard of ids \(forest.globalIDs)",
                                         purpose: "a copy of this rank's \(f.count) source vectors for exact search",
                                         fix: "raise the memory budget, use more ranks, or use LSH retrieval")
        self.index = try ExactSearch(Matrix(rows: f.count, columns: f.dimension, values: f.vectors), ids: f.ids,
                                     metric: f.parameters.metric)
    }

    /// The exact k nearest points of the whole (sharded) base for each query (B, D), on every rank (collective:
    /// one all-gather of ids and one of scores per call).
    public func search(queries: Matrix<Float>, k: Int, excluding: [Int]? = nil,
                       communicator: any Communicator) throws -> [[Neighbor]] {
        let local = try index.search(queries: queries, k: k, excluding: excluding)
        guard k > 0 else { return local }
        return try TopK.gatherMerge(local, k: k, communicator: communicator)
    }
}

extension TopK {
    /// Every rank's top-k lists of the same B queries merged into the global top k of each (collective: ids and
    /// scores all-gathered in rank order, then `merge`d per query).
    static func gatherMerge(_ local: [[Neighbor]], k: Int, communicator: any Communicator) throws -> [[Neighbor]] {
        let packed = pack(local, k: k)
        // Distributed: every rank receives every rank's top-k lists, in rank order.
        let allIDs = try communicator.allGather(packed.ids)
        let allScores = try communicator.allGather(packed.scores)
        return (0 ..< local.count).map { b in
            merge((0 ..< allIDs.count).map { r in unpack(ids: allIDs[r], scores: allScores[r], query: b, k: k) }, k: k)
        }
    }
}
