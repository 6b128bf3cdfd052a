import Core
import LinearAlgebra

/// Leave-one-out nearest neighbours over a row-sharded training set: no rank holds more than its own rows and
/// one broadcast chunk of another rank's rows (TagProp on sharded training images).
///
/// The N rows are owned in the blocks of an `OrderedReduction` (rank r holds the rows of its blocks,
/// `reduction.rows(totalRows: N, rank: r, size: R)`), each block cut into *chunks* of `chunkSize` rows from the
/// block's start. Chunks are fixed global row ranges, whatever R. For every chunk c in global order:
///
///  1. its owner **broadcasts** X_c (|c|, D);
///  2. every rank scores its own queries, chunk by chunk, against it: S = X_q X_cᵀ (one GEMM of a fixed global
///     shape), and offers s(i, j) for j ∈ c, j ≠ i, to query i's bounded heap of the k best;
///
/// then each rank returns the lists of its own rows, best first (decreasing similarity, ties by increasing index:
/// a total order, so the order of the offers does not matter). Every similarity comes from a GEMM of the same
/// operands and shape for any R, so the lists are identical for any rank count. Peak memory per rank: its
/// shard, one chunk, one (chunk × chunk) score block and its n·k heaps.
///
/// Shapes: `shard` (n, D) = rows `rows` of X (N, D); result (n, k) with global row indices.
extension NearestNeighbours {
    public static func leaveOneOut(shard: Matrix<Float>, rows: Range<Int>, totalRows n: Int, count k: Int,
                                   reduction: OrderedReduction, chunkSize: Int = defaultBlockSize,
                                   communicator comm: any Communicator) throws -> Neighbours {
        let expected = reduction.rows(totalRows: n, rank: comm.rank, size: comm.size)
        guard rows == expected, shard.rows == rows.count else {
            throw ClassifierError.shapeMismatch(what: "NearestNeighbours.leaveOneOut: shard rows (this rank owns "
                + "\(expected))", expected: expected.count, got: shard.rows)
        }
        guard k >= 1, k <= n - 1 else {
            throw ClassifierError.invalidOption(name: "count", value: "\(k)", requirement: "in 1...\(n - 1) (training rows minus self)")
        }
        let d = shard.columns
        let chunkRows = Swift.min(chunkSize, reduction.blockSize, n)  // a chunk never crosses a block
        try MemoryBudget.current.reserve(bytes: MemoryBudget.sum([MemoryBudget.product([chunkRows, d, 4]),
                                                                  MemoryBudget.product([chunkRows, chunkRows, 4])]),
                                         for: "the training features", purpose: "one broadcast chunk and its scores",
                                         fix: "pass a smaller chunkSize")
        var heaps = (0 ..< rows.count).map { _ in TopK(capacity: k) }
        let queryChunks = chunks(of: rows, reduction: reduction, totalRows: n, chunkSize: chunkSize)
        for r in 0 ..< comm.size {
            let owned = reduction.rows(totalRows: n, rank: r, size: comm.size)
            for c in chunks(of: owned, reduction: reduction, totalRows: n, chunkSize: chunkSize) {
                var block = r == comm.rank ? Array(shard.values[(c.lowerBound - rows.lowerBound) * d ..< (c.upperBound - rows.lowerBound) * d]) : []
                try comm.broadcast(&block, root: r)  // Distributed: chunk c from its owner
                let database = Matrix(rows: c.count, columns: d, values: block)
                for q in queryChunks {
                    let local = (q.lowerBound - rows.lowerBound) ..< (q.upperBound - rows.lowerBound)
                    let s = BLAS.matmul(shard.rows(local), database, transposeB: true)  // (|q|, |c|)
                    for (a, i) in q.enumerated() {
                        for (b, j) in c.enumerated() where j != i { heaps[local.lowerBound + a].offer(s.values[a * c.count + b], j) }
                    }
                }
            }
        }
        var indices = [Int](repeating: 0, count: rows.count * k), similarities = [Float](repeating: 0, count: rows.count * k)
        for (i, heap) in heaps.enumerated() {
            for (slot, e) in heap.sortedBestFirst().enumerated() {
                indices[i * k + slot] = e.index
                similarities[i * k + slot] = e.similarity
            }
        }
        return Neighbours(queries: rows.count, count: k, indices: indices, similarities: similarities)
    }

    /// The chunks of `rows` (a union of whole reduction blocks): each block cut from its start into `chunkSize` rows.
    static func chunks(of rows: Range<Int>, reduction: OrderedReduction, totalRows n: Int, chunkSize: Int) -> [Range<Int>] {
        guard !rows.isEmpty else { return [] }
        var out: [Range<Int>] = []
        for b in (rows.lowerBound / reduction.blockSize) ..< reduction.blockCount(rows: rows.upperBound) {
            let block = reduction.rows(ofBlock: b, totalRows: n)
            for start in stride(from: block.lowerBound, to: block.upperBound, by: Swift.max(1, chunkSize)) {
                out.append(start ..< Swift.min(start + chunkSize, block.upperBound))
            }
        }
        return out
    }
}
