/// The reduction block size of the row-sharded linear trainers (`RowShardedLinear`, the row-sharded SLR) as a
/// fixed function of the training-set size N, never of the rank count (the block size is part of the bits).
///
///     blockSize(N) = clamp(64·⌊N / 4096⌋, 256, 4096)
///
/// i.e. N/64 rounded *down* to a multiple of 64, so that blockSize ≤ N/64 and N rows make at least 64 blocks
/// whenever N ≥ 64 × 256: up to `ranksServed` = 64 ranks each get rows (`OrderedReduction` shards blocks, not
/// rows; rounding up instead would leave 63 blocks at N = 100,000). At least 256 rows (a partial of
/// W = (D+1)·K values per 256 rows), at most 4096 (beyond 64 × 4096 = 262,144 rows the block count grows as N/4096).
/// Below 64 × 256 = 16,384 rows, blocks are 256 rows and fewer than 64.
///
/// | N | blockSize | blocks B |
/// | ---: | ---: | ---: |
/// | 2,040 (Flowers102 train) | 256 | 8 |
/// | 4,000 (W5) | 256 | 16 |
/// | 50,000 | 768 | 66 |
/// | 100,000 | 1536 | 66 |
/// | 1,000,000 | 4096 | 245 |
///
/// **Trade.** Smaller blocks let more ranks share the rows, but every block is one partial of W values: each rank
/// holds its B_r ≈ B/P partials (B_r·W·4 bytes, checked against `MemoryBudget` by `OrderedReduction.sum`) and
/// receives ≈ B·W/P + W values per reduction (the segmented exchange; B·W before it). With about 64 blocks, that
/// is ≈ 64·W/P + W (2·W per rank at 64 ranks) until N exceeds 262,144 rows.
public enum LinearBlockSize {
    /// The rank count up to which every rank gets at least one block (when N ≥ 64·256).
    public static let ranksServed = 64
    /// Block sizes are multiples of this many rows.
    public static let multiple = 64
    public static let smallest = 256
    public static let largest = 4096

    /// Rows per reduction block for N training rows.
    public static func rows(forTrainingRows n: Int) -> Int {
        let rounded = Swift.max(0, n) / ranksServed / multiple * multiple
        return Swift.min(largest, Swift.max(smallest, rounded))
    }
}
