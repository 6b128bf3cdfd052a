import Core
import LinearAlgebra
import NeuralNets
import Storage

/// Synchronous data-parallel training over the ranks of a `Communicator` (Horovod's recipe, one fused buffer).
///
/// Per run:
/// 1. parameters are broadcast from rank 0 (or, with `resume`, rank 0 loads `checkpoint.h5` and broadcasts
///    parameters, optimizer state and position);
/// 2. epoch e visits the N samples in the order π_e = permutation(N) of `SeededRandom(seed, stream: e + 1)`:
///    a pure function of (seed, e), the same on every rank, so a run resumed mid-epoch replays it exactly;
/// 3. step s takes the global batch β_s = π_e[sB ..< min((s+1)B, N)] and rank r its slice
///    β_s[shard(|β_s|, r, R)];
/// 4. each rank zeroes the gradient and calls `lossSum(slice, &parameters)`, which returns ℓ_r = Σ_{i∈slice} ℓ_i
///    and accumulates ∇ℓ_r into `parameters.grads`;
/// 5. ONE all-reduce (sum) of the buffer [∇ℓ_r ‖ ℓ_r ‖ n_r] (the grads array with two scalars appended) gives
///    g = Σ_r ∇ℓ_r, ℓ = Σ_r ℓ_r and n = Σ_r n_r = |β_s|;
/// 6. every rank takes the same step with gradient scale s = 1/n (the gradient of the mean loss over the
///    GLOBAL batch, whatever the split), clipped when ‖g‖/n > clipNorm: s ← s · clipNorm / (‖g‖/n);
/// 7. every `consistencyCheckEvery` steps and at each epoch end, the ranks all-reduce [h, ¬h] with max, h a
///    64-bit FNV-1a hash of the parameter bits: max h − min h ≠ 0 is `TrainingError.parametersDiverged`;
/// 8. rank 0 writes `checkpoint.h5` atomically at every epoch end (and every `checkpointEverySteps` steps),
///    with the caller's own state (`extras`, `CheckpointExtras`).
///
/// Sharded epochs: when an epoch starts (or resumes part-way) `prepareEpoch` tells each rank the samples of its
/// slices, `localSamples` (≈ N/R), so a stage can read only those.
///
/// Determinism: at a fixed rank count, runs are bit-identical, and a resumed run ends with the same bits as an
/// uninterrupted one. Across rank counts the loss curves agree to float rounding (the gradient sums are
/// associated differently) — unless `orderedBlockSize` is set: then every sum of step 5 is an `OrderedReduction`
/// over fixed blocks of the global batch and the bits are the same for any rank count.
public struct DataParallelTrainer {
    public let options: TrainingOptions
    public let communicator: any Communicator
    /// The model/data settings stored in the checkpoint and compared on resume (besides `options`).
    public let configuration: [String: HDF5AttributeValue]
    /// Caller state saved with every checkpoint and restored on resume (`CheckpointExtras`); nil = none.
    public var extras: CheckpointExtras?
    /// Keys of `configuration` whose values are paths stored relative to the checkpoint file
    /// (`ArtifactHeader.storedPath`). On resume such a value matches when it names the same file, so a checkpoint
    /// written before the path was stored that way (the path as given, relative to the working directory) resumes.
    public var pathAttributes: Set<String> = []
    /// Rows per block of the ordered batch sums (`DataParallelTrainer+Ordered`): the same bits for any rank count.
    /// nil = one all-reduce of per-rank partial sums (agree to float rounding across rank counts).
    public var orderedBlockSize: Int?

    /// What a run returns.
    public struct Result {
        public var parameters: Parameters<Float>
        /// Every epoch's summary, those before a resume included (from the checkpoint).
        public var history: [EpochSummary]
        /// Parameter-consistency checks that passed in this process.
        public var consistencyChecks: Int
        /// False when `stopAfterSteps` ended the run early.
        public var finished: Bool
    }

    public init(options: TrainingOptions, communicator: any Communicator,
                configuration: [String: HDF5AttributeValue] = [:], extras: CheckpointExtras? = nil) {
        self.options = options
        self.communicator = communicator
        self.configuration = configuration
        self.extras = extras
    }

