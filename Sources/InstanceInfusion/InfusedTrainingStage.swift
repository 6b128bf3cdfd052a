import Core
import Datasets
import Distributed
import Foundation
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
/// samples' neighbours (`DataParallelTrainer.localSamples`), bit-identical copies of Z^j's rows; training is
/// `DataParallelTrainer` with ordered batch sums over fixed blocks of `DataParallelTrainer.standardOrderedBlockSize`
/// documents (recorded as `ordered_block`), so a 1-rank and an R-rank run give the same bits at any batch size;
/// rank 0 prints and writes.
///
/// **Selection** (`select_on validation`): as `train-text`'s (`Selection`; `InfusedTrainingStage+Train` is one
/// run, called per trial on fit / validation documents of the training split, then on the whole split with the
/// chosen learning rate and epochs); the baseline model and the source indexes are read once for all of them.
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
        /// Choose the learning rate / epochs on validation documents held out of the training documents first
        /// (`select_on validation`); nil = as given.
        public var selection: Selection?
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
        /// What `select_on validation` chose, and from what (nil without selection).
        public var selection: Selection.Outcome?
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

        let loaded = Loaded(file: file, model: model, corpus: corpus, data: data, forests: forests)
        guard let selection = cfg.selection else {
            return try train(loaded, indices: indices, configuration: cfg, communicator: comm, progress: progress)
        }
        let (validation, outcome) = try selection.run(
            stage: "train-infused", train: indices.train, strata: indices.train.map { labels[$0] },
            learningRate: cfg.training.learningRate, epochs: cfg.training.epochs, criterion: TextTrainingStage.criterion,
            trials: cfg.training.checkpointDirectory.map {
                SelectionTrials(folder: $0, resume: cfg.resume, communicator: comm,
                                settings: cfg.training.checkedAttributes.merging(settings(trainCount: nil)) { a, _ in a })
            },
            log: { comm.log0($0) }
        ) { fit, validation, rate, stop in
            var trial = cfg
            trial.training = cfg.training.selectionTrial(learningRate: rate)
            (trial.outputPath, trial.resume, trial.latentFigure) = (nil, false, nil)
            let report = try train(loaded, indices: SplitIndices(train: fit, test: validation), configuration: trial,
                                   communicator: comm, progress: .silent(), heldOut: "validation", stop: stop)
            return report.history.map { $0.metrics["test_accuracy"] ?? 0 }
        }
        var final = cfg
        (final.training.learningRate, final.training.epochs) = (outcome.learningRate, outcome.epochs)
        final.resume = try SelectionTrials.finalRunResumes(cfg.resume, communicator: comm) {
            DataParallelTrainer.hasCheckpoint(in: cfg.training.checkpointDirectory)
        }
        var report = try train(loaded, indices: indices, configuration: final, communicator: comm, progress: progress,
                               selected: (selection, outcome, validation))
        report.selection = outcome
        return report
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
