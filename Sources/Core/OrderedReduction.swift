/// A sum over rows whose bits do not depend on the number of ranks.
///
/// Floating-point addition is not associative, so a plain all-reduce of per-rank partial sums gives results that
/// change with `size`. Here the global rows 0 ..< N are cut into fixed blocks of `blockSize` rows,
///
///     block b = rows [b·blockSize, min((b+1)·blockSize, N)),   b = 0 … B−1,  B = ⌈N / blockSize⌉,
///
/// the blocks (not the rows) are sharded over ranks with `shard(count: B, …)`, each block's partial sum
/// p_b ∈ ℝ^W is computed by the caller on the rank that owns it (always the same sequential code, whatever the
/// rank), every rank all-gathers the partials, and each rank adds them **in block order**:
///
///     S = (((p_0 + p_1) + p_2) + … + p_{B−1})
///
/// Every term and every addition is then the same for any number of ranks, so `S` is bit-identical for
/// `mpirun -np 1, 2, 3 …` and for `SingleProcessCommunicator`. The price is one all-gather of B·W values,
/// small when `blockSize` is large (statistics of thousands of rows per block).
///
/// Shapes: W = width of each partial; N = global row count.
public struct OrderedReduction: Sendable {
    /// Rows per block. Fixed for a run: changing it changes the bits.
    public let blockSize: Int

    public init(blockSize: Int = 4096) {
        precondition(blockSize > 0, "OrderedReduction: blockSize must be positive")
        self.blockSize = blockSize
    }

    /// B = ⌈N / blockSize⌉.
    public func blockCount(rows: Int) -> Int { (rows + blockSize - 1) / blockSize }

    /// The global row range of block `b`.
    public func rows(ofBlock b: Int, totalRows: Int) -> Range<Int> {
        let lower = b * blockSize
        return lower ..< Swift.min(lower + blockSize, totalRows)
    }

    /// The blocks this rank owns (a contiguous range of block indices).
    public func blocks(totalRows: Int, rank: Int, size: Int) -> Range<Int> {
        shard(count: blockCount(rows: totalRows), rank: rank, size: size)
    }

    /// The global rows this rank must read: the union of its blocks' rows.
    public func rows(totalRows: Int, rank: Int, size: Int) -> Range<Int> {
        let owned = blocks(totalRows: totalRows, rank: rank, size: size)
        if owned.isEmpty { return 0 ..< 0 }
        return rows(ofBlock: owned.lowerBound, totalRows: totalRows).lowerBound
            ..< rows(ofBlock: owned.upperBound - 1, totalRows: totalRows).upperBound
    }

    /// S = Σ_b partial(rows of b), summed in block order over all ranks.
    ///
    /// - Parameters:
    ///   - totalRows: N, the global number of rows (the same on every rank).
    ///   - width: W, the length of every partial.
    ///   - communicator: the job's ranks.
    ///   - partial: returns the partial sum (length W) over the given global row range; called only for the
    ///     blocks this rank owns, in increasing order.
    public func sum<T: CommunicatorScalar & FloatingPoint>(
        totalRows: Int, width: Int, communicator: any Communicator,
        partial: (Range<Int>) throws -> [T]
    ) throws -> [T] {
        let owned = blocks(totalRows: totalRows, rank: communicator.rank, size: communicator.size)
        var local: [T] = []
        local.reserveCapacity(owned.count * width)
        for b in owned {
            let p = try partial(rows(ofBlock: b, totalRows: totalRows))
            precondition(p.count == width, "OrderedReduction: partial has \(p.count) values, expected \(width)")
            local.append(contentsOf: p)
        }
        let all = try communicator.allGather(local)
        var total = [T](repeating: 0, count: width)
        for perRank in all {  // rank order == block order, since blocks are sharded contiguously
            precondition(perRank.count % Swift.max(width, 1) == 0, "OrderedReduction: ragged partials")
            var offset = 0
            while offset < perRank.count {
                for j in 0 ..< width { total[j] += perRank[offset + j] }
                offset += width
            }
        }
        return total
    }
}
