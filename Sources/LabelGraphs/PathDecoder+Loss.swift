import Core
import LinearAlgebra
import NeuralNets

/// A batch for the path decoder: encoder vectors e (B, F) and each sample's ground truth.
public struct PathBatch<S: NeuralScalar>: Sendable {
    public var features: Matrix<S>
    public var truths: [GroundTruth]
    public init(features: Matrix<S>, truths: [GroundTruth]) {
        precondition(features.rows == truths.count, "PathBatch: \(features.rows) feature rows, \(truths.count) ground truths")
        self.features = features
        self.truths = truths
    }
}

/// The hyper-parameters of Algorithm 1 (value type; the defaults are the paper's best: mean pooling).
public struct PathTrainingOptions: Sendable, Equatable {
    /// How the up to N_p target paths of one sample are pooled (section 4.5 ablation).
    public enum Pooling: Sendable, Equatable {
        /// α/k · Σ over the k ≤ N_p chosen paths (the paper's best).
        case mean
        /// α · Σ over the chosen paths.
        case sum
        /// one path drawn at random, weight α.
        case random
    }

    /// α, the weight of L_d.
    public var alpha: Double = 1
    /// β, the weight of L_nd.
    public var beta: Double = 1
    /// r_tf: teacher forcing when coin ∼ U(0, 1) ≤ r_tf, else free running (one coin per call, as Algorithm 1).
    public var teacherForcingRate: Double = 1
    /// N_p: at most this many deterministic target paths per sample (a random subset when there are more).
    public var maxTargetPaths: Int = 4
    public var pooling: Pooling = .mean
    /// K paths sampled per nondeterministic sample (the paper: 1), averaged.
    public var reinforceSamples: Int = 1
    /// How nondeterministic ground truth is trained.
    public enum Nondeterministic: String, Sendable, Equatable, CaseIterable {
        /// REINFORCE with r = |P̂ ∩ S| / |S| (the paper, Algorithm 1).
        case reinforce
        /// −log Σ p(P) over each label's paths (`PathDecoder+Marginal.swift`); replaces the whole loss.
        case marginalLikelihood = "marginal"
    }
    public var nondeterministic: Nondeterministic = .reinforce

    public init(alpha: Double = 1, beta: Double = 1, teacherForcingRate: Double = 1, maxTargetPaths: Int = 4,
                pooling: Pooling = .mean, reinforceSamples: Int = 1, nondeterministic: Nondeterministic = .reinforce) {
        self.nondeterministic = nondeterministic
        precondition(maxTargetPaths >= 1 && reinforceSamples >= 1, "PathTrainingOptions: N_p and K must be ≥ 1")
        self.alpha = alpha
        self.beta = beta
        self.teacherForcingRate = teacherForcingRate
        self.maxTargetPaths = maxTargetPaths
        self.pooling = pooling
        self.reinforceSamples = reinforceSamples
    }
}

/// The running-average baseline b(r) of eq. 5: b ← μ·b + (1 − μ)·mean reward of the batch (b = the first
/// batch's mean at the start). A data-parallel trainer all-reduces `rewardSum` and `rewardCount` first, so
/// every rank holds the same b.
public struct RewardBaseline: Sendable, Equatable {
    public var value: Double = 0
    /// μ.
    public var momentum: Double
    public private(set) var updates = 0

    public init(momentum: Double = 0.9) { self.momentum = momentum }

    /// A baseline restored from a training checkpoint (b and the number of updates behind it).
    public init(momentum: Double, value: Double, updates: Int) {
        self.momentum = momentum
        self.value = value
        self.updates = updates
    }

    public mutating func update(rewardSum: Double, count: Int) {
        guard count > 0 else { return }
        let mean = rewardSum / Double(count)
        value = updates == 0 ? mean : momentum * value + (1 - momentum) * mean
        updates += 1
    }
}

/// What `PathDecoder.loss` returns. All sums are over the local batch (data-parallel contract).
public struct PathLoss<S: NeuralScalar>: Sendable {
    /// α·L_d + β·L_nd, summed over samples (L_nd is the REINFORCE surrogate −Σ(r − b)·log p(P̂)).
    public var loss: S
    /// α·L_d alone.
    public var deterministicLoss: S
    /// β·L_nd alone.
    public var reinforceLoss: S
    /// Σ r(P̂) over the sampled paths, and their number, for `RewardBaseline.update`.
    public var rewardSum: Double
    public var rewardCount: Int
    /// ∂loss/∂features (B, F), to backpropagate into an upstream encoder.
    public var dFeatures: Matrix<S>
}

