import Core
import Datasets
import Distributed
import Foundation
import LinearAlgebra
import NeuralNets
import Stages
import Storage
import Training

/// The `train-text` stage: the target-only bi-LSTM baseline of Instance Infusion (Table 1, first row).
///
///     corpus ─▶ split (k-fold | held-out | predefined) ─▶ train fraction ─▶ tokenize ─▶ vocabulary (train only)
///            ─▶ DataParallelTrainer (bi-LSTM, D 300, M 50) ─▶ per-epoch loss + held-out accuracy / macro-F1
///            ─▶ model.h5 (rank 0)
///
/// Every rank loads and encodes the whole corpus itself (deterministic, so identical everywhere: a text file or
/// archive cannot be read by rows, the vocabulary counts every training document, and corpora are small;
/// docs/reliability.md § Sharded epochs); training is
/// data-parallel (`DataParallelTrainer`) with ordered batch sums over fixed blocks of
/// `DataParallelTrainer.standardOrderedBlockSize` documents (the same bits for any rank count at any batch size;
/// recorded as `ordered_block`), evaluation sharded (`TextEvaluation`); rank 0 prints and writes.
///
/// **Selection** (`select_on validation`, the shared `Selection`): before the run above, the training documents
/// (after `train_fraction`) are split by class into fit and validation documents (`ValidationHoldout`); one trial
/// per candidate learning rate trains on the fit documents (vocabulary from them too) and scores accuracy on the
/// validation documents after every epoch, stopped by the patience rule; the chosen (η, epochs) then train the
/// model on all training documents. model.h5 records the candidates, curves' best epochs and scores
/// (`selection.*`) and `split/validation_ids`. The test documents are never an input of a trial.
public struct TextTrainingStage {
    public struct Configuration: Sendable {
        public var source: TextCorpusSource
        public var split: Split
        /// Keep this fraction of each class of the training split (the paper's 0.3 … 1.0 experiments).
        public var trainFraction: Double = 1
        /// Seeds the split, the initial parameters and the epoch permutations.
        public var seed: UInt64 = 0
        public var embeddingSize = 300
        public var hiddenSize = 128
        public var contextSize = 50
        public var maxLength = 300
        public var vocabularySize = 30_000
        public var minimumCount = 2
        public var training: TrainingOptions
        public var resume = false
        /// Choose the learning rate / epochs on validation documents held out of the training documents first
        /// (`select_on validation`); nil = as given.
        public var selection: Selection?
        /// Where rank 0 writes the model; nil = do not write.
        public var outputPath: String?

        public init(source: TextCorpusSource, split: Split, training: TrainingOptions) {
            self.source = source
            self.split = split
            self.training = training
        }
    }

    public struct Report {
        public var history: [EpochSummary]
        public var test: ClassificationMetrics?
        public var consistencyChecks: Int
        public var parameterHash: UInt64
        public var trainCount: Int
        public var testCount: Int
        public var finished: Bool
        /// What `select_on validation` chose, and from what (nil without selection).
        public var selection: Selection.Outcome?
    }

    public var configuration: Configuration

    public init(_ configuration: Configuration) { self.configuration = configuration }

    /// Runs the stage on every rank; `progress` shows the batches of each epoch and gets one metrics record per
    /// epoch (rank 0). With `selection`, the learning rate and epochs are chosen first on validation documents
    /// held out of the training documents (`select`), then the model is trained on all of them.
    public func run(communicator comm: any Communicator, progress: ProgressReporter = .silent()) throws -> Report {
        let cfg = configuration
        let corpus = try cfg.source.load()
        let classes = corpus.classNames
        let labels = try corpus.labelIndices(classes: classes)
        var indices = try cfg.split.indices(corpus, labels: labels, seed: cfg.seed)
        indices.train = CorpusSplit.subsample(indices.train, labels: labels, fraction: cfg.trainFraction, seed: cfg.seed)
        guard let selection = cfg.selection else {
            return try train(corpus, labels: labels, indices: indices, configuration: cfg, communicator: comm, progress: progress)
        }
        let (validation, outcome) = try selection.run(
            stage: "train-text", train: indices.train, strata: indices.train.map { labels[$0] },
            learningRate: cfg.training.learningRate, epochs: cfg.training.epochs, criterion: Self.criterion,
            trials: cfg.training.checkpointDirectory.map {
                SelectionTrials(folder: $0, resume: cfg.resume, communicator: comm, settings: Self.trialSettings(cfg, corpus: corpus.source))
            },
            log: { comm.log0($0) }
        ) { fit, validation, rate, stop in
            var trial = cfg
            trial.training = cfg.training.selectionTrial(learningRate: rate)
            (trial.outputPath, trial.resume) = (nil, false)
            let report = try train(corpus, labels: labels, indices: SplitIndices(train: fit, test: validation),
                                   configuration: trial, communicator: comm, progress: .silent(), heldOut: "validation",
                                   stop: stop)
            return report.history.map { $0.metrics["test_accuracy"] ?? 0 }
        }
        var final = cfg
        (final.training.learningRate, final.training.epochs) = (outcome.learningRate, outcome.epochs)
        final.resume = try SelectionTrials.finalRunResumes(cfg.resume, communicator: comm) {
            DataParallelTrainer.hasCheckpoint(in: cfg.training.checkpointDirectory)
        }
        var report = try train(corpus, labels: labels, indices: indices, configuration: final, communicator: comm,
                               progress: progress, selected: (selection, outcome, validation))
        report.selection = outcome
        return report
    }

