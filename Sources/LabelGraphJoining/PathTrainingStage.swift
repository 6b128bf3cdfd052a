import Core
import Distributed
import LabelGraphs
import LinearAlgebra
import NeuralNets
import Stages
import Storage
import Training

/// The `train-paths` stage: joined datasets (encoder vectors + graph labels) → a trained model file.
///
///     specs ─▶ PathSamples (label nodes; X's shape) ─▶ PathFeatureRows: mean / std streamed over X ─▶ ground truths
///           ─▶ DataParallelTrainer: PathDecoder.loss (label-aug) | BaselineClassifier (ffn[-fused], label-set[-aug], pseudo)
///              (each epoch, a rank reads and standardises only the rows of its samples: `prepareEpoch`)
///           ─▶ model.h5 (rank 0); checkpoints and resume: `PathTrainingStage+Checkpoint`
///
/// With `textEncoder` (label-aug only) the bi-LSTM encoder is trained jointly instead of reading fixed vectors:
/// `PathTrainingStage+EndToEnd` (one buffer θ_text ++ θ_dec, exact step sums: the same bits for any rank count).
///
/// Every rank holds every sample's labels and, during an epoch, the rows of X its blocks need (≈ N/R);
/// each step's batch is cut into fixed blocks of `orderedBlockSize` samples, shared out over the ranks, and the
/// block gradients summed in block order (`DataParallelTrainer+Ordered`), so every method gives the same bits
/// for any rank count. Label-aug also sums [Σ r, count] of its REINFORCE samples that way every step, so every
/// rank updates the same running baseline b, and its random draws are keyed by the global step and sample: the
/// teacher-forcing coin of step s comes from (seed, s) and sample i's path subset and REINFORCE draws from
/// (seed, s, i) (`PathDecoder.loss(sampleStreams:)`). (The end-to-end mode sums exactly in fixed point instead,
/// in collective steps that every rank joins, so it too uses every sample each epoch.)
public struct PathTrainingStage {
    public var configuration: Configuration
    /// Set by `select` (`PathTrainingStage+Selection`): a trial's validation hooks, or the selection that chose
    /// the final run's values (recorded in model.h5).
    var trial: Trial?
    var selected: (selection: Selection, outcome: Selection.Outcome, validationIDs: [String])?
    public init(_ configuration: Configuration) { self.configuration = configuration }

    /// Runs the stage on every rank; `progress` shows the batches of each epoch and gets one metrics record per
    /// epoch (rank 0).
    public func run(communicator comm: any Communicator, progress: ProgressReporter = .silent()) throws -> Report {
        let cfg = configuration
        let graph = try LabelGraph.read(file: cfg.graphPath)
        guard graph.datasets.contains(cfg.target) else {
            throw PathTrainingError.invalidOption(name: "--target", reason: "'\(cfg.target)' is not a dataset of \(cfg.graphPath) (it has \(graph.datasets.joined(separator: ", ")))")
        }
        guard cfg.training.batchSize >= comm.size else {
            throw PathTrainingError.invalidOption(name: "--batch-size", reason: "\(cfg.training.batchSize) is smaller than the \(comm.size) ranks")
        }
        for (i, spec) in cfg.specs.enumerated() where spec.labels == nil {
            throw PathTrainingError.invalidOption(name: "--join #\(i + 1)", reason: "\(spec) has no labels=FILE.csv; training needs labels")
        }
        // Labels and provenance of every sample; X is read by rows (`PathFeatureRows`): streamed once for the
        // standardisation, then each epoch only this rank's samples.
        let (samples, featureSets) = try PathSamples.load(cfg.specs, graph: graph, featureSets: cfg.featureSets, readFeatures: false)
        for warning in samples.warnings { comm.log0("warning: \(warning)") }
        guard let selection = cfg.selection else {
            return try train(samples, featureSets: featureSets, graph: graph, communicator: comm, progress: progress)
        }
        return try select(selection, samples: samples, featureSets: featureSets, graph: graph, communicator: comm, progress: progress)
    }