    /// Trains `initial` on samples 0 ..< `sampleCount` (see the type's steps). `evaluate` runs on every rank
    /// after each epoch, before the checkpoint (it may use collectives, e.g. a sharded evaluation); the metrics
    /// it returns join the epoch's summary and the checkpoint, so the curves survive a resume. `onEpoch` runs
    /// on every rank after the checkpoint, with that summary. `onBatch` runs on every rank after
    /// each step with the epoch's progress (batches done / total, the samples and seconds of this process since
    /// the epoch started or resumed, the running mean loss): it only reads, so it changes no result; hand it a
    /// `ProgressReporter`'s `tick` (which prints on rank 0 only). It must not call collectives. `prepareEpoch` runs
    /// on every rank when an epoch starts (or resumes part-way) with the samples this rank's `lossSum` calls of
    /// that epoch will ask for (`localSamples`), so a stage can read just those (sharded epochs); no collectives.
    /// `shouldStop` runs on every rank after `onEpoch` with the curve so far: true ends the run there, finished
    /// (early stopping on a validation metric that `evaluate` measured, the same on every rank).
    /// `prepareStep` runs on every rank before each step's `lossSum`, with the number of steps taken before it
    /// (0-based, counted across epochs and resumes), the step's global batch β_s, this rank's slice of it (empty on
    /// a rank with no sample) and the parameters the step starts from (those after the previous step): it may use
    /// collectives (every rank calls it once per step), e.g. to re-retrieve the batch's
    /// neighbours with the current encoder (`train-infused --refresh-unit steps`).
    ///
    /// With `orderedBlockSize` set, steps 4–5 are those of `train(initial:…blockLoss:…)` (`DataParallelTrainer+Ordered`):
    /// `lossSum` is called once per fixed block of the global batch and the sums do not depend on the rank count.
    public func train(
        initial: Parameters<Float>, sampleCount: Int, resume: Bool = false,
        lossSum: (_ samples: [Int], _ parameters: inout Parameters<Float>) -> Float,
        evaluate: (EpochSummary, Parameters<Float>) throws -> [String: Double] = { _, _ in [:] },
        onEpoch: (EpochSummary, Parameters<Float>) throws -> Void = { _, _ in },
        onBatch: (ProgressTick) -> Void = { _ in },
        shouldStop: (_ history: [EpochSummary]) -> Bool = { _ in false },
        prepareEpoch: (_ epoch: Int, _ samples: [Int]) throws -> Void = { _, _ in },
        prepareStep: ((_ step: Int, _ batch: [Int], _ local: [Int], _ parameters: Parameters<Float>) throws -> Void)? = nil
    ) throws -> Result {
        if orderedBlockSize != nil {
            return try train(initial: initial, sampleCount: sampleCount, resume: resume,
                             blockLoss: { samples, _, parameters in BlockLoss(loss: lossSum(samples, &parameters)) },
                             evaluate: evaluate, onEpoch: onEpoch, onBatch: onBatch, shouldStop: shouldStop,
                             prepareEpoch: prepareEpoch, prepareStep: prepareStep)
        }
        let comm = communicator
        return try run(initial: initial, sampleCount: sampleCount, resume: resume, stepSum: { batch, _, parameters in
            let local = shard(count: batch.count, rank: comm.rank, size: comm.size)
            let parameterCount = parameters.values.count
            parameters.zeroGrads()
            let localLoss = local.isEmpty ? 0 : lossSum(Array(batch[batch.startIndex + local.lowerBound ..< batch.startIndex + local.upperBound]), &parameters)
            // Distributed: one fused all-reduce of [grads ‖ loss ‖ count]; the grads array keeps its
            // capacity, so after the first step the two appends cost nothing.
            parameters.grads.append(localLoss)
            parameters.grads.append(Float(local.count))
            try comm.allReduce(&parameters.grads, op: .sum)
            let globalCount = parameters.grads.removeLast()
            let globalLoss = parameters.grads.removeLast()
            precondition(parameters.grads.count == parameterCount && globalCount == Float(batch.count))
            return globalLoss
        }, evaluate: evaluate, onEpoch: onEpoch, onBatch: onBatch, shouldStop: shouldStop, prepareEpoch: prepareEpoch,
           prepareStep: prepareStep)
    }

