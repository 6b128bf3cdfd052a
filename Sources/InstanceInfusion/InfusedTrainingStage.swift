import Core
import Datasets
import Distributed
import Infusion
import LinearAlgebra
import NeuralNets
import Retrieval
import Stages
import Storage
import Training

/// The `train-infused` stage: joint training of the instance-infused bi-LSTM (paper § 3, eqs. 4–10).
///
///     target model.h5 (train-text) ─▶ θ_enc, W_y, b_y, vocabulary          (the pre-trained target classifier)
///     source INDEX.h5 × S (index)  ─▶ this rank's shard of each index: forest + its rows of Z^j (fixed)
///     every `refreshEvery` epochs:  c_t = f_θ(x) for all training documents (sharded encode, all-gather)
///                                  ─▶ k = 5 nearest source ids per document and source (ShardedForest.search)
///     each epoch: the rows Z^j[ids] this rank's samples need, fetched from their owners (ShardedForest.fetch)
///     each step (DataParallelTrainer): c_t = f_θ(x_b); z_i = Z^j[ids]; α = softmax(c_t·z_i); z^j_s = Σ α_i z_i
///                                  s = [c_t, z^1_s, …]; ℓ = CE(softmax(s W1 + b1)) + λ Σ_j ‖z^j_s − c_t‖²
///                                  dC (InfusedClassifier.backward) ─▶ encoder (TextClassifier.backwardEncoder)
///     test: the same retrieval for the held-out documents, argmax of the infused logits ─▶ accuracy, macro-F1
///
/// **Parameters**: one flat buffer = the target model's layout (embedding, encoder, context, and its unused
/// classifier) followed by W1 ((1+S)·M, C) and b1 (C). W1's c_t rows start as the baseline's W_y, its z_s rows
/// as 0, b1 = b_y, so before training the infused model predicts exactly what the baseline does (the initial
/// test accuracy printed is the baseline's). Source vectors are constants (they belong to the source encoder).
///
/// **Retrieval refresh.** Neighbour *ids* are recomputed from the current c_t of every training document at the
/// start of training and then every `refreshEvery` epochs (default 1: once per epoch); within an epoch the ids
/// are fixed while attention weights always use the current c_t. With `refreshUnit` `.steps` the ids of step t's
/// batch are instead recomputed before step t whenever t ≡ 0 (mod `refreshEvery`), from c_t = f_θ(t−1)(x) of the
/// encoder after step t − 1 (`InfusedTrainingStage+Refresh`). Test documents are retrieved with the final
/// encoder. With `excludeSelf` (source = target, Table 4) document i never retrieves its own row i.
///
/// **Distributed**: every rank loads its shard of each index (`IndexFiles.loadShard`, re-sharded when the index
/// was built on another rank count) and never the whole Z^j: before each epoch it fetches the source rows of its
/// samples' neighbours (`DataParallelTrainer.localSamples`), bit-identical copies of Z^j's rows; training is `DataParallelTrainer` (one gradient all-reduce per step), so
/// a 1-rank and an R-rank run give the same loss curve up to float rounding; rank 0 prints and writes.
///
/// **Checkpoints**: `DataParallelTrainer`'s, with the neighbour ids and per-rank penalty sums as its extras
/// (`InfusedTrainingStage+Checkpoint`); the penalty, test curves and retrieval refresh run in the trainer's
/// `evaluate`, before each epoch's checkpoint, so a resumed run writes the same model as an uninterrupted one.
public struct InfusedTrainingStage {
    public struct Configuration: Sendable {
        /// The pre-trained target model (`tributary train-text --out`).
        public var modelPath: String
        /// The target corpus (as given to train-text).
        public var source: TextCorpusSource
        public var split: TextTrainingStage.Split
        public var trainFraction: Double = 1
        /// Must equal the train-text seed (it seeded the split).
        public var seed: UInt64 = 0
        /// One index master per source dataset (S = count; per-source retrieval when S > 1).
        public var indexes: [String]
        /// k (paper: 5).
        public var neighbours = 5
        /// λ (paper: 1e-4); 0 = no penalty.
        public var penaltyScale = 1e-4
        /// Recompute the neighbour ids every this many `refreshUnit`s.
        public var refreshEvery = 1
        /// Epochs (every training document, after the epoch) or steps (the batch's documents, before the step).
        public var refreshUnit = InfusionRefresh.epochs
        /// Source = target corpus: never retrieve a document's own row.
        public var excludeSelf = false
        /// LSH Forest (paper) or exact search over the same source rows (the ablation of the LSH's loss).
        public var retrieval = InfusionRetrieval.lsh
        public var training: TrainingOptions
        /// Continue from `training.checkpointDirectory`'s checkpoint (same settings and rank count required).
        public var resume = false
        public var outputPath: String?
        /// Rank 0 draws the latent-space figure (Fig. 3, `LatentFigure`) of the test documents here (a PNG).
        public var latentFigure: String?

