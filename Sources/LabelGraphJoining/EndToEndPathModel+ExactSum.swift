import Core
import Datasets
import LabelGraphs
import LinearAlgebra
import NeuralNets

/// One data-parallel step of `EndToEndPathModel` whose result has the same bits for any number of ranks.
///
/// `DataParallelTrainer` all-reduces each rank's float partial sum Σ_{i∈slice} ∇ℓ_i, so a different split of the
/// batch associates the additions differently. Here every sample's gradient is computed alone (batch of one: the
/// same arithmetic whichever rank holds it) and rounded to a fixed-point integer,
///
///     q_i = round(g_i · 2^K)  (Int64, K = `fractionBits`)      Q = Σ_i q_i  (exact: integer addition is associative)
///     ĝ   = Float(Double(Q) · 2^−K)
///
/// and the integers [Σ q(∇ℓ_i) ‖ Σ q(ℓ_i) ‖ Σ q(r_i) ‖ Σ n_i] are all-reduced (sum, Int64), so Q, the loss, the
/// REINFORCE reward sum (for the baseline b) and the count are the same integers for 1, 2 or 3 ranks. Every rank
/// then puts ĝ into `parameters.grads` and returns the loss: it is the trainer's collective step
/// (`DataParallelTrainer.train(collectiveStep:)`), called on every rank, one with no sample of the step included.
///
/// Random draws are rank-count independent as in `PathTrainingStage`: the teacher-forcing coin of step s is one
/// generator `coin` (every sample of the step sees the same first draw: one coin per step, Algorithm 1) and
/// sample i's path subset and REINFORCE draws come from `SeededRandom(seed: seed + s·φ, stream: i)`.
///
/// Numerical notes: K = 40 resolves 2^−40 ≈ 9.1e−13 (below a Float ulp of any gradient entry above ~1e−5); a
/// per-sample |g| ≥ 2^22 or a non-finite value stops the run (the fixed point would overflow: lower the learning
/// rate). Each sample costs O(P) extra additions and the all-reduce carries 8 bytes per parameter.
extension EndToEndPathModel {
    /// K.
    public static let fractionBits = 40
    static let fixedScale = Double(1 << fractionBits)
    static let largestEntry = Double(1 << 22)

    /// What one step needs besides the parameters.
    public struct StepInputs: Sendable {
        /// Token ids of every sample (global sample id → sequence).
        public var sequences: [[Int]]
        public var truths: [GroundTruth]
        public var options: PathTrainingOptions
        public var seed: UInt64

        public init(sequences: [[Int]], truths: [GroundTruth], options: PathTrainingOptions, seed: UInt64) {
            self.sequences = sequences
            self.truths = truths
            self.options = options
            self.seed = seed
        }
    }

    /// Step `step` with this rank's `samples` (global ids; may be empty): collective, every rank; sets
    /// `parameters.grads` to ĝ (the caller zeroed them), updates `baseline` with the exact reward sum, and returns
    /// the loss sum, the same on every rank.
    public func exactStep(_ samples: [Int], step: UInt64, inputs: StepInputs, baseline: inout RewardBaseline,
                          parameters: inout Parameters<Float>, communicator comm: any Communicator) throws -> Float {
        let p = layout.count
        var sums = [Int64](repeating: 0, count: p + 3)  // [Σq(∇ℓ_i) ‖ Σq(ℓ_i) ‖ Σq(r_i) ‖ Σ n_i]
        var scratch = Parameters<Float>(layout: layout)
        scratch.values = parameters.values
        let coin = SeededRandom(seed: inputs.seed ^ 0x5EED_C011, stream: step)
        for i in samples {
            scratch.zeroGrads()
            var sampleCoin = coin
            let stream = SeededRandom(seed: inputs.seed &+ step &* 0x9E37_79B9_7F4A_7C15, stream: UInt64(i))
            let batch = TextBatch(sequences: [inputs.sequences[i]], labels: [0], paddingToken: Vocabulary.paddingIndex)
            let result = loss(batch, truths: [inputs.truths[i]], options: inputs.options, baseline: baseline.value,
                              parameters: &scratch, rng: &sampleCoin, sampleStreams: [stream])
            for j in 0 ..< p { sums[j] = try Self.add(sums[j], Double(scratch.grads[j]), sample: i) }
            sums[p] = try Self.add(sums[p], Double(result.loss), sample: i)
            sums[p + 1] = try Self.add(sums[p + 1], result.rewardSum, sample: i)
            sums[p + 2] += Int64(result.rewardCount)
        }
        try comm.allReduce(&sums, op: .sum)  // Distributed: exact integer sums, the same for any rank count
        baseline.update(rewardSum: Double(sums[p + 1]) / Self.fixedScale, count: Int(sums[p + 2]))
        for j in 0 ..< p { parameters.grads[j] = Float(Double(sums[j]) / Self.fixedScale) }
        return Float(Double(sums[p]) / Self.fixedScale)
    }

    /// q + round(x · 2^K), or `PathTrainingError.fixedPointOverflow`.
    static func add(_ q: Int64, _ x: Double, sample: Int) throws -> Int64 {
        guard x.isFinite, abs(x) < largestEntry else { throw PathTrainingError.fixedPointOverflow(sample: sample, value: x) }
        let (sum, overflow) = q.addingReportingOverflow(Int64((x * fixedScale).rounded()))
        guard !overflow else { throw PathTrainingError.fixedPointOverflow(sample: sample, value: x) }
        return sum
    }
}
