import Core
import LinearAlgebra

/// An LSH Forest over a base set sharded across ranks: each rank indexes its contiguous shard (global ids =
/// shard start + local row) with the same hyperplanes (same seed), and every rank answers the same query batch.
///
/// Protocol of `search` (every rank calls it with the same queries, k and exclusions; collectives in this order):
///
///  1. hash the queries (B, D) → labels (B, L), identically on every rank;
///  2. C^r_t(x) ← this shard's prefix counts (B, L, K + 1); **all-reduce (sum)** → C_t(x) of the union;
///  3. run the descent schedule on C_t(x): every rank stops at the depth the union forest would, and collects
///     { p in its shard : s_t(p, q) ≥ x }, re-ranks exactly and keeps its k best;
///  4. pack the k best as ids (B·k, −1 padded) and scores (B·k, −∞ padded); **all-gather** both;
///  5. `TopK.merge` the per-rank lists of each query.
///
/// Because the candidate set of the union at depth x is the disjoint union of the shards' sets at x, and scores
/// and the result order are per-pair and total, the result is **identical** to one `LSHForest` over the union
/// with the same parameters (tested for 2 and 3 simulated ranks). Queries go in chunks of `chunkSize` so the
/// count buffer stays ≤ chunkSize·L·(K+1) Int32s (defaults L = 64, K = 20: 5.25 MiB).
///
/// ```swift
/// let range = shard(count: n, rank: comm.rank, size: comm.size)
/// let index = try ShardedForest(shard: base.rows(range), firstID: range.lowerBound, parameters: p)
/// let hits = try index.search(queries: q, k: 5, excluding: selfIDs, communicator: comm)
/// ```
public struct ShardedForest: Sendable {
    /// This rank's forest; its ids are global.
    public let forest: LSHForest
    /// The global ids this rank holds: firstID ..< firstID + n.
    public let globalIDs: Range<Int>
    /// localRows[id − firstID] = the forest's stored row of global id `id` (the forest stores its rows in
    /// tree 0's label order); nil when that is the identity.
    let localRows: [Int]?

    /// Queries per round of collectives.
    public static let chunkSize = 1024

    /// Indexes `shard` (n, D), whose row i has global id firstID + i.
    public init(shard: Matrix<Float>, firstID: Int, parameters: LSHForest.Parameters) throws {
        guard firstID >= 0 else {
            throw RetrievalError.invalidParameter(name: "firstID", value: "\(firstID)", rule: "must be ≥ 0")
        }
        self.forest = try LSHForest(shard, ids: Array(firstID ..< firstID + shard.rows), parameters: parameters)
        self.globalIDs = firstID ..< firstID + shard.rows
        self.localRows = Self.localRows(forest.ids, globalIDs)
    }

    /// Wraps an existing forest (e.g. loaded with `LSHForest(parts:)`) whose ids are this rank's global ids.
    public init(forest: LSHForest, globalIDs: Range<Int>) {
        self.forest = forest
        self.globalIDs = globalIDs
        self.localRows = Self.localRows(forest.ids, globalIDs)
    }

    /// The inverse of the forest's storage order (tree 0's label order, `LSHForest.add`), nil when it is the identity.
    static func localRows(_ ids: [Int], _ globalIDs: Range<Int>) -> [Int]? {
        if ids.elementsEqual(globalIDs) { return nil }
        var rows = [Int](repeating: 0, count: globalIDs.count)
        for (row, id) in ids.enumerated() where globalIDs.contains(id) { rows[id - globalIDs.lowerBound] = row }
        return rows
    }

    /// The k nearest points of the whole (sharded) base for each query (B, D), on every rank; see the type's
    /// protocol. `excluding[b]` is a global id never returned for query b (−1 for none): the query's own id
    /// when the queries are drawn from the indexed set.
    public func search(queries: Matrix<Float>, k: Int, excluding: [Int]? = nil,
                       communicator: any Communicator) throws -> [[Neighbor]] {
        try forest.validate(queries: queries, k: k, excluding: excluding)
        guard k > 0 else { return Array(repeating: [], count: queries.rows) }
        var results: [[Neighbor]] = []
        results.reserveCapacity(queries.rows)
        for start in stride(from: 0, to: queries.rows, by: Self.chunkSize) {
            let range = start ..< Swift.min(queries.rows, start + Self.chunkSize)
            let chunk = queries.rows(range)
            let skip = excluding.map { Array($0[range]) }
            let labels = try forest.hashing.labels(chunk)
            // Distributed: the schedule needs the union's counts, which are sums over shards.
            var counts = try forest.prefixCounts(labels: labels, queries: chunk.rows)
            try communicator.allReduce(&counts.values, op: .sum)
            let local = try forest.run(queries: chunk, labels: labels, k: k, excluding: skip, global: counts.values)
            results += try TopK.gatherMerge(local, k: k, communicator: communicator)
        }
        return results
    }
}