extension PathDecoder {
    /// Algorithm 1 on one batch: the SUM over samples of α·L_d + β·L_nd, with its gradient accumulated (+=)
    /// into `parameters.grads` (zero them first). The trainer all-reduces the grads and divides by the global
    /// sample count, as for `TextClassifier.loss`.
    ///
    ///  1. Deterministic paths of each sample (Definition 3.2): up to N_p chosen, pooled by `options.pooling`,
    ///     scored by teacher forcing — or free running when coin > r_tf.
    ///  2. Samples with a nondeterministic path (Definition 3.3): K paths P̂ sampled from the model, reward
    ///     r = |P̂ ∩ S| / |S| (eq. 3), surrogate weight β·(r − b)/K on −log p(P̂), whose gradient is the
    ///     REINFORCE estimate −β·(r − b)·∇log p(P̂) (eq. 5).
    ///
    /// `rng` draws the coin, the path subsets and the samples, so a call is reproducible from its seed.
    /// With `sampleStreams` (one generator per row of the batch), sample b's path subset and REINFORCE draws
    /// come from `sampleStreams[b]` and only the coin from `rng`: a data-parallel trainer that seeds stream b
    /// from (seed, step, global sample id) and the coin from (seed, step) gets the same draws for a sample
    /// whichever rank holds it, so its loss curve does not depend on the rank count.
    @_specialize(where S == Float)
    public func loss<S: NeuralScalar>(
        _ batch: PathBatch<S>, options: PathTrainingOptions = PathTrainingOptions(), baseline: Double,
        parameters: inout Parameters<S>, rng: inout SeededRandom, sampleStreams: [SeededRandom]? = nil
    ) -> PathLoss<S> {
        precondition(sampleStreams.map { $0.count == batch.truths.count } ?? true,
                     "PathDecoder.loss: \(sampleStreams?.count ?? 0) sample streams for \(batch.truths.count) samples")
        if options.nondeterministic == .marginalLikelihood { return marginalLoss(batch, options: options, parameters: &parameters) }
        var streams = sampleStreams ?? []
        // Sample b's generator: its own stream when given, else the shared `rng`.
        func withGenerator<R>(_ b: Int, _ body: (inout SeededRandom) -> R) -> R {
            streams.isEmpty ? body(&rng) : body(&streams[b])
        }
        let values = parameters.values
        let (h0, encoderCache) = encode(batch.features, parameters: values)
        var dH0 = Matrix<S>(rows: h0.rows, columns: h0.columns)
        let freeRunning = rng.uniform() > options.teacherForcingRate

        var forced: [PathTarget] = []
        for (b, truth) in batch.truths.enumerated() {
            var chosen = truth.deterministicPaths
            if chosen.isEmpty { continue }
            if options.pooling == .random {
                chosen = [chosen[withGenerator(b) { $0.bounded(chosen.count) }]]
            } else if chosen.count > options.maxTargetPaths {
                chosen = withGenerator(b) { $0.sample(options.maxTargetPaths, from: chosen.count) }.map { chosen[$0] }
            }
            let weight = options.pooling == .mean ? options.alpha / Double(chosen.count) : options.alpha
            forced += chosen.map { PathTarget(sample: b, path: $0, weight: weight) }
        }
        let deterministic = pathLikelihood(h0: h0, targets: forced, freeRunning: freeRunning, parameters: values,
                                           grads: &parameters.grads, dH0: &dH0)

        let uncertain = batch.truths.indices.filter { batch.truths[$0].hasNondeterministicPaths }
        var sampled: [PathTarget] = []
        var rewardSum = 0.0
        if !uncertain.isEmpty {
            let k = options.reinforceSamples
            var starts = Matrix<S>(rows: uncertain.count * k, columns: h0.columns)
            for (i, b) in uncertain.enumerated() {
                for s in 0 ..< k { for j in 0 ..< h0.columns { starts[i * k + s, j] = h0[b, j] } }
            }
            let draws: [[Int]]
            if streams.isEmpty {
                draws = samplePaths(h0: starts, parameters: values, rng: &rng)
            } else {
                // Row (i, s) draws from a child of sample uncertain[i]'s stream.
                var rowStreams: [SeededRandom] = []
                for b in uncertain {
                    let childSeed = streams[b].next()
                    for s in 0 ..< k { rowStreams.append(SeededRandom(seed: childSeed, stream: UInt64(s))) }
                }
                draws = samplePaths(h0: starts, parameters: values, rowStreams: &rowStreams)
            }
            for (row, path) in draws.enumerated() {
                let b = uncertain[row / k]
                let reward = batch.truths[b].reward(path)
                rewardSum += reward
                sampled.append(PathTarget(sample: b, path: path, weight: options.beta * (reward - baseline) / Double(k)))
            }
        }
        let reinforce = pathLikelihood(h0: h0, targets: sampled, freeRunning: false, parameters: values,
                                       grads: &parameters.grads, dH0: &dH0)
        let dFeatures = encoderBackward(dH0, encoderCache, parameters: values, into: &parameters.grads)
        return PathLoss(loss: deterministic + reinforce, deterministicLoss: deterministic, reinforceLoss: reinforce,
                        rewardSum: rewardSum, rewardCount: sampled.count, dFeatures: dFeatures)
    }
}
