/// A sum over rows whose bits do not depend on the number of ranks, computed column segment by column segment.
///
/// Floating-point addition is not associative, so a plain all-reduce of per-rank partial sums gives results that
/// change with `size`. Here the global rows 0 ..< N are cut into fixed blocks of `blockSize` rows,
///
///     block b = rows [b·blockSize, min((b+1)·blockSize, N)),   b = 0 … B−1,  B = ⌈N / blockSize⌉,
///
/// the blocks (not the rows) are sharded over ranks with `shard(count: B, …)`, and each block's partial sum
/// p_b ∈ ℝ^W is computed by the caller on the rank that owns it (always the same sequential code, whatever the
/// rank). The total is added **in block order**, element by element:
///
///     S_j = ((((0 + p_0j) + p_1j) + p_2j) + … + p_{B−1,j}),   j = 0 … W−1.
///
/// Every term and every addition is the same for any number of ranks, so `S` is bit-identical for
/// `mpirun -np 1, 2, 3 …` and for `SingleProcessCommunicator`.
///
/// **Segmented exchange** (issue 15). The W columns are cut into P = `size` contiguous segments
/// σ_s = `shard(count: W, rank: s, size: P)` (a fixed function of W and P). Rank r sends σ_s of each of its
/// partials to rank s (one `allToAll`), rank s adds its segment of all B partials in block order (the blocks
/// arrive in rank order = block order, because blocks are sharded contiguously), and one `allGather` of the P
/// summed segments gives every rank S. Per call each rank receives
///
///     B·|σ_r| + W ≈ B·W/P + W values          (the all-gather of all partials, `naiveSum`, received B·W)
///
/// and holds its own partials (B_r·W, B_r = blocks it owns ≈ B/P: checked against `MemoryBudget.current`),
/// the exchange buffers and S. The exchange is cut into rounds of at most `exchangeColumns` columns per segment,
/// so that one round receives at most ≈ `maxExchangeValues` values; the round count depends on B, W and P only,
/// so every rank runs the same rounds without talking, and the rounds do not change any addition.
///
/// Shapes: W = width of each partial; N = global row count; B blocks; P ranks.
///
/// ```swift
/// let reduction = OrderedReduction(blockSize: 2048)
/// let mine = reduction.rows(totalRows: n, rank: comm.rank, size: comm.size)   // read only these rows
/// let columnSums: [Double] = try reduction.sum(totalRows: n, width: d, communicator: comm) { rows in
///     partialColumnSums(x, rows)                                               // (d), rows ⊂ mine
/// }
/// ```
public struct OrderedReduction: Sendable {
    /// Rows per block. Fixed for a run: changing it changes the bits.
    public let blockSize: Int

    /// The most values one exchange round receives per rank, about (2^24 = 64 MiB of Float).
    public static let maxExchangeValues = 1 << 24

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

    /// σ_s for s = 0 … P−1: the columns rank s sums (contiguous, in rank order, empty ones when W < P).
    public static func segments(width: Int, size: Int) -> [Range<Int>] {
        (0 ..< size).map { shard(count: width, rank: $0, size: size) }
    }

    /// Columns per segment per exchange round: every rank computes the same number from B alone.
    public static func exchangeColumns(blocks: Int, maxExchangeValues: Int = maxExchangeValues) -> Int {
        Swift.max(1, maxExchangeValues / Swift.max(1, blocks))
    }

    /// S = Σ_b partial(rows of b), summed in block order over all ranks (segmented exchange, see above).
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
        try sum(totalRows: totalRows, width: width, communicator: communicator, maxExchangeValues: Self.maxExchangeValues,
                partial: partial)
    }

    /// `sum` with the exchange rounds sized for `maxExchangeValues` (tests force several rounds with a small one).
    /// Specialised for Float and Double: callers in other modules would otherwise run the per-element copies and
    /// additions through generic witnesses (measured: +45 % TRON time on W5 ovr93 at 1 rank).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func sum<T: CommunicatorScalar & FloatingPoint>(
        totalRows: Int, width: Int, communicator: any Communicator, maxExchangeValues: Int,
        partial: (Range<Int>) throws -> [T]
    ) throws -> [T] {
        let p = communicator.size, b = blockCount(rows: totalRows)
        let owned = blocks(totalRows: totalRows, rank: communicator.rank, size: p)
        let partials = try ownPartials(owned, totalRows: totalRows, width: width, partial: partial)
        let segments = Self.segments(width: width, size: p), mine = segments[communicator.rank]
        let longest = segments.map(\.count).max() ?? 0
        let step = Self.exchangeColumns(blocks: b, maxExchangeValues: maxExchangeValues)
        var segmentSum = [T](repeating: 0, count: mine.count)
        var start = 0
        while start < longest {  // the same rounds on every rank: longest and step depend on W, P and B only
            func thisRound(_ segment: Range<Int>) -> Range<Int> {  // this round's columns of a segment
                let lower = Swift.min(segment.lowerBound + start, segment.upperBound)
                return lower ..< Swift.min(lower + step, segment.upperBound)
            }
            var send: [T] = [], sendCounts = [Int](repeating: 0, count: p)
            send.reserveCapacity(owned.count * segments.reduce(0) { $0 + thisRound($1).count })
            for (s, segment) in segments.enumerated() {
                let columns = thisRound(segment)
                sendCounts[s] = owned.count * columns.count
                for i in 0 ..< owned.count {
                    send.append(contentsOf: partials[i * width + columns.lowerBound ..< i * width + columns.upperBound])
                }
            }
            // Distributed: rank s receives columns `thisRound(σ_s)` of every block partial, in rank (= block) order.
            let (received, counts) = try communicator.allToAll(send, sendCounts: sendCounts)
            let columns = thisRound(mine), k = columns.count, base = columns.lowerBound - mine.lowerBound
            precondition(k == 0 || counts.allSatisfy { $0 % k == 0 }, "OrderedReduction: ragged segments \(counts)")
            var offset = 0
            while k > 0 && offset < received.count {  // one block partial's k columns at a time, in block order
                for j in 0 ..< k { segmentSum[base + j] += received[offset + j] }
                offset += k
            }
            start += step
        }
        // Distributed: every rank receives the P summed segments, which are the W columns in order.
        return Array(try communicator.allGather(segmentSum).joined())
    }

    /// This rank's partials, (B_r, W) row-major, after checking that they fit the memory budget.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func ownPartials<T: CommunicatorScalar & FloatingPoint>(
        _ owned: Range<Int>, totalRows: Int, width: Int, partial: (Range<Int>) throws -> [T]
    ) throws -> [T] {
        try MemoryBudget.current.reserve(
            bytes: MemoryBudget.product([owned.count, width, MemoryLayout<T>.stride]),
            for: "an ordered reduction of \(owned.count) blocks × \(width) values",
            purpose: "holding this rank's block partials while they are summed",
            fix: "run on more ranks (each holds ≈ B/P partials), or raise --memory")
        var partials: [T] = []
        partials.reserveCapacity(owned.count * width)
        for block in owned {
            let values = try partial(rows(ofBlock: block, totalRows: totalRows))
            precondition(values.count == width, "OrderedReduction: partial has \(values.count) values, expected \(width)")
            partials.append(contentsOf: values)
        }
        return partials
    }
}
