import Core

extension DataParallelTrainer {
    /// The samples rank `rank` of `size` trains on in epoch `epoch`, in the order `train` hands them to
    /// `lossSum`: for each step s, β_s = π_e[sB ..< min((s+1)B, N)] and the rank's slice β_s[shard(|β_s|, r, R)]
    /// (steps 2–3 of the type's recipe). Lets a stage prefetch what those samples need (e.g. the source rows of
    /// their retrieved neighbours) with collectives before the epoch starts, since `lossSum` may not call any.
    public static func localSamples(count: Int, batchSize: Int, seed: UInt64, epoch: Int, rank: Int, size: Int) -> [Int] {
        let order = permutation(count: count, seed: seed, epoch: epoch)
        var samples: [Int] = []
        samples.reserveCapacity(count / max(1, size) + batchSize)
        for start in stride(from: 0, to: count, by: max(1, batchSize)) {
            let batch = order[start ..< min(start + batchSize, count)]
            let local = shard(count: batch.count, rank: rank, size: size)
            samples += batch[batch.startIndex + local.lowerBound ..< batch.startIndex + local.upperBound]
        }
        return samples
    }
}
