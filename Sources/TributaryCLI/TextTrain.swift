import Stages
import ArgumentParser
import Distributed
import Foundation
import InstanceInfusion
import LinearAlgebra
import Training

/// `tributary train-text`: the target-only bi-LSTM baseline of Instance Infusion (Table 1, first row), trained
/// data-parallel over the ranks. Defaults: word vectors D = 300, context M = 50, hidden H = 128 per direction
/// (Table 3 gives no hidden size; 128 is the W7 anchor's), Adam, learning rate 0.01 decayed ×0.3 every 10 epochs,
/// and Table 3's batch size and epochs for the corpus.
struct TextTrain: ParsableCommand, SpecCommand {
    static let spec = StageSpec.trainText
    static let plumbing = ["corpus", "data", "debian_labels", "empty_texts", "threads", "out", "progress"]
        + CheckpointOptions.plumbing
    static let configuration = CommandConfiguration(
        commandName: "train-text",
        abstract: "Train the bi-LSTM text classifier (data-parallel); write the model and vocabulary to HDF5.",
        discussion: """
            Rank 0 prints per-epoch loss and held-out accuracy / macro-F1 and writes --out and checkpoints. The same
            parameters, defaults and ranges as a `train-text` stage of a pipeline config (data/pipelines/README.md).
            """)

    @OptionGroup var corpus: TextCorpusOptions

    @Option(help: ArgumentHelp(spec.help("max_length"))) var maxLength = spec.default("max_length", as: Int.self)
    @Option(help: ArgumentHelp(spec.help("vocab_size"))) var vocabSize = spec.default("vocab_size", as: Int.self)
    @Option(help: ArgumentHelp(spec.help("min_count"))) var minCount = spec.default("min_count", as: Int.self)
    @Option(help: ArgumentHelp(spec.help("optimizer"))) var optimizer = spec.default("optimizer", as: TrainingOptions.Optimizer.self)
    @Option(help: ArgumentHelp(spec.help("hidden_size"))) var hiddenSize = spec.default("hidden_size", as: Int.self)
    @Option(help: ArgumentHelp(spec.help("embedding_size"))) var embeddingSize = spec.default("embedding_size", as: Int.self)
    @Option(help: ArgumentHelp(spec.help("context_size"))) var contextSize = spec.default("context_size", as: Int.self)
    @OptionGroup var loop: TextTrainingLoopOptions
    @OptionGroup var split: TextSplitOptions
    @OptionGroup var selection: TrainerSelectionOptions
    @OptionGroup var checkpoints: CheckpointOptions
    @Option(help: "OpenBLAS threads per rank (default: OPENBLAS_NUM_THREADS).")
    var threads: Int?
    @Option(help: "The model file rank 0 writes (HDF5); its metrics go beside it (model.h5 → model.metrics.jsonl).")
    var out: String
    @OptionGroup var progress: ProgressOptions

    func validate() throws {
        _ = try parameters()
    }

    @OptionGroup var job: JobOptions

    func run() throws {
        let source = try corpus.source()
        let p = try parameters()
        job.run { comm in
            if let threads { BLASThreads.set(threads) }
            var configuration = try TextTrainingStage.Configuration(p, source: source, checkpointDirectory: checkpoints.checkpoint,
                                                                    outputPath: out)
            configuration.resume = checkpoints.resume
            try checkpoints.prepare(&configuration.training)
            let training = configuration.training
            comm.log0("train-text: \(training.optimizer) lr \(training.learningRate), batch \(training.batchSize) "
                + "(global), \(training.epochs) epochs, \(comm.size) rank(s) × \(BLASThreads.count) BLAS thread(s)"
                + (configuration.selection.map { "; " + $0.summary } ?? ""))
            let reporter = progress.reporter("train-text", communicator: comm,
                                             metricsPath: ProgressOptions.metricsPath(besideFile: out))
            _ = try TextTrainingStage(configuration).run(communicator: comm, progress: reporter)
        }
    }
}

/// Creates `path` (and parents) if missing.
func makeFolder(_ path: String) throws {
    do {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    } catch {
        throw ValidationError("cannot create folder \(path) (\(error.localizedDescription)); pass a writable --checkpoint")
    }
}
