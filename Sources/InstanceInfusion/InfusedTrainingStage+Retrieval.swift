import Core
import Datasets
import Distributed
import Infusion
import LinearAlgebra
import NeuralNets
import Retrieval
import Stages
import Storage
import Training

// The sharded encoding, retrieval and evaluation of `train-infused` (see `InfusedTrainingStage`).

extension InfusedTrainingStage {
    /// Sharded encoding, retrieval and evaluation over the ranks (all collective: every rank calls them in order).
    struct SourceRetrieval {
        let model: TextClassifier
        let data: EncodedTexts
        let forests: [ShardedForest]
        /// Exact search over each forest's rows (`retrieval: exact`); nil: the forests answer (LSH).
        let exact: [ShardedExactSearch]?
        let k: Int
        let excludeSelf: Bool
        let communicator: any Communicator
        var batchSize = 64

        /// c_t (n, M) of the documents `indices`: rank r encodes shard(n, r, R) in length-sorted batches, then
        /// an all-gather in rank order restores the order of `indices`.
        func contexts(_ indices: [Int], parameters: [Float]) throws -> (all: Matrix<Float>, mine: Range<Int>) {
            let comm = communicator, m = model.configuration.contextSize
            let mine = shard(count: indices.count, rank: comm.rank, size: comm.size)
            var rows = [Float](repeating: 0, count: mine.count * m)
            let order = Array(mine).sorted { (data.sequences[indices[$0]].count, $0) < (data.sequences[indices[$1]].count, $1) }
            for start in stride(from: 0, to: order.count, by: batchSize) {
                let slice = Array(order[start ..< min(start + batchSize, order.count)])
                let c = model.encodeForTraining(data.batch(slice.map { indices[$0] }), parameters: parameters).0
                for (b, i) in slice.enumerated() {
                    for j in 0 ..< m { rows[(i - mine.lowerBound) * m + j] = c[b, j] }
                }
            }
            let all = try comm.allGather(rows).flatMap { $0 }  // Distributed: rank order = document order
            return (Matrix(rows: indices.count, columns: m, values: all), mine)
        }

        /// The k nearest source instances of each document at `indices`, per source.
        func neighbours(of indices: [Int], parameters: [Float]) throws -> [[[Neighbor]]] {
            try search(contexts(indices, parameters: parameters).all, indices)
        }

        func search(_ c: Matrix<Float>, _ indices: [Int]) throws -> [[[Neighbor]]] {
            try forests.indices.map { j in
                let skip = excludeSelf ? indices : nil
                let lists = try exact.map { try $0[j].search(queries: c, k: k, excluding: skip, communicator: communicator) }
                    ?? forests[j].search(queries: c, k: k, excluding: skip, communicator: communicator)
                // Checks every list holds k once, so the training steps can gather freely.
                if let b = lists.firstIndex(where: { $0.count < k }) {
                    throw InfusionError.tooFewNeighbours(query: b, expected: k, got: lists[b].count)
                }
                return lists
            }
        }

        /// Per source j, the rows Z^j[id] of the neighbours of the documents at `positions` (of `lists[j]`),
        /// fetched from the ranks that hold them (collective).
        func rows(_ lists: [[[Neighbor]]], of positions: [Int]) throws -> [RowTable] {
            try forests.enumerated().map { j, forest in
                try forest.fetch(rows: positions.flatMap { lists[j][$0].map(\.id) }, communicator: communicator)
            }
        }

        /// Accuracy and macro-F1 of the infused model on the documents `indices`.
        func evaluate(_ head: InfusedClassifier, of indices: [Int], parameters: [Float]) throws -> ClassificationMetrics {
            let comm = communicator, m = model.configuration.contextSize
            let (c, mine) = try contexts(indices, parameters: parameters)
            let lists = try search(c, indices)
            let classes = head.configuration.classCount
            var counts = [Int](repeating: 0, count: classes * classes)
            let tables = try rows(lists, of: Array(mine))
            if !mine.isEmpty {
                let local = Matrix(rows: mine.count, columns: m, values: Array(c.values[mine.lowerBound * m ..< mine.upperBound * m]))
                let sources = try (0 ..< forests.count).map { j in
                    try RetrievedSources.gather(Array(lists[j][mine]), from: tables[j], k: k)
                }
                let z = head.logits(context: local, sources: sources, parameters: parameters)
                for (row, i) in mine.enumerated() {
                    var best = 0
                    for y in 1 ..< classes where z[row, y] > z[row, best] { best = y }
                    counts[data.labels[indices[i]] * classes + best] += 1
                }
            }
            try comm.allReduce(&counts, op: .sum)  // Distributed: the whole confusion matrix on every rank
            return ClassificationMetrics(confusion: (0 ..< classes).map { Array(counts[$0 * classes ..< ($0 + 1) * classes]) })
        }
    }
}