        public init(modelPath: String, source: TextCorpusSource, split: TextTrainingStage.Split, indexes: [String],
                    training: TrainingOptions) {
            self.modelPath = modelPath
            self.source = source
            self.split = split
            self.indexes = indexes
            self.training = training
        }
    }

    public struct Report: Sendable {
        public var history: [EpochSummary]
        /// Per epoch (those before a resume included): the mean of λ‖z_s − z_t‖² per training document (summed over the
        /// sources and the ranks), the part of `history`'s mean loss that is the penalty; all 0 when λ = 0.
        public var penaltyHistory: [Double]
        /// The baseline's test metrics (the infused model before training), and the trained model's.
        public var initialTest: ClassificationMetrics?
        public var test: ClassificationMetrics?
        public var trainCount: Int
        public var testCount: Int
        public var parameterHash: UInt64
    }

    public var configuration: Configuration

    public init(_ configuration: Configuration) { self.configuration = configuration }

    public func run(communicator comm: any Communicator, progress: ProgressReporter = .silent()) throws -> Report {
        let cfg = configuration
        guard !cfg.indexes.isEmpty else { throw InfusedTrainingError.noSources }
        let file = try TextModelFile.read(path: cfg.modelPath)
        try checkSplit(file)
        let model = TextClassifier(file.configuration)
        let m = file.configuration.contextSize

        // Target data: the train-text split, encoded with the model's vocabulary.
        let corpus = try cfg.source.load()
        let labels = try corpus.labelIndices(classes: file.classes)
        var indices = try cfg.split.indices(corpus, labels: labels, seed: cfg.seed)  // the train-text split
        indices.train = CorpusSplit.subsample(indices.train, labels: labels, fraction: cfg.trainFraction, seed: cfg.seed)
        let data = EncodedTexts.encode(corpus, labels: labels, vocabulary: file.vocabulary,
                                       tokenizer: TextTokenizer(stripNewsgroupArtifacts: file.stripNewsgroup),
                                       maxLength: file.maxLength)

        // Sources: this rank's shard (forest and rows) of each index, on any rank count.
        var forests: [ShardedForest] = [], counts: [Int] = []
        for index in cfg.indexes {
            let header = try IndexFiles.readHeader(index)
            let dimension = try IndexFiles.int(header, "dimension", index)
            guard dimension == m else {
                throw InfusedTrainingError.dimensionMismatch(index: index, dimension: dimension, model: cfg.modelPath,
                                                             contextSize: m)
            }
            let count = try IndexFiles.int(header, "count", index)
            guard count >= cfg.neighbours + (cfg.excludeSelf ? 1 : 0) else {
                throw IndexError.invalidParameter(name: "neighbours", value: "\(cfg.neighbours)",
                                                  rule: "\(index) holds only \(count) source instances; lower --neighbours")
            }
            if cfg.excludeSelf && count != corpus.count {
                throw InfusedTrainingError.notTheTargetCorpus(index: index, indexed: count, documents: corpus.count)
            }
            forests.append(try IndexFiles.loadShard(master: index, communicator: comm))
            counts.append(count)
        }
        comm.log0("train-infused: \(corpus.source): train \(indices.train.count), test \(indices.test.count); "
            + "\(cfg.indexes.count) source(s) \(zip(cfg.indexes, counts).map { "\($0) (\($1))" }.joined(separator: ", ")); "
            + "k = \(cfg.neighbours), λ = \(cfg.penaltyScale), retrieval every \(cfg.refreshEvery) \(cfg.refreshUnit.rawValue)"
            + (cfg.excludeSelf ? ", self excluded" : "") + ", \(cfg.retrieval.rawValue) retrieval; \(comm.size) rank(s)")

        // One buffer: the target model, then W1, b1.
        var layout = model.layout
        let head = InfusedClassifier(.init(contextSize: m, classCount: file.classes.count, neighbours: cfg.neighbours,
                                           sourceCount: cfg.indexes.count, penaltyScale: cfg.penaltyScale),
                                     layout: &layout)
        var initial = Parameters<Float>(layout: layout)
        for i in file.parameters.indices { initial.values[i] = file.parameters[i] }
        var baseline = Parameters<Float>(layout: model.layout)
        baseline.values = file.parameters
        head.initialize(&initial.values, fromBaselineWeight: baseline.value(model.classifier.weight),
                        bias: baseline.value(model.classifier.bias))

        let exact = cfg.retrieval == .exact ? try forests.map(ShardedExactSearch.init) : nil
        let retrieval = SourceRetrieval(model: model, data: data, forests: forests, exact: exact, k: cfg.neighbours,
                                        excludeSelf: cfg.excludeSelf, communicator: comm)
        let train = indices.train, test = indices.test
        // A resumed run takes the ids of its epoch from the checkpoint (restored before the first step).
        let neighbours = NeighbourTable(cfg.resume ? [] : try retrieval.neighbours(of: train, parameters: initial.values))
        // The source rows of this rank's samples in the rest of an epoch (collective: `prepareEpoch` runs on every
        // rank at the start of each epoch, and of a resumed one after the checkpoint's ids are restored).
        func prefetch(_ samples: [Int]) throws { neighbours.rows = try retrieval.rows(neighbours.lists, of: samples) }
        let initialTest = test.isEmpty ? nil : try retrieval.evaluate(head, of: test, parameters: initial.values)
        if let initialTest {
            comm.log0("before training (= the baseline): test accuracy \(fixed(100 * initialTest.accuracy, 2))  "
                + "macro-F1 \(fixed(initialTest.macroF1, 4))")
        }

        let penaltyMeter = PenaltyMeter()
        var trainer = DataParallelTrainer(
            options: cfg.training, communicator: comm, configuration: settings(trainCount: train.count),
            extras: Self.checkpointExtras(neighbours: neighbours, penalty: penaltyMeter, sources: cfg.indexes.count,
                                          documents: train.count, k: cfg.neighbours, communicator: comm,
                                          path: cfg.training.checkpointDirectory ?? "(no checkpoint folder)"))
        trainer.pathAttributes = ["model", "indexes"]  // relative to the checkpoint; an older one's paths as given still match
        let clock = ContinuousClock(), start = clock.now
        let result = try trainer.train(
            initial: initial, sampleCount: train.count, resume: cfg.resume,
            lossSum: { samples, parameters in
                let batch = data.batch(samples.map { train[$0] })
                let (c, cache) = model.encodeForTraining(batch, parameters: parameters.values)
                let sources = (0 ..< forests.count).map { j in
                    // Lists of k checked when retrieved; rows prefetched for exactly these samples (`prefetch`).
                    do {
                        return try RetrievedSources.gather(samples.map { neighbours.lists[j][$0] }, from: neighbours.rows[j],
                                                           k: cfg.neighbours)
                    } catch {
                        preconditionFailure("train-infused: a sample's source rows were not prefetched (prefetch runs in the "
                            + "trainer's prepareEpoch, with the epoch's local samples): \(error)")
                    }
                }
                let (loss, headCache) = head.forward(context: c, sources: sources, targets: batch.labels,
                                                     parameters: parameters.values)
                penaltyMeter.add(loss.penalty, documents: samples.count)
                let dC = head.backward(headCache, parameters: parameters.values, into: &parameters.grads)
                model.backwardEncoder(dC, cache, parameters: parameters.values, into: &parameters.grads)
                return loss.total
            },
            // Collective, before the epoch's checkpoint, so the checkpoint holds the curves and the refreshed ids.
            evaluate: { summary, parameters in
                var metrics = ["mean_penalty": try penaltyMeter.epochMean(communicator: comm)]
                if !test.isEmpty {
                    let m = try retrieval.evaluate(head, of: test, parameters: parameters.values)
                    (metrics["test_accuracy"], metrics["test_macro_f1"]) = (m.accuracy, m.macroF1)
                }
                if cfg.refreshUnit == .epochs && (summary.epoch + 1) % cfg.refreshEvery == 0 && summary.epoch + 1 < cfg.training.epochs {
                    neighbours.lists = try retrieval.neighbours(of: train, parameters: parameters.values)
                }
                return metrics
            },
            onEpoch: { summary, _ in
                let meanPenalty = summary.metrics["mean_penalty"] ?? 0
                var line = "epoch \(summary.epoch + 1)/\(cfg.training.epochs)  loss \(fixed(summary.meanLoss, 6))  "
                    + (cfg.penaltyScale > 0 ? "(penalty \(fixed(meanPenalty, 6)))  " : "") + "lr \(summary.learningRate)"
                var record: [(String, MetricValue)] = [("penalty", .double(meanPenalty))]
                if let accuracy = summary.metrics["test_accuracy"], let macroF1 = summary.metrics["test_macro_f1"] {
                    line += "  test accuracy \(fixed(100 * accuracy, 2))  macro-F1 \(fixed(macroF1, 4))"
                    record += [("accuracy", .double(accuracy)), ("macro_f1", .double(macroF1))]
                }
                progress.clear()
                comm.log0(line + "  (\(fixed(start.duration(to: clock.now).inSeconds, 1)) s)")
                progress.epoch(summary.epoch + 1, of: cfg.training.epochs, loss: summary.meanLoss, samples: summary.samples,
                               learningRate: summary.learningRate, extra: record)
            },
            onBatch: progress.tick,
            prepareEpoch: { _, samples in if cfg.refreshUnit == .epochs { try prefetch(samples) } },
            prepareStep: cfg.refreshUnit == .epochs ? nil : { step, batch, local, parameters in  // collective
                try retrieval.refresh(step: step, every: cfg.refreshEvery, batch: batch, local: local, of: train,
                                      into: neighbours, parameters: parameters.values)
            })
        let finalTest = test.isEmpty ? nil : try retrieval.evaluate(head, of: test, parameters: result.parameters.values)
        if let png = cfg.latentFigure, !test.isEmpty, result.finished {  // Fig. 3 (collective, rank 0 draws)
            try retrieval.drawLatentFigure(of: test, parameters: result.parameters.values, png: png, title: "\(corpus.source)")
        }
        let hash = DataParallelTrainer.hash(result.parameters.values)
        comm.log0("identical-parameter checks passed: \(result.consistencyChecks)")
        comm.log0("parameter hash: \(String(hash, radix: 16))")
        if let finalTest {
            comm.log0("test: accuracy \(fixed(100 * finalTest.accuracy, 2)) %, macro-F1 \(fixed(finalTest.macroF1, 4)) on "
                + "\(finalTest.count) documents (baseline \(fixed(100 * (initialTest?.accuracy ?? 0), 2)) %)")
        }
        // The whole curve from the trainer: a resumed run gets the epochs before the checkpoint from it too.
        var curves = ["mean_loss": result.history.map(\.meanLoss)]
        for name in ["mean_penalty", "test_accuracy", "test_macro_f1"] {
            curves[name] = result.history.compactMap { $0.metrics[name] }
        }
        if comm.isRoot, let out = cfg.outputPath, result.finished {  // Distributed: rank 0 writes the model
            var attributes = cfg.training.checkedAttributes.merging(settings(trainCount: nil)) { a, _ in a }
            attributes["model"] = ArtifactHeader.storedPath(cfg.modelPath, in: out)  // relative to infused.h5
            attributes["indexes"] = ArtifactHeader.storedPaths(cfg.indexes, in: out)
            attributes["epochs"] = .int(cfg.training.epochs)
            if let finalTest {
                attributes["test_accuracy"] = .double(finalTest.accuracy)
                attributes["test_macro_f1"] = .double(finalTest.macroF1)
            }
            if let initialTest {
                attributes["baseline_test_accuracy"] = .double(initialTest.accuracy)
                attributes["baseline_test_macro_f1"] = .double(initialTest.macroF1)
            }
            try InfusedModelFile(parameters: result.parameters.values, encoderParameterCount: model.layout.count,
                                 sourceCount: cfg.indexes.count, attributes: attributes, history: curves,
                                 split: (train.map { data.ids[$0] }, test.map { data.ids[$0] }))
                .write(to: out, layout: layout, midway: { FaultInjection.point("write", step: 1, rank: comm.rank, size: comm.size) })
            comm.log0("wrote \(out)")
        }
        return Report(history: result.history, penaltyHistory: curves["mean_penalty"]!, initialTest: initialTest,
                      test: finalTest, trainCount: train.count, testCount: test.count, parameterHash: hash)
    }