    /// Trains `configuration`'s model on `samples` (all of them: the joined rows, or a selection trial's fit rows).
    func train(_ samples: PathSamples, featureSets: [String], graph: LabelGraph, communicator comm: any Communicator,
               progress: ProgressReporter) throws -> Report {
        let cfg = configuration
        let x = PathFeatureRows(samples: samples, specs: cfg.specs, featureSets: featureSets)
        try x.fitStandardisation()
        let (mean, scale) = (x.mean, x.scale)
        let paths = PredictionPaths(graph: graph)
        let truths = try samples.labelSets.indices.map { try paths.groundTruth(labels: samples.labelSets[$0], dataset: samples.datasets[$0]) }
        let perDataset = Dictionary(grouping: samples.datasets, by: { $0 }).mapValues(\.count)
        comm.log0("train-paths: \(cfg.method.rawValue) on \(samples.count) samples (" + perDataset.keys.sorted()
            .map { "\($0) \(perDataset[$0]!)" }.joined(separator: ", ") + "), F = \(x.width) (\(featureSets.joined(separator: " + "))), "
            + "graph \(cfg.graphPath): \(graph.count) nodes, \(graph.labelNodes.count) labels; \(comm.size) rank(s)")

        let f = x.width, m = cfg.encoderHidden
        var model = PathModelFile(method: cfg.method, target: cfg.target, graph: graph, featureSets: featureSets, featureSize: f,
                                  encoderHidden: m, embeddingSize: cfg.embeddingSize, hiddenSize: cfg.hiddenSize,
                                  parameters: [], featureMean: mean, featureScale: scale, history: [])
        model.multiLabel = cfg.multiLabel && cfg.method == .ffn
        model.split = cfg.split.isEmpty ? Self.trainingParts(samples) : cfg.split
        let settings = settings(samples: samples.count, featureSets: featureSets)
        let (evaluate, shouldStop) = try epochHooks(model, featureSets: featureSets)
        let log: (EpochSummary, Parameters<Float>) throws -> Void = { summary, _ in
            progress.clear()
            comm.log0("epoch \(summary.epoch + 1)/\(cfg.training.epochs)  loss \(fixed(summary.meanLoss, 5))")
            progress.epoch(summary.epoch + 1, of: cfg.training.epochs, loss: summary.meanLoss, samples: summary.samples,
                           learningRate: summary.learningRate)
        }
        var result: DataParallelTrainer.Result
        var pseudoKept: Int?
        switch cfg.method {
        case .labelAug:
            let decoder = try model.decoder()
            let state = LabelAugState(momentum: cfg.baselineMomentum)
            let extras = state.extras(path: cfg.training.checkpointDirectory ?? "(no checkpoint folder)")
            if let encoder = cfg.textEncoder {
                model.textEncoder = encoder
                result = try trainEndToEnd(encoder, model: model, samples: samples, truths: truths, state: state,
                                           trainer: trainer(comm, settings: settings, extras: extras, ordered: false),
                                           log: log, progress: progress)
                model.attributes["reward_baseline"] = .double(state.baseline.value)
                break
            }
            // Ordered batch sums (`DataParallelTrainer+Ordered`): the gradient, the loss and REINFORCE's [Σ r, count]
            // are summed block by block in a fixed order, and step s's draws come from (seed, s) and (seed, s, i)
            // with i the global sample index, so any rank count gives the same bits.
            result = try trainer(comm, settings: settings, extras: extras).train(
                initial: decoder.makeParameters(seed: cfg.seed), sampleCount: samples.count, resume: cfg.resume, statisticsWidth: 2,
                blockLoss: { batch, step, parameters in
                    state.step = UInt64(step) + 1
                    var coin = SeededRandom(seed: cfg.seed ^ 0x5EED_C011, stream: state.step)
                    let streams = batch.map { SeededRandom(seed: cfg.seed &+ state.step &* 0x9E37_79B9_7F4A_7C15, stream: UInt64($0)) }
                    let loss = decoder.loss(PathBatch(features: x.matrix(batch), truths: batch.map { truths[$0] }),
                                            options: cfg.pathOptions, baseline: state.baseline.value, parameters: &parameters,
                                            rng: &coin, sampleStreams: streams)
                    return .init(loss: loss.loss, statistics: [loss.rewardSum, Double(loss.rewardCount)])
                }, afterStep: { rewards in  // every rank: one b, from the block-ordered [Σ r, count]
                    state.baseline.update(rewardSum: rewards[0], count: Int(rewards[1]))
                }, evaluate: evaluate, onEpoch: log, onBatch: progress.tick, shouldStop: shouldStop,
                prepareEpoch: { _, batch in try x.keep(batch) })
            model.attributes["reward_baseline"] = .double(state.baseline.value)
        case .ffn where cfg.multiLabel:
            let fine = samples.datasets.indices.filter { samples.datasets[$0] == cfg.target }
            let classOf = Dictionary(uniqueKeysWithValues: graph.labels(in: cfg.target).enumerated().map { ($1, $0) })
            let targets = fine.map { samples.labelSets[$0].map { classOf[$0]! } }
            let classifier = model.baseline(graph: graph)
            result = try trainer(comm, settings: settings).train(
                initial: classifier.makeParameters(seed: cfg.seed), sampleCount: fine.count, resume: cfg.resume, lossSum: { batch, parameters in
                classifier.multiLabelLoss(x.matrix(batch.map { fine[$0] }), labelSets: batch.map { targets[$0] }, parameters: &parameters).loss
            }, evaluate: evaluate, onEpoch: log, onBatch: progress.tick, shouldStop: shouldStop, prepareEpoch: { _, batch in try x.keep(batch.map { fine[$0] }) })
        case .ffn:
            let fine = samples.datasets.indices.filter { samples.datasets[$0] == cfg.target }
            result = try trainFFN(model, x: x, rows: fine, labels: fine.map { samples.labels[$0]! }, graph: graph,
                                  trainer: trainer(comm, settings: settings), resume: cfg.resume, log: log, progress: progress)
        case .ffnFused:
            let fine = samples.datasets.indices.filter { samples.datasets[$0] == cfg.target }
            let others = samples.datasets.indices.filter { samples.datasets[$0] != cfg.target }
            let mapped = FusedLabels.map(others.map { samples.labels[$0]! }, target: cfg.target, in: graph)
            comm.log0("ffn-fused: kept \(mapped.kept.count) of \(others.count) other-dataset samples (their label names one "
                + "\(cfg.target) label; the rest have an unknown fine label and are dropped)")
            result = try trainFFN(model, x: x, rows: fine + mapped.kept.map { others[$0] },
                                  labels: fine.map { samples.labels[$0]! } + mapped.labels, graph: graph,
                                  trainer: trainer(comm, settings: settings), resume: cfg.resume, log: log, progress: progress)
            model.attributes["fused_kept"] = .int(mapped.kept.count)
            model.attributes["fused_candidates"] = .int(others.count)
        case .labelSet, .labelSetAugmented:
            let classifier = model.baseline(graph: graph)
            result = try trainer(comm, settings: settings).train(
                initial: classifier.makeParameters(seed: cfg.seed), sampleCount: samples.count, resume: cfg.resume, lossSum: { batch, parameters in
                classifier.labelSetLoss(x.matrix(batch), truths: batch.map { truths[$0] }, parameters: &parameters).loss
            }, evaluate: evaluate, onEpoch: log, onBatch: progress.tick, shouldStop: shouldStop, prepareEpoch: { _, batch in try x.keep(batch) })
        case .pseudoLabels:
            let fine = samples.datasets.indices.filter { samples.datasets[$0] == cfg.target }
            let firstTrainer = try trainer(comm, phase: Self.pseudoPhases.first, settings: settings)
            let first = try trainFFN(model, x: x, rows: fine, labels: fine.map { samples.labels[$0]! }, graph: graph,
                                     trainer: firstTrainer, resume: try resumes(firstTrainer, optional: false), log: log,
                                     progress: progress)
            guard first.finished else {  // stopped early (`stopAfterSteps`): nothing to relabel with yet
                result = first
                break
            }
            let others = samples.datasets.indices.filter { samples.datasets[$0] != cfg.target }
            let classes = graph.labels(in: cfg.target)
            let classifier = BaselineClassifier(graph: graph, objective: .softmax(classCount: classes.count), featureSize: f, hiddenSize: m)
            try x.keep(others)  // read whole: every rank relabels every other-dataset sample (see PathFeatureRows)
            let predicted = classifier.predict(x.matrix(others), parameters: first.parameters.values, candidates: Array(classes.indices))
                .map { classes[$0] }
            let relabelled = PseudoLabels.relabel(coarse: others.map { samples.labels[$0]! }, predictedFine: predicted, in: graph)
            pseudoKept = relabelled.kept.count
            comm.log0("pseudo-labels: kept \(relabelled.kept.count) of \(others.count) other-dataset samples (the rest contradict their coarse label)")
            let secondTrainer = try trainer(comm, phase: Self.pseudoPhases.second, settings: settings)
            result = try trainFFN(model, x: x, rows: fine + relabelled.kept.map { others[$0] },
                                  labels: fine.map { samples.labels[$0]! } + relabelled.labels, graph: graph, trainer: secondTrainer,
                                  resume: try resumes(secondTrainer, optional: true), log: log, progress: progress)
            model.attributes["pseudo_kept"] = .int(relabelled.kept.count)
            model.attributes["pseudo_candidates"] = .int(others.count)
        }
        model.parameters = result.parameters.values
        model.history = result.history.map(\.meanLoss)
        model.attributes.merge(cfg.training.checkedAttributes) { a, _ in a }
        model.attributes["train.epochs"] = .int(cfg.training.epochs)
        model.attributes["paths.pooling"] = .string("\(cfg.pathOptions.pooling)")
        model.attributes["paths.teacher_forcing"] = .double(cfg.pathOptions.teacherForcingRate)
        model.attributes["paths.alpha"] = .double(cfg.pathOptions.alpha)
        model.attributes["paths.beta"] = .double(cfg.pathOptions.beta)
        model.attributes["paths.max_target_paths"] = .int(cfg.pathOptions.maxTargetPaths)
        model.attributes["paths.reinforce_samples"] = .int(cfg.pathOptions.reinforceSamples)
        model.attributes["paths.nondeterministic"] = .string(cfg.pathOptions.nondeterministic.rawValue)
        model.attributes["train.samples"] = .int(samples.count)
        model.attributes["joined"] = .strings(cfg.specs.map(\.description))
        if let selected {
            model.attributes.merge(selected.selection.attributes(selected.outcome)) { _, new in new }
            model.split["validation"] = selected.validationIDs
        }
        let hash = DataParallelTrainer.hash(result.parameters.values)
        comm.log0("parameter hash: \(String(hash, radix: 16))")
        if comm.isRoot, let out = cfg.outputPath, result.finished {  // Distributed: rank 0 writes the model
            try model.write(to: out, midway: { FaultInjection.point("write", step: 1, rank: comm.rank, size: comm.size) })
            comm.log0("wrote \(out)")
        }
        return Report(history: result.history, parameterHash: hash, sampleCount: samples.count, pseudoKept: pseudoKept, model: model)
    }
}
