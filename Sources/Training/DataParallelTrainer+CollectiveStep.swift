import Core
import LinearAlgebra
import NeuralNets

/// Collective steps: the caller sums each step's gradient itself, with its own collectives.
///
/// `train(lossSum:)` calls `lossSum` only on a rank whose slice of the batch is non-empty and all-reduces the
/// partial sums; `train(blockLoss:)` (`DataParallelTrainer+Ordered`) calls it once per owned block. Neither lets
/// the callback use collectives. Here `collectiveStep(β_s, β_s^r, s, &θ)` runs on **every** rank for every step
/// s, the empty slice β_s^r = β_s[shard(|β_s|, r, R)] included (a batch with fewer samples than ranks), with
/// θ.grads zeroed, and must leave
///
///     θ.grads = g = Σ_{i∈β_s} ∇ℓ_i,   return ℓ = Σ_{i∈β_s} ℓ_i        (the same values on every rank)
///
/// e.g. by an exact integer all-reduce of per-sample fixed-point gradients (`EndToEndPathModel.exactStep`).
/// Steps 6–8 of the type's recipe (scale by 1/|β_s|, clip, step, consistency check, checkpoint) are unchanged, so
/// every sample of every epoch is used whatever the rank count.
extension DataParallelTrainer {
    /// `train` with the caller's collective step sums (see the extension's comment); not with `orderedBlockSize`.
    public func train(
        initial: Parameters<Float>, sampleCount: Int, resume: Bool = false,
        collectiveStep: (_ batch: [Int], _ local: [Int], _ step: Int, _ parameters: inout Parameters<Float>) throws -> Float,
        evaluate: (EpochSummary, Parameters<Float>) throws -> [String: Double] = { _, _ in [:] },
        onEpoch: (EpochSummary, Parameters<Float>) throws -> Void = { _, _ in },
        onBatch: (ProgressTick) -> Void = { _ in },
        shouldStop: (_ history: [EpochSummary]) -> Bool = { _ in false }
    ) throws -> Result {
        precondition(orderedBlockSize == nil, "DataParallelTrainer.train(collectiveStep:) sums the steps itself: leave orderedBlockSize nil")
        let comm = communicator
        return try run(initial: initial, sampleCount: sampleCount, resume: resume, stepSum: { batch, step, parameters in
            let local = Self.localRows(batchCount: batch.count, rank: comm.rank, size: comm.size, orderedBlockSize: nil)
            parameters.zeroGrads()
            // Distributed: collective, every rank, an empty slice included.
            return try collectiveStep(Array(batch), Array(batch[batch.startIndex + local.lowerBound ..< batch.startIndex + local.upperBound]),
                                      step, &parameters)
        }, evaluate: evaluate, onEpoch: onEpoch, onBatch: onBatch, shouldStop: shouldStop, prepareEpoch: { _, _ in },
           prepareStep: nil)
    }
}