    /// The model/data settings the model file records and a checkpoint must match (with the training count); in a
    /// checkpoint, `model` and `indexes` are relative to the checkpoint file (the model file overrides them with
    /// paths relative to itself).
    func settings(trainCount: Int?) -> [String: HDF5AttributeValue] {
        let cfg = configuration
        let checkpoint = trainCount == nil ? nil : cfg.training.checkpointDirectory.map { $0 + "/" + DataParallelTrainer.checkpointFileName }
        var settings: [String: HDF5AttributeValue] = [
            "model": checkpoint.map { ArtifactHeader.storedPath(cfg.modelPath, in: $0) } ?? .string(cfg.modelPath),
            "indexes": checkpoint.map { ArtifactHeader.storedPaths(cfg.indexes, in: $0) } ?? .strings(cfg.indexes),
            "neighbours": .int(cfg.neighbours),
            "penalty_scale": .double(cfg.penaltyScale), "refresh_every": .int(cfg.refreshEvery),
            "exclude_self": .int(cfg.excludeSelf ? 1 : 0), "retrieval": .string(cfg.retrieval.rawValue), "split": .string("\(cfg.split)"),
            "train_fraction": .double(cfg.trainFraction)]
        // Only when not the paper's epochs: an epoch run's header and checkpoint stay as before (older ones resume).
        if cfg.refreshUnit != .epochs { settings["refresh_unit"] = .string(cfg.refreshUnit.rawValue) }
        if let trainCount { settings["data.train_count"] = .int(trainCount) }
        return settings
    }

    /// The model must come from the same split, fraction and seed (else test documents may have trained it).
    func checkSplit(_ file: TextModelFile) throws {
        let cfg = configuration
        if case let .string(split)? = file.attributes["split"], split != "\(cfg.split)" {
            throw InfusedTrainingError.splitMismatch(model: cfg.modelPath, setting: "split", inModel: split,
                                                     asked: "\(cfg.split)")
        }
        if case let .double(fraction)? = file.attributes["train_fraction"], fraction != cfg.trainFraction {
            throw InfusedTrainingError.splitMismatch(model: cfg.modelPath, setting: "train fraction",
                                                     inModel: "\(fraction)", asked: "\(cfg.trainFraction)")
        }
        if case let .int(seed)? = file.attributes["train.seed"], seed != Int(bitPattern: UInt(cfg.seed)) {
            throw InfusedTrainingError.splitMismatch(model: cfg.modelPath, setting: "seed", inModel: "\(seed)",
                                                     asked: "\(cfg.seed)")
        }
    }
}
