import NeuralNets
import Storage

/// The hyper-parameters of data-parallel training (a value: the CLI builds it, the trainer reads it, the
/// checkpoint stores it). Defaults follow Instance Infusion, Table 3 and §4: learning rate 0.01, decreased to
/// 0.3× every 10 epochs; Adam; the batch size and epochs are per dataset (BBC 32/20, BBC Sport 16/20,
/// 20 Newsgroups 256/30).
public struct TrainingOptions: Sendable, Equatable {
    public enum Optimizer: String, Sendable, CaseIterable {
        /// Adam (β₁ 0.9, β₂ 0.999, ε 1e-8) with the step-decayed learning rate.
        case adam
        /// Plain SGD with the step-decayed learning rate.
        case sgd
    }

    public var epochs: Int
    /// B, the GLOBAL batch: each step's B samples are split over the ranks (`shard`).
    public var batchSize: Int
    public var learningRate: Double
    public var optimizer: Optimizer
    /// η(epoch) = η₀ · decayFactor^⌊epoch / decayEvery⌋.
    public var decayFactor: Double
    public var decayEvery: Int
    /// Clip the averaged gradient to this global L2 norm; nil = no clipping.
    public var clipNorm: Double?
    /// Seeds the per-epoch permutations.
    public var seed: UInt64
    /// Check every `consistencyCheckEvery` steps that all ranks hold identical parameters (one 2-element
    /// all-reduce of a hash); 0 = only at the end of each epoch.
    public var consistencyCheckEvery: Int
    /// Folder for `checkpoint.h5` (written by rank 0 at the end of every epoch); nil = no checkpoints.
    public var checkpointDirectory: String?
    /// Also checkpoint every this many steps inside an epoch (0 = only at epoch ends).
    public var checkpointEverySteps: Int
    /// Stop (after checkpointing) once this many steps have run in this process: simulates an interruption
    /// for the resume tests and the smoke script. nil = run to the end.
    public var stopAfterSteps: Int?

    public init(epochs: Int, batchSize: Int, learningRate: Double = 0.01, optimizer: Optimizer = .adam,
                decayFactor: Double = 0.3, decayEvery: Int = 10, clipNorm: Double? = nil, seed: UInt64 = 0,
                consistencyCheckEvery: Int = 0, checkpointDirectory: String? = nil, checkpointEverySteps: Int = 0,
                stopAfterSteps: Int? = nil) {
        precondition(epochs >= 0 && batchSize >= 1 && decayEvery >= 1, "TrainingOptions: epochs ≥ 0, batchSize ≥ 1")
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.optimizer = optimizer
        self.decayFactor = decayFactor
        self.decayEvery = decayEvery
        self.clipNorm = clipNorm
        self.seed = seed
        self.consistencyCheckEvery = consistencyCheckEvery
        self.checkpointDirectory = checkpointDirectory
        self.checkpointEverySteps = checkpointEverySteps
        self.stopAfterSteps = stopAfterSteps
    }

    /// The learning-rate schedule.
    public var schedule: StepDecay { StepDecay(initialRate: learningRate, factor: decayFactor, every: decayEvery) }

    /// The options a resumed run must share with the run that wrote the checkpoint (everything that changes
    /// the arithmetic; `epochs` may grow, so a finished run can be extended).
    public var checkedAttributes: [String: HDF5AttributeValue] {
        ["train.batch_size": .int(batchSize), "train.learning_rate": .double(learningRate),
         "train.optimizer": .string(optimizer.rawValue), "train.decay_factor": .double(decayFactor),
         "train.decay_every": .int(decayEvery), "train.clip_norm": .double(clipNorm ?? 0),
         "train.seed": .int(Int(bitPattern: UInt(seed)))]
    }
}

extension TrainingOptions {
    /// The options of one trial of a hyper-parameter selection (`Selection`, Stages) at learning rate η: the same
    /// run with η, and neither checkpoints nor a step limit (a trial is scored on validation rows and discarded,
    /// so nothing of it may resume or be resumed).
    public func selectionTrial(learningRate η: Double) -> TrainingOptions {
        var trial = self
        (trial.learningRate, trial.checkpointDirectory, trial.stopAfterSteps) = (η, nil, nil)
        return trial
    }
}

/// One line of the training curve, reported after every epoch.
public struct EpochSummary: Sendable, Equatable {
    /// 0-based.
    public var epoch: Int
    /// Σ loss / Σ samples over the epoch (all ranks).
    public var meanLoss: Double
    public var samples: Int
    public var learningRate: Double
    /// Steps taken so far in the whole run (resumed runs count the steps before the interruption).
    public var totalSteps: Int
    /// What the trainer's `evaluate` measured after this epoch (held-out accuracy, macro-F1, …): kept in the
    /// checkpoint with the rest of the curve, so a resumed run reports the same curves as an uninterrupted one.
    public var metrics: [String: Double] = [:]

    public init(epoch: Int, meanLoss: Double, samples: Int, learningRate: Double, totalSteps: Int,
                metrics: [String: Double] = [:]) {
        self.epoch = epoch
        self.meanLoss = meanLoss
        self.samples = samples
        self.learningRate = learningRate
        self.totalSteps = totalSteps
        self.metrics = metrics
    }
}

/// Why training stopped. Each message names the file or step and the fix.
public enum TrainingError: Error, Equatable, CustomStringConvertible {
    /// The ranks' parameters differ (max − min of their hashes ≠ 0) at a consistency check.
    case parametersDiverged(step: Int, minimumHash: Int64, maximumHash: Int64)
    /// The checkpoint was written with different options or a different model/data configuration.
    case checkpointMismatch(path: String, differences: [String])
    /// The checkpoint cannot be used (missing when --resume was asked, or unreadable).
    case checkpointUnusable(path: String, reason: String)
    /// Rank 0 failed to load the checkpoint; the other ranks stop with this.
    case rootFailed(message: String)

    public var description: String {
        switch self {
        case let .parametersDiverged(step, minimumHash, maximumHash):
            return "ranks hold different parameters after step \(step) (hashes \(minimumHash) … \(maximumHash)); "
                + "a rank computed a different batch or the all-reduce is not identical on every rank: run with "
                + "TRIBUTARY_VERBOSE_RANKS=1 and report it"
        case let .checkpointMismatch(path, differences):
            return "\(path): checkpoint was written with other settings (\(differences.joined(separator: "; "))); "
                + "resume with the same options, or start over without --resume (or with another --checkpoint folder)"
        case let .checkpointUnusable(path, reason):
            return "\(path): cannot resume (\(reason)); start without --resume, or pass the folder of an earlier run"
        case let .rootFailed(message):
            return "rank 0 failed: \(message)"
        }
    }
}