    /// Trains on `indices.train` with `cfg` and scores `indices.test` after every epoch (named `heldOut` in the
    /// log: the test documents, or a selection trial's validation documents); `stop` ends it early
    /// (`Selection`); `selected` is the selection that chose `cfg`'s values, recorded in the model file.
    func train(_ corpus: TextCorpus, labels: [Int], indices: SplitIndices, configuration cfg: Configuration,
               communicator comm: any Communicator, progress: ProgressReporter, heldOut: String = "test",
               selected: (Selection, Selection.Outcome, [Int])? = nil,
               stop: ([Double]) -> Bool = { _ in false }) throws -> Report {
        let classes = corpus.classNames
        let (vocabulary, data) = EncodedTexts.prepare(
            corpus, labels: labels, trainIndices: indices.train, tokenizer: cfg.source.tokenizer,
            minimumCount: cfg.minimumCount, vocabularySize: cfg.vocabularySize, maxLength: cfg.maxLength)
        comm.log0("train-text: \(corpus.source): \(corpus.count) documents (\(corpus.droppedEmpty) empty dropped"
            + (corpus.latin1Documents > 0 ? ", \(corpus.latin1Documents) not UTF-8 read as Latin-1" : "") + "), "
            + "\(classes.count) classes; train \(indices.train.count), \(heldOut) \(indices.test.count); vocabulary "
            + "\(vocabulary.count); max length \(cfg.maxLength); \(comm.size) rank(s)")

        let model = TextClassifier(.init(vocabularySize: vocabulary.count, embeddingSize: cfg.embeddingSize,
                                         hiddenSize: cfg.hiddenSize, contextSize: cfg.contextSize,
                                         classCount: classes.count, paddingIndex: Vocabulary.paddingIndex))
        var trainer = DataParallelTrainer(options: cfg.training, communicator: comm, configuration: attributes(
            cfg, corpus: corpus.source, vocabulary: vocabulary.count, classes: classes.count, train: indices.train.count))
        trainer.pathAttributes = ["data.corpus"]  // relative to the checkpoint; an older one's path as given still matches
        // Ordered batch sums (`DataParallelTrainer+Ordered`): the same bits for any rank count at any batch size.
        trainer.orderedBlockSize = DataParallelTrainer.standardOrderedBlockSize
        let train = indices.train, test = indices.test
        let clock = ContinuousClock(), start = clock.now
        let result = try trainer.train(
            initial: model.makeParameters(seed: cfg.seed), sampleCount: train.count, resume: cfg.resume,
            lossSum: { samples, parameters in model.loss(data.batch(samples.map { train[$0] }), parameters: &parameters) },
            evaluate: { _, parameters in
                guard !test.isEmpty else { return [:] }
                let m = try TextEvaluation.evaluate(model, parameters: parameters.values, data: data, indices: test,
                                                    communicator: comm)
                return ["test_accuracy": m.accuracy, "test_macro_f1": m.macroF1]
            },
            onEpoch: { summary, _ in
                var line = "epoch \(summary.epoch + 1)/\(cfg.training.epochs)  loss \(fixed(summary.meanLoss, 6))  "
                    + "lr \(summary.learningRate)"
                var metrics: [(String, MetricValue)] = []
                if let accuracy = summary.metrics["test_accuracy"], let macroF1 = summary.metrics["test_macro_f1"] {
                    line += "  \(heldOut) accuracy \(fixed(100 * accuracy, 2))  macro-F1 \(fixed(macroF1, 4))"
                    metrics = [("accuracy", .double(accuracy)), ("macro_f1", .double(macroF1))]
                }
                progress.clear()
                comm.log0(line + "  (\(fixed(start.duration(to: clock.now).inSeconds, 1)) s)")
                progress.epoch(summary.epoch + 1, of: cfg.training.epochs, loss: summary.meanLoss, samples: summary.samples,
                               learningRate: summary.learningRate, extra: metrics)
            },
            onBatch: progress.tick,
            shouldStop: { history in stop(history.map { $0.metrics["test_accuracy"] ?? 0 }) })
        let hash = DataParallelTrainer.hash(result.parameters.values)
        if heldOut != "test" {  // a selection trial: its held-out curve is all the caller needs
            return Report(history: result.history, test: nil, consistencyChecks: result.consistencyChecks, parameterHash: hash,
                          trainCount: train.count, testCount: test.count, finished: result.finished)
        }
        let finalTest = test.isEmpty ? nil : try TextEvaluation.evaluate(model, parameters: result.parameters.values,
                                                                      data: data, indices: test, communicator: comm)
        comm.log0("identical-parameter checks passed: \(result.consistencyChecks)")
        comm.log0("parameter hash: \(String(hash, radix: 16))")
        if let finalTest {
            comm.log0("test: accuracy \(fixed(100 * finalTest.accuracy, 2)) %, macro-F1 \(fixed(finalTest.macroF1, 4)) "
                + "on \(finalTest.count) documents")
        }
        if comm.isRoot, let out = cfg.outputPath, result.finished {  // Distributed: rank 0 writes the model
            var extra = trainer.configuration.merging(cfg.training.checkedAttributes) { a, _ in a }
            extra["data.corpus"] = Self.storedCorpus(corpus.source, in: out)  // relative to model.h5, like every header path
            extra["epochs"] = .int(cfg.training.epochs)
            extra["ordered_block"] = .int(DataParallelTrainer.standardOrderedBlockSize)
            extra["split"] = .string("\(cfg.split)")
            extra["train_fraction"] = .double(cfg.trainFraction)
            if let (selection, outcome, _) = selected { extra.merge(selection.attributes(outcome)) { _, new in new } }
            if let finalTest {
                extra["test_accuracy"] = .double(finalTest.accuracy)
                extra["test_macro_f1"] = .double(finalTest.macroF1)
            }
            // The whole curve from the trainer: a resumed run gets the epochs before the checkpoint from it too.
            var curves: [String: [Double]] = ["mean_loss": result.history.map(\.meanLoss)]
            for name in ["test_accuracy", "test_macro_f1"] where !test.isEmpty {
                let curve = result.history.compactMap { $0.metrics[name] }
                if curve.count == result.history.count { curves[name] = curve }  // a checkpoint from an older build lacks them
            }
            var file = TextModelFile(configuration: model.configuration, parameters: result.parameters.values,
                                     vocabulary: vocabulary, classes: classes, maxLength: cfg.maxLength,
                                     stripNewsgroup: cfg.source.tokenizer.stripNewsgroupArtifacts, attributes: extra,
                                     history: curves, split: (train.map { data.ids[$0] }, test.map { data.ids[$0] }))
            file.validationIDs = selected?.2.map { data.ids[$0] } ?? []
            try file.write(to: out)
            comm.log0("wrote \(out)")
        }
        return Report(history: result.history, test: finalTest, consistencyChecks: result.consistencyChecks,
                      parameterHash: hash, trainCount: train.count, testCount: test.count, finished: result.finished)
    }

