/// How `count` items are split over `size` ranks: contiguous index ranges, in rank order, whose lengths differ
/// by at most one (the first `count % size` ranks take one extra item).
///
/// A pure function of (count, rank, size): every rank computes every other rank's range without communication,
/// and the concatenation of the ranges for rank 0 … size−1 is exactly 0 ..< count.
///
/// ```swift
/// shard(count: 10, rank: 0, size: 3)  // 0..<4
/// shard(count: 10, rank: 2, size: 3)  // 7..<10
/// ```
public func shard(count: Int, rank: Int, size: Int) -> Range<Int> {
    precondition(count >= 0, "shard: count must be non-negative, got \(count)")
    precondition(size > 0 && rank >= 0 && rank < size, "shard: rank \(rank) outside 0..<\(size)")
    let base = count / size
    let extra = count % size
    let lower = rank * base + Swift.min(rank, extra)
    let length = base + (rank < extra ? 1 : 0)
    return lower ..< (lower + length)
}

/// The error a stage raises when a job has more ranks than items to shard, so some rank would get nothing.
public struct TooManyRanksError: Error, CustomStringConvertible {
    public let items: Int
    public let ranks: Int
    public let what: String

    public init(items: Int, ranks: Int, what: String) {
        self.items = items
        self.ranks = ranks
        self.what = what
    }

    public var description: String {
        "\(ranks) ranks for \(items) \(what): every rank needs at least one; run with `mpirun -np \(Swift.max(1, items))` or fewer ranks"
    }
}
