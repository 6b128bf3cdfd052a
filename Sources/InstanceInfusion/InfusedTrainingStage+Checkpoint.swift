import Core
import Retrieval
import Training

/// What `train-infused` keeps outside θ and Adam, and how its checkpoint carries it (`CheckpointExtras`), so
/// that a run killed at any step and rerun with `--resume` ends with the same bits as an uninterrupted run:
///
/// | extra | Float64 shape | content |
/// | --- | --- | --- |
/// | `neighbours_<j>` | (n · k · 2) | source j's k neighbours of each of the n training documents, as (id, score) pairs: the ids the current epoch's steps gather (retrieved at the last refresh, from the θ of that moment, which a later checkpoint no longer holds) |
/// | `penalty` | (2R) | every rank's (Σ λ‖z_s − z_t‖², documents) of the epoch so far: kept per rank, so the epoch's all-reduced mean adds the same per-rank sums in the same order as an uninterrupted run |
///
/// The per-rank `penalty` ties a checkpoint to its rank count R, as the per-rank LSH Forest parts already do.
final class NeighbourTable {
    /// lists[j][i]: the k neighbours in source j of training document i (position in the training list).
    var lists: [[[Neighbor]]]
    /// rows[j]: the rows of source j that this rank's samples of the current epoch retrieve (`prefetch`).
    var rows: [RowTable] = []
    init(_ lists: [[[Neighbor]]]) { self.lists = lists }

    /// lists[j] flattened to (id, score) pairs, k per document.
    func flattened(source j: Int, k: Int) -> [Double] {
        lists[j].flatMap { list in list.prefix(k).flatMap { [Double($0.id), Double($0.score)] } }
    }

    /// Restores lists from `flattened`'s layout: `sources` sources of `documents` documents, k each.
    func restore(_ values: [String: [Double]], sources: Int, documents: Int, k: Int, path: String) throws {
        lists = try (0 ..< sources).map { j in
            let pairs = try CheckpointExtras.require(values, "neighbours_\(j)", count: documents * k * 2, path: path)
            return (0 ..< documents).map { i in
                (0 ..< k).map { n in Neighbor(id: Int(pairs[(i * k + n) * 2]), score: Float(pairs[(i * k + n) * 2 + 1])) }
            }
        }
    }
}

/// Sums λ‖z_s − z_t‖² over this rank's training documents during an epoch; `epochMean` all-reduces the sum and the
/// document count (collective: every rank calls it at the end of every epoch) and starts the next epoch at 0.
final class PenaltyMeter {
    private var sum = 0.0, documents = 0

    func add(_ penalty: Float, documents n: Int) {
        sum += Double(penalty)
        documents += n
    }

    func epochMean(communicator comm: any Communicator) throws -> Double {
        var totals = [sum, Double(documents)]
        try comm.allReduce(&totals, op: .sum)
        sum = 0
        documents = 0
        return totals[0] / max(1, totals[1])
    }

    /// Every rank's [sum, documents], in rank order (collective).
    func gathered(communicator comm: any Communicator) throws -> [Double] {
        try comm.allGather([sum, Double(documents)]).flatMap { $0 }
    }

    /// This rank's pair of `gathered`'s 2R values.
    func restore(_ values: [String: [Double]], communicator comm: any Communicator, path: String) throws {
        let all = try CheckpointExtras.require(values, "penalty", count: 2 * comm.size, path: path)
        (sum, documents) = (all[2 * comm.rank], Int(all[2 * comm.rank + 1]))
    }
}

extension InfusedTrainingStage {
    /// The checkpoint extras of a run (see the table above).
    static func checkpointExtras(neighbours: NeighbourTable, penalty: PenaltyMeter, sources: Int, documents: Int,
                                 k: Int, communicator comm: any Communicator, path: String) -> CheckpointExtras {
        CheckpointExtras(
            save: {
                var values = ["penalty": try penalty.gathered(communicator: comm)]
                for j in 0 ..< sources { values["neighbours_\(j)"] = neighbours.flattened(source: j, k: k) }
                return values
            },
            restore: { values in
                try neighbours.restore(values, sources: sources, documents: documents, k: k, path: path)
                try penalty.restore(values, communicator: comm, path: path)
            })
    }
}
