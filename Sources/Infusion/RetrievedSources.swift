import LinearAlgebra
import Retrieval

/// Gathers the source vectors of retrieved neighbours into the `(B·k, M)` buffer the attention reads
/// (paper § 3, "Instance Retrieval": c_t queries the source index, the k nearest z^s_1 … z^s_k are returned).
///
/// Neighbour ids are rows of the source embeddings (the ids `tributary index` assigns: row order of the embed
/// file, across all ranks' shards). For per-source retrieval, call it once per source with that source's
/// neighbours and embeddings, and pass the S matrices to `InfusedClassifier` in a fixed source order.
///
/// A query with fewer than k neighbours is an error (`InfusionError.tooFewNeighbours`), not padded: repeating or
/// zero-filling would change the attention's output silently.
public enum RetrievedSources {
    /// Z (B·k, M): row b·k + i is `embeddings` row `neighbours[b][i].id`.
    public static func gather<S: BLASScalar>(
        _ neighbours: [[Neighbor]], from embeddings: Matrix<S>, k: Int
    ) throws -> Matrix<S> {
        let m = embeddings.columns
        var z = Matrix<S>(rows: neighbours.count * k, columns: m)
        for (b, list) in neighbours.enumerated() {
            guard list.count >= k else { throw InfusionError.tooFewNeighbours(query: b, expected: k, got: list.count) }
            for i in 0 ..< k {
                let id = list[i].id
                guard id >= 0 && id < embeddings.rows else {
                    throw InfusionError.unknownSource(query: b, id: id, sourceRows: embeddings.rows)
                }
                let target = (b * k + i) * m
                for j in 0 ..< m { z.values[target + j] = embeddings.values[id * m + j] }
            }
        }
        return z
    }
}

extension RetrievedSources {
    /// Z (B·k, M) as `gather(_:from:k:)` builds it, from a `RowTable` of fetched source rows (the rows this rank
    /// asked their owners for: `ShardedForest.fetch`) instead of the whole source matrix; bit-identical to the
    /// gather from the replicated matrix. An id the table lacks is `InfusionError.unknownSource`.
    public static func gather(_ neighbours: [[Neighbor]], from table: RowTable, k: Int) throws -> Matrix<Float> {
        let m = table.rows.columns
        var z = Matrix<Float>(rows: neighbours.count * k, columns: m)
        for (b, list) in neighbours.enumerated() {
            guard list.count >= k else { throw InfusionError.tooFewNeighbours(query: b, expected: k, got: list.count) }
            for i in 0 ..< k {
                guard let row = table.index(of: list[i].id) else {
                    throw InfusionError.unknownSource(query: b, id: list[i].id, sourceRows: table.ids.count)
                }
                let target = (b * k + i) * m
                for j in 0 ..< m { z.values[target + j] = table.rows.values[row * m + j] }
            }
        }
        return z
    }
}
