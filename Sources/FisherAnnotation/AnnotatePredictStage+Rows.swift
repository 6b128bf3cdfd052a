import Classifiers
import Core
import LinearAlgebra
import Storage

/// `annotate predict` with the rows split over ranks: each rank scores only its test rows and, for TagProp, holds
/// only its own training rows; no rank reads a whole block of `fv.h5`.
///
/// Test rows: rank r takes the whole blocks of B = `NearestNeighbours.defaultBlockSize` test items
/// `ShardedNeighbours.queries(count: Q, rank: r, size: R)` (T_r). Training rows: the items of rank r's
/// `TagProp.itemBlocks` blocks (N_r), as in training. Both are read from `fv.h5` through `FisherVectorRows`
/// (`TrainingLayout.chunkRows` rows per read) unless `AnnotationData` already holds the block in memory.
///
/// | run | per rank | gathered |
/// | --- | --- | --- |
/// | linear (late, early) | for each query block q ⊂ T_r: F_q = X_q Wᵀ + 1bᵀ, one GEMM (|q|, D)·(D, K) | F (Q, K) in rank = row order |
/// | TagProp | neighbours of T_r among all N training rows, each rank broadcasting its N_r rows chunk by chunk (`NearestNeighbours.search(queries:shard:…)`) | lists (Q, k) in rank order |
///
/// Every GEMM has a fixed global shape (query block × weights, query block × training chunk), so `scores.h5` is
/// bit-identical for any rank count; with Q ≤ B (and N ≤ B for TagProp) the shapes are those of a whole-matrix
/// run, so the scores equal the unsharded ones bit for bit (beyond, they agree to rounding). Peak memory per
/// rank: one query block (linear), or N_r rows, one broadcast chunk and one chunk of test rows sized so that
/// together they fit `MemoryBudget.current` (TagProp, `QueryChunking`), plus the (Q, K) scores.
extension AnnotatePredictStage {
    /// Test items of this rank: whole query blocks.
    static func testRows(_ data: AnnotationData, communicator comm: any Communicator) -> Range<Int> {
        ShardedNeighbours.queries(count: data.testIDs.count, rank: comm.rank, size: comm.size)
    }

    /// The linear scores (Q, K) of `scorer` on the test blocks `names` concatenated, rows split over ranks.
    func linearScores(_ scorer: LinearScorer, _ names: [String], data: AnnotationData,
                      communicator comm: any Communicator) throws -> Matrix<Float> {
        let sources = try data.rowSources(names, test: true)
        let mine = Self.testRows(data, communicator: comm), step = NearestNeighbours.defaultBlockSize
        var local: [Float] = []
        for start in stride(from: mine.lowerBound, to: mine.upperBound, by: step) {
            let q = start ..< Swift.min(start + step, mine.upperBound)
            local += try scorer.scores(try FisherVectorRows.concatenated(sources, rows: q)).values
        }
        // Distributed: rank order = test-row order.
        return Matrix(rows: data.testIDs.count, columns: scorer.biases.count,
                      values: try comm.allGather(local).flatMap { $0 })
    }

    /// The k nearest training items of every test item for the measure `names`, training rows sharded and this
    /// rank's test rows read and searched in chunks within `MemoryBudget.current` (`QueryChunking`).
    func tagPropNeighbours(_ names: [String], count k: Int, data: AnnotationData, communicator comm: any Communicator,
                           log: (String) -> Void = { _ in }) throws -> Neighbours {
        let reduction = TagProp.itemBlocks, n = data.trainIDs.count
        let own = reduction.rows(totalRows: n, rank: comm.rank, size: comm.size)
        let shard = try FisherVectorRows.concatenated(try data.rowSources(names, test: false), rows: own,
                                                      reserving: "this rank's \(own.count) TagProp training rows")
        let mine = Self.testRows(data, communicator: comm), tests = try data.rowSources(names, test: true)
        let d = shard.columns, step = NearestNeighbours.defaultBlockSize
        let chunkRows = Swift.min(step, reduction.blockSize, n)
        let fixed = MemoryBudget.sum([MemoryBudget.product([own.count, d, 4]), MemoryBudget.product([chunkRows, d, 4]),
                                      MemoryBudget.product([step, chunkRows, 4])])
        let local = try QueryChunking.plan(budget: MemoryBudget.current, columns: d, count: k, fixedBytes: fixed,
                                           queryBlockSize: step, input: data.fisherVectors)
        // Distributed: the smallest chunk any rank affords (budgets agree in practice; chunks must match).
        let c = try comm.allReduce(local.rowsPerChunk, op: .min)
        let chunking = QueryChunking(rowsPerChunk: c, blockSize: Swift.min(step, c), budget: local.budget)
        let result = try NearestNeighbours.search(queryRows: mine, columns: d, read: { q in
            try FisherVectorRows.concatenated(tests, rows: q, reserving: "a chunk of \(q.count) test rows")
        }, shard: shard, rows: own, totalRows: n, count: k, reduction: reduction, chunking: chunking,
           chunkSize: step, communicator: comm)
        log("annotate predict: TagProp \(names.joined(separator: "+")): "
            + chunking.describe(rows: data.testIDs.count, chunks: result.chunks)
            + " (chunks per rank, \(comm.size) rank(s))")
        return try ShardedNeighbours.gather(result.neighbours, queries: data.testIDs.count, count: k, communicator: comm)
    }
}
