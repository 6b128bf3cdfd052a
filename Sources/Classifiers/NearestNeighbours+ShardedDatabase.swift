import Core
import LinearAlgebra

/// Nearest neighbours of query rows (test images) among a row-sharded database (training images): no rank holds
/// more than its queries, its own database rows and one broadcast chunk of another rank's rows (`annotate
/// predict`'s TagProp with the training rows sharded as in training).
///
/// The N database rows are owned as in `leaveOneOut(shard:…)`: rank r holds the rows of its `OrderedReduction`
/// blocks, each block cut into fixed global chunks of `chunkSize` rows. This rank's queries are Q_r rows that
/// start on a global multiple of `queryBlockSize` (whole query blocks, `ShardedNeighbours.queries`). For every
/// chunk c in global order:
///
///  1. its owner **broadcasts** X_c (|c|, D);
///  2. every rank scores each of its query blocks q against it, S = X_q X_cᵀ (|q|, |c|) (one GEMM of a fixed
///     global shape), and offers s(i, j), j ∈ c, to query i's bounded heap of the k best;
///
/// then returns its queries' lists, best first (decreasing similarity, ties by increasing index: a total order,
/// so the order of the offers does not matter). Every similarity comes from a GEMM of the same operands and shape
/// for any R, so the lists are identical for any rank count; with N ≤ `chunkSize` (one chunk) they are those of
/// `search(queries:database:)` with `blockSize` = `queryBlockSize`, bit for bit.
///
/// Shapes: `queries` (Q_r, D); `shard` (n_r, D) = rows `rows` of X (N, D); result (Q_r, k), global row indices.
/// Peak memory per rank: queries, shard, one chunk, one (query block × chunk) score block and Q_r·k heaps.
extension NearestNeighbours {
    public static func search(queries: Matrix<Float>, shard: Matrix<Float>, rows: Range<Int>, totalRows n: Int,
                              count k: Int, reduction: OrderedReduction, chunkSize: Int = defaultBlockSize,
                              queryBlockSize: Int = defaultBlockSize,
                              communicator comm: any Communicator) throws -> Neighbours {
        let expected = reduction.rows(totalRows: n, rank: comm.rank, size: comm.size)
        guard rows == expected, shard.rows == rows.count else {
            throw ClassifierError.shapeMismatch(what: "NearestNeighbours.search: shard rows (this rank owns "
                + "\(expected))", expected: expected.count, got: shard.rows)
        }
        guard shard.columns == queries.columns else {
            throw ClassifierError.shapeMismatch(what: "NearestNeighbours.search: query vs database columns",
                                                expected: shard.columns, got: queries.columns)
        }
        guard k >= 1, k <= n else {
            throw ClassifierError.invalidOption(name: "count", value: "\(k)", requirement: "in 1...\(n) (database rows)")
        }
        let d = queries.columns, step = Swift.max(1, queryBlockSize)
        let chunkRows = Swift.min(chunkSize, reduction.blockSize, n)
        try MemoryBudget.current.reserve(bytes: MemoryBudget.sum([MemoryBudget.product([chunkRows, d, 4]),
                                                                  MemoryBudget.product([Swift.min(step, queries.rows), chunkRows, 4])]),
                                         for: "the training features", purpose: "one broadcast chunk and its scores",
                                         fix: "pass a smaller chunkSize or queryBlockSize")
        var heaps = (0 ..< queries.rows).map { _ in TopK(capacity: k) }
        let blocks = stride(from: 0, to: queries.rows, by: step).map { $0 ..< Swift.min($0 + step, queries.rows) }
        for r in 0 ..< comm.size {
            let owned = reduction.rows(totalRows: n, rank: r, size: comm.size)
            for c in chunks(of: owned, reduction: reduction, totalRows: n, chunkSize: chunkSize) {
                var chunk = r == comm.rank
                    ? Array(shard.values[(c.lowerBound - rows.lowerBound) * d ..< (c.upperBound - rows.lowerBound) * d]) : []
                try comm.broadcast(&chunk, root: r)  // Distributed: chunk c from its owner
                let database = Matrix(rows: c.count, columns: d, values: chunk)
                for q in blocks {
                    let s = BLAS.matmul(queries.rows(q), database, transposeB: true)  // (|q|, |c|)
                    for (a, i) in q.enumerated() {
                        for (b, j) in c.enumerated() { heaps[i].offer(s.values[a * c.count + b], j) }
                    }
                }
            }
        }
        var indices = [Int](repeating: 0, count: queries.rows * k)
        var similarities = [Float](repeating: 0, count: queries.rows * k)
        for (i, heap) in heaps.enumerated() {
            for (slot, e) in heap.sortedBestFirst().enumerated() {
                indices[i * k + slot] = e.index
                similarities[i * k + slot] = e.similarity
            }
        }
        return Neighbours(queries: queries.rows, count: k, indices: indices, similarities: similarities)
    }
}
