import Core
import LinearAlgebra
import NeuralNets

/// Ordered batch sums: data-parallel steps whose bits do not depend on the number of ranks.
///
/// A plain step (`train(lossSum:)`, steps 4–5) all-reduces per-rank partial sums g_r = Σ_{i∈slice_r} ∇ℓ_i, and
/// float addition is not associative, so 1, 2 and 3 ranks round differently; for a stage that samples from its
/// model (label-aug's REINFORCE draws) a last-bit difference later moves a draw across a threshold and the runs
/// part. Here the global batch β_s (|β_s| = n) is cut into fixed blocks of `orderedBlockSize` = b rows,
///
///     block k = β_s[k·b ..< min((k+1)·b, n)],   k = 0 … ⌈n/b⌉ − 1,
///
/// `blockLoss` runs once per block on the rank that owns it (`OrderedReduction` shards blocks, not rows), with the
/// gradient zeroed first, so each block's partial [g_k ‖ ℓ_k ‖ n_k] ∈ ℝ^(P+2) (Float) is the same sequential
/// code at any rank count; the block partials are summed in block order by `OrderedReduction.sum`:
///
///     g = (((0 + g_0) + g_1) + …),   ℓ = Σ_k ℓ_k,   n = Σ_k n_k        (same bits for any R)
///
/// A caller's per-block statistics t_k ∈ ℝ^S (Double: e.g. REINFORCE's [Σ r, count]) are summed the same way and
/// handed to `afterStep` on every rank before the optimizer step. `blockLoss` also gets the 0-based global step
/// index s, so random draws can be keyed by (seed, s, global sample id) rather than by a per-rank call count.
///
/// Cost: ⌈n/b⌉ smaller GEMMs instead of one per rank; per rank B_r ≈ ⌈n/b⌉/R partials of P + 2 Floats held
/// (checked against `MemoryBudget`), and the exchange of `OrderedReduction` (≈ ⌈n/b⌉·P/R + P values received).
extension DataParallelTrainer {
    /// b of the stages that sum in order (train-text, train-infused, train-paths): fixed, because it is part of the
    /// bits (a step's sums are associated block by block). 8 keeps the GEMMs of a 64-sample batch 8 rows tall and
    /// gives every rank of up to 8 a block; a batch of 16 is 2 blocks.
    public static let standardOrderedBlockSize = 8

    /// What `blockLoss` returns for one block: ℓ_k = Σ_{i∈block} ℓ_i and the caller's statistics t_k (S values,
    /// the same S for every block).
    public struct BlockLoss {
        public var loss: Float
        public var statistics: [Double]
        public init(loss: Float, statistics: [Double] = []) {
            self.loss = loss
            self.statistics = statistics
        }
    }

    /// `train` with ordered batch sums (the extension's recipe); requires `orderedBlockSize`. `blockLoss(samples,
    /// s, &θ)` accumulates Σ ∇ℓ_i of the block's samples into θ.grads (zeroed before each call) and must not
    /// call collectives; `afterStep(Σ_k t_k)` runs on every rank after each step's sums, before the update.
    public func train(
        initial: Parameters<Float>, sampleCount: Int, resume: Bool = false, statisticsWidth: Int = 0,
        blockLoss: (_ samples: [Int], _ step: Int, _ parameters: inout Parameters<Float>) -> BlockLoss,
        afterStep: (_ statistics: [Double]) -> Void = { _ in },
        evaluate: (EpochSummary, Parameters<Float>) throws -> [String: Double] = { _, _ in [:] },
        onEpoch: (EpochSummary, Parameters<Float>) throws -> Void = { _, _ in },
        onBatch: (ProgressTick) -> Void = { _ in },
        shouldStop: (_ history: [EpochSummary]) -> Bool = { _ in false },
        prepareEpoch: (_ epoch: Int, _ samples: [Int]) throws -> Void = { _, _ in },
        prepareStep: ((_ step: Int, _ batch: [Int], _ local: [Int], _ parameters: Parameters<Float>) throws -> Void)? = nil
    ) throws -> Result {
        guard let blockSize = orderedBlockSize else {
            preconditionFailure("DataParallelTrainer.train(blockLoss:) needs orderedBlockSize (the rows per ordered block)")
        }
        let comm = communicator, reduction = OrderedReduction(blockSize: blockSize)
        return try run(initial: initial, sampleCount: sampleCount, resume: resume, stepSum: { batch, step, parameters in
            let p = parameters.values.count, n = batch.count
            var statistics: [Double] = []  // this rank's t_k, block after block
            let sums = try reduction.sum(totalRows: n, width: p + 2, communicator: comm) { rows -> [Float] in
                parameters.zeroGrads()
                let result = blockLoss(Array(batch[batch.startIndex + rows.lowerBound ..< batch.startIndex + rows.upperBound]),
                                       step, &parameters)
                precondition(result.statistics.count == statisticsWidth,
                             "DataParallelTrainer: blockLoss returned \(result.statistics.count) statistics, expected \(statisticsWidth)")
                statistics += result.statistics
                return parameters.grads + [result.loss, Float(rows.count)]
            }
            precondition(sums[p + 1] == Float(n), "DataParallelTrainer: ordered sums counted \(sums[p + 1]) samples of \(n)")
            parameters.grads.replaceSubrange(0 ..< p, with: sums[0 ..< p])
            if statisticsWidth > 0 {
                var next = 0  // the blocks arrive in increasing order, so this rank's t_k are consumed in order
                afterStep(try reduction.sum(totalRows: n, width: statisticsWidth, communicator: comm) { _ in
                    defer { next += statisticsWidth }
                    return Array(statistics[next ..< next + statisticsWidth])
                })
            }
            return sums[p]
        }, evaluate: evaluate, onEpoch: onEpoch, onBatch: onBatch, shouldStop: shouldStop, prepareEpoch: prepareEpoch,
           prepareStep: prepareStep)
    }
}