    /// What a selection trial depends on besides the selection's settings (`SelectionTrials`' key): the model and
    /// data settings and the training options (the given η and epochs included: the same in a resumed run).
    static func trialSettings(_ c: Configuration, corpus: String) -> [String: HDF5AttributeValue] {
        c.training.checkedAttributes.merging([
            "data.corpus": .string(corpus), "data.split": .string("\(c.split)"), "data.train_fraction": .double(c.trainFraction),
            "data.max_length": .int(c.maxLength), "data.vocabulary_size": .int(c.vocabularySize), "data.min_count": .int(c.minimumCount),
            "model.embedding_size": .int(c.embeddingSize), "model.hidden_size": .int(c.hiddenSize),
            "model.context_size": .int(c.contextSize), "train.epochs": .int(c.training.epochs)]) { a, _ in a }
    }

    /// The selection criterion (`select_on validation`): accuracy on the validation documents, after each epoch.
    static let criterion = "validation_accuracy"

    /// The model/data settings a checkpoint must match; `data.corpus` relative to the checkpoint file.
    func attributes(_ c: Configuration, corpus: String, vocabulary: Int, classes: Int, train: Int) -> [String: HDF5AttributeValue] {
        let checkpoint = c.training.checkpointDirectory.map { $0 + "/" + DataParallelTrainer.checkpointFileName }
        return ["data.corpus": Self.storedCorpus(corpus, in: checkpoint), "data.split": .string("\(c.split)"),
                "data.train_fraction": .double(c.trainFraction), "data.train_count": .int(train),
                "data.max_length": .int(c.maxLength), "data.vocabulary_size": .int(vocabulary),
                "model.embedding_size": .int(c.embeddingSize), "model.hidden_size": .int(c.hiddenSize),
                "model.context_size": .int(c.contextSize), "model.class_count": .int(classes)]
    }

    /// `corpus` as a header of `file` stores it: relative to `file`'s folder (`ArtifactHeader.storedPath`) when it
    /// names a file or folder, as given otherwise (`apt-cache dumpavail`) or without a file.
    static func storedCorpus(_ corpus: String, in file: String?) -> HDF5AttributeValue {
        guard let file, FileManager.default.fileExists(atPath: corpus) else { return .string(corpus) }
        return ArtifactHeader.storedPath(corpus, in: file)
    }
}