    /// The loop of steps 1–8; `stepSum(β_s, s, &θ)` does steps 4–5 on every rank: it leaves g = Σ_{i∈β_s} ∇ℓ_i in
    /// `θ.grads` (the same on every rank) and returns ℓ = Σ_{i∈β_s} ℓ_i; s is the 0-based global step index.
    func run(
        initial: Parameters<Float>, sampleCount: Int, resume: Bool,
        stepSum: (_ batch: ArraySlice<Int>, _ step: Int, _ parameters: inout Parameters<Float>) throws -> Float,
        evaluate: (EpochSummary, Parameters<Float>) throws -> [String: Double],
        onEpoch: (EpochSummary, Parameters<Float>) throws -> Void,
        onBatch: (ProgressTick) -> Void,
        shouldStop: (_ history: [EpochSummary]) -> Bool,
        prepareEpoch: (_ epoch: Int, _ samples: [Int]) throws -> Void,
        prepareStep: ((_ step: Int, _ batch: [Int], _ local: [Int], _ parameters: Parameters<Float>) throws -> Void)?
    ) throws -> Result {
        let comm = communicator
        var state = try resume ? loadCheckpoint(like: initial) : freshState(initial)
        let stepsPerEpoch = (sampleCount + options.batchSize - 1) / options.batchSize
        var checks = 0, stepsHere = 0

        // Takes the values rather than capturing `state`, so `state` stays a plain local whose disjoint
        // properties (adam, parameters) may be accessed together.
        func checkConsistency(_ values: [Float], step: Int) throws {
            let h = Int64(bitPattern: Self.hash(values))
            var extremes: [Int64] = [h, ~h]
            try comm.allReduce(&extremes, op: .max)  // Distributed: [max h, max ¬h = ¬min h]
            guard extremes[0] == ~extremes[1] else {
                throw TrainingError.parametersDiverged(step: step, minimumHash: ~extremes[1], maximumHash: extremes[0])
            }
            checks += 1
        }

        let clock = ContinuousClock()
        while state.epoch < options.epochs {
            let epoch = state.epoch
            let rate = options.schedule.learningRate(epoch: epoch)
            let order = Self.permutation(count: sampleCount, seed: options.seed, epoch: epoch)
            try prepareEpoch(epoch, Self.localSamples(order: order, fromBatch: state.batch, batchSize: options.batchSize,
                                                      rank: comm.rank, size: comm.size, orderedBlockSize: orderedBlockSize))
            // Progress only: where this process started the epoch (part-way when resumed), and when.
            let epochStart = clock.now, batchAtStart = state.batch, samplesAtStart = state.epochSamples
            while state.batch < stepsPerEpoch {
                let batch = order[state.batch * options.batchSize ..< min((state.batch + 1) * options.batchSize, sampleCount)]
                if let prepareStep {  // Distributed: collective, every rank, with the rows its sums will ask for
                    let local = Self.localRows(batchCount: batch.count, rank: comm.rank, size: comm.size,
                                               orderedBlockSize: orderedBlockSize)
                    try prepareStep(state.totalSteps, Array(batch),
                                    Array(batch[batch.startIndex + local.lowerBound ..< batch.startIndex + local.upperBound]), state.parameters)
                }
                let globalLoss = try stepSum(batch, state.totalSteps, &state.parameters)
                var scale = 1 / Float(batch.count)  // Distributed: divide by the GLOBAL sample count
                if let clip = options.clipNorm {
                    let norm = GradientClipping.globalNorm(state.parameters.grads) * Double(scale)
                    if norm > clip { scale *= Float(clip / norm) }
                }
                switch options.optimizer {
                case .adam:
                    state.adam.learningRate = rate
                    state.adam.step(&state.parameters, gradientScale: scale)
                case .sgd:
                    SGD(learningRate: rate).step(&state.parameters, gradientScale: scale)
                }
                state.batch += 1
                state.totalSteps += 1
                state.epochLoss += Double(globalLoss)
                state.epochSamples += batch.count
                stepsHere += 1
                if options.consistencyCheckEvery > 0 && state.totalSteps % options.consistencyCheckEvery == 0 {
                    try checkConsistency(state.parameters.values, step: state.totalSteps)
                }
                let stopping = options.stopAfterSteps.map { stepsHere >= $0 } ?? false
                if state.batch < stepsPerEpoch
                    && (stopping || (options.checkpointEverySteps > 0 && state.totalSteps % options.checkpointEverySteps == 0)) {
                    try writeCheckpoint(state)
                }
                onBatch(ProgressTick(
                    task: "epoch \(epoch + 1)/\(options.epochs)", done: state.batch, total: stepsPerEpoch, unit: "batches",
                    doneAtStart: batchAtStart, seconds: epochStart.duration(to: clock.now).inSeconds,
                    processed: state.epochSamples - samplesAtStart, processedUnit: "samples",
                    loss: state.epochLoss / Double(max(1, state.epochSamples)), epoch: epoch + 1, epochs: options.epochs))
                FaultInjection.point("train", step: state.totalSteps, rank: comm.rank, size: comm.size)
                if stopping && state.batch < stepsPerEpoch {
                    return Result(parameters: state.parameters, history: state.history, consistencyChecks: checks, finished: false)
                }
            }
            var summary = EpochSummary(epoch: epoch, meanLoss: state.epochLoss / Double(max(1, state.epochSamples)),
                                       samples: state.epochSamples, learningRate: rate, totalSteps: state.totalSteps)
            summary.metrics = try evaluate(summary, state.parameters)
            state.history.append(summary)
            state.epoch += 1
            state.batch = 0
            state.epochLoss = 0
            state.epochSamples = 0
            try checkConsistency(state.parameters.values, step: state.totalSteps)
            try writeCheckpoint(state)
            try onEpoch(summary, state.parameters)
            if shouldStop(state.history) {
                return Result(parameters: state.parameters, history: state.history, consistencyChecks: checks, finished: true)
            }
            if let stop = options.stopAfterSteps, stepsHere >= stop, state.epoch < options.epochs {
                return Result(parameters: state.parameters, history: state.history, consistencyChecks: checks, finished: false)
            }
        }
        return Result(parameters: state.parameters, history: state.history, consistencyChecks: checks, finished: true)
    }

    /// π_e: the sample order of epoch `epoch`, a pure function of (seed, epoch).
    public static func permutation(count: Int, seed: UInt64, epoch: Int) -> [Int] {
        var rng = SeededRandom(seed: seed, stream: UInt64(epoch) &+ 1)
        return rng.permutation(count)
    }

    /// 64-bit FNV-1a over the bit patterns of `values`.
    public static func hash(_ values: [Float]) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        values.withUnsafeBufferPointer { buffer in
            for value in buffer {
                h ^= UInt64(value.bitPattern)
                h &*= 0x0000_0100_0000_01B3
            }
        }
        return h
    }
}
