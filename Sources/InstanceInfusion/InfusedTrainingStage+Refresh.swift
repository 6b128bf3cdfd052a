import Retrieval

/// Per-step retrieval refresh of `train-infused` (`refresh_unit steps`, `refresh_every` = N).
///
/// Before step t (0-based, counted over the whole run) with global batch β_t and this rank's slice β_t^r:
///
///     if t ≡ 0 (mod N):  c = f_θ(x_i) for i ∈ β_t, θ = the parameters after step t − 1 (the initial ones at t = 0)
///                        lists[j][i] ← the k nearest rows of source j to c_i (forest or exact search, as at an
///                        epoch refresh; a document's own row skipped under `exclude_self`)
///     always:            rows[j] ← Z^j[lists[j][i]] for i ∈ β_t^r  (fetched from the ranks that hold them)
///
/// so step t's attention and penalty gather neighbours chosen by the encoder it starts from, never one an epoch
/// old. Between refreshes (N > 1) a document keeps the ids of its last refresh (the initial retrieval, or an
/// earlier step whose batch held it). Cost per refreshed step: one extra forward pass of the encoder over the
/// batch (sharded over the ranks), one all-gather of its B × M context vectors and one search of B queries.
///
/// Distributed: collective: every rank calls it before every step (`DataParallelTrainer`'s `prepareStep`),
/// an empty slice included, so the encode, the search and the fetch line up on every rank.
extension InfusedTrainingStage.SourceRetrieval {
    /// The refresh of step `step` (see above): `batch` and `local` are positions in `train`, the training
    /// documents' indices into the corpus; `table` holds lists[j][position] and this step's rows.
    func refresh(step: Int, every n: Int, batch: [Int], local: [Int], of train: [Int], into table: NeighbourTable,
                 parameters: [Float]) throws {
        if step % n == 0 {
            let fresh = try neighbours(of: batch.map { train[$0] }, parameters: parameters)
            for j in fresh.indices {
                for (b, position) in batch.enumerated() { table.lists[j][position] = fresh[j][b] }
            }
        }
        table.rows = try rows(table.lists, of: local)
    }
}
