import Core

extension DataParallelTrainer {
    /// The samples rank `rank` of `size` trains on in epoch `epoch`, in the order `train` hands them to
    /// `lossSum`: for each step s, β_s = π_e[sB ..< min((s+1)B, N)] and the rank's slice β_s[shard(|β_s|, r, R)]
    /// (steps 2–3 of the type's recipe). Lets a stage prefetch what those samples need (e.g. the source rows of
    /// their retrieved neighbours) with collectives before the epoch starts, since `lossSum` may not call any.
    public static func localSamples(count: Int, batchSize: Int, seed: UInt64, epoch: Int, rank: Int, size: Int) -> [Int] {
        localSamples(order: permutation(count: count, seed: seed, epoch: epoch), fromBatch: 0, batchSize: max(1, batchSize),
                     rank: rank, size: size)
    }

    /// The samples rank `rank` of `size` visits in the batches `fromBatch`… of the epoch whose order is `order`
    /// (step 3's slices, concatenated): all that rank needs of the epoch, about N/R samples.
    /// With `orderedBlockSize` (ordered batch sums) a rank's part of a batch is the rows of its `OrderedReduction` blocks.
    public static func localSamples(order: [Int], fromBatch: Int, batchSize: Int, rank: Int, size: Int,
                                    orderedBlockSize: Int? = nil) -> [Int] {
        var samples: [Int] = []
        for start in stride(from: fromBatch * batchSize, to: order.count, by: batchSize) {
            let batch = order[start ..< min(start + batchSize, order.count)]
            let local = localRows(batchCount: batch.count, rank: rank, size: size, orderedBlockSize: orderedBlockSize)
            samples += batch[batch.startIndex + local.lowerBound ..< batch.startIndex + local.upperBound]
        }
        return samples
    }

    /// The positions in a batch of `batchCount` samples that rank `rank` of `size` computes: its step-3 slice, or
    /// with `orderedBlockSize` the rows of its `OrderedReduction` blocks.
    static func localRows(batchCount: Int, rank: Int, size: Int, orderedBlockSize: Int?) -> Range<Int> {
        orderedBlockSize.map { OrderedReduction(blockSize: $0).rows(totalRows: batchCount, rank: rank, size: size) }
            ?? shard(count: batchCount, rank: rank, size: size)
    }
}
