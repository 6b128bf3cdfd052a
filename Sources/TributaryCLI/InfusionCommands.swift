import Stages
import ArgumentParser
import Distributed
import Foundation
import InstanceInfusion
import LinearAlgebra
import Training

/// `tributary train-infused`: joint training of the instance-infused bi-LSTM (Instance Infusion § 3) from a
/// pre-trained `train-text` model and one or more source indexes (`embed` → `index`), data-parallel.
struct TrainInfused: ParsableCommand, SpecCommand {
    static let spec = StageSpec.trainInfused
    static let plumbing = ["corpus", "data", "debian_labels", "empty_texts", "model", "index", "threads", "out", "latent_figure",
                           "progress"] + CheckpointOptions.plumbing
    static let configuration = CommandConfiguration(
        commandName: "train-infused",
        abstract: "Train the instance-infused bi-LSTM from a train-text model and source LSH Forest indexes.",
        discussion: """
            Pass the corpus, split, --train-fraction and --seed that `train-text` used (checked against the model).
            --index once per source dataset (several: per-source retrieval, one attention each). Retrieval is redone
            from the current context vectors every --refresh-every epochs (or, with --refresh-unit steps, the
            batch's documents before every --refresh-every-th step). Run under any rank count (indexes re-shard). Defaults (Table 3): k = 5, λ = 1e-4, lr 0.01 ×0.3 every 10 epochs, Adam, the corpus's
            epochs and batch size. The same parameters as a `train-infused` stage of a pipeline config
            (data/pipelines/README.md).
            """)

    @OptionGroup var corpus: TextCorpusOptions

    @Option(help: "The pre-trained target model (`tributary train-text --out`).")
    var model: String
    @Option(help: "A source index master (`tributary index`); repeat for several sources.")
    var index: [String] = []
    @Option(name: [.long, .customShort("k")], help: ArgumentHelp(spec.help("neighbours")))
    var neighbours = spec.default("neighbours", as: Int.self)
    @Option(help: ArgumentHelp(spec.help("penalty"))) var penalty = spec.default("penalty", as: Double.self)
    @Option(help: ArgumentHelp(spec.help("refresh_every"))) var refreshEvery = spec.default("refresh_every", as: Int.self)
    @Option(help: ArgumentHelp(spec.help("refresh_unit"))) var refreshUnit = spec.default("refresh_unit", as: InfusionRefresh.self)
    @Flag(help: ArgumentHelp(spec.help("exclude_self"))) var excludeSelf = spec.default("exclude_self", as: Bool.self)
    @Option(help: ArgumentHelp(spec.help("retrieval"))) var retrieval = spec.default("retrieval", as: InfusionRetrieval.self)
    @OptionGroup var loop: TextTrainingLoopOptions
    @OptionGroup var split: TextSplitOptions
    @OptionGroup var selection: TrainerSelectionOptions
    @OptionGroup var checkpoints: CheckpointOptions
    @Option(help: "OpenBLAS threads per rank (default: OPENBLAS_NUM_THREADS).")
    var threads: Int?
    @Option(help: "Where rank 0 writes the infused model (HDF5); its metrics go beside it (infused.h5 → infused.metrics.jsonl).")
    var out: String
    @Option(help: "Rank 0 draws the latent-space figure (Instance Infusion Fig. 3) here: a t-SNE map of the test documents' c_t and fused source vectors z_s (PNG, with .dat and .gp beside it).")
    var latentFigure: String?
    @OptionGroup var progress: ProgressOptions

    func validate() throws {
        if let latentFigure, !latentFigure.hasSuffix(".png") { throw ValidationError("--latent-figure \(latentFigure): name a .png file") }
        guard !index.isEmpty else { throw ValidationError("pass --index INDEX.h5 (from `tributary index`) at least once") }
        _ = try parameters()
    }

    @OptionGroup var job: JobOptions

    func run() throws {
        let source = try corpus.source()
        let p = try parameters()
        job.run { comm in
            if let threads { BLASThreads.set(threads) }
            var configuration = try InfusedTrainingStage.Configuration(p, modelPath: model, source: source, indexes: index,
                                                                       outputPath: out, checkpointDirectory: checkpoints.checkpoint)
            configuration.resume = checkpoints.resume
            configuration.latentFigure = latentFigure
            try checkpoints.prepare(&configuration.training)
            let training = configuration.training
            comm.log0("train-infused: lr \(training.learningRate), batch \(training.batchSize) (global), "
                + "\(training.epochs) epochs, \(comm.size) rank(s) × \(BLASThreads.count) BLAS thread(s)"
                + (configuration.selection.map { "; " + $0.summary } ?? ""))
            let reporter = progress.reporter("train-infused", communicator: comm,
                                             metricsPath: ProgressOptions.metricsPath(besideFile: out))
            _ = try InfusedTrainingStage(configuration).run(communicator: comm, progress: reporter)
        }
    }
}

/// `tributary experiment`: experiment drivers that are not a chain of other commands (the chained ones are in
/// `experiments/infusion-experiment.sh`).
struct Experiment: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "experiment",
        abstract: "Experiments of the papers that run inside one command (Instance Infusion Table 5 baselines).",
        subcommands: [ExperimentBaselinesCommand.self])
}

/// `tributary experiment baselines`: Instance Infusion Table 5's classical text classifiers on one split (read
/// by the same parser as `train-text`'s: `TextSplitChoice`).
struct ExperimentBaselinesCommand: ParsableCommand, SpecCommand {
    static let spec = StageSpec.experimentBaselines
    static let plumbing = ["corpus", "data", "debian_labels", "empty_texts", "out"]
    static let configuration = CommandConfiguration(
        commandName: "baselines",
        abstract: "Multinomial NB, k-NN, linear SVMs and random forests on n-gram / tf-idf features (Table 5) "
            + "→ a Markdown table.")

    @OptionGroup var corpus: TextCorpusOptions
    @Option(help: ArgumentHelp(spec.help("fold"))) var fold: String?
    @Option(help: ArgumentHelp(spec.help("test_fraction"))) var testFraction: Double?
    @Option(help: ArgumentHelp(spec.help("train_fraction"))) var trainFraction = spec.default("train_fraction", as: Double.self)
    @Option(help: ArgumentHelp(spec.help("seed"))) var seed = spec.default("seed", as: Int.self)
    @Option(help: ArgumentHelp(spec.help("max_features"))) var maxFeatures = spec.default("max_features", as: Int.self)
    @Option(help: ArgumentHelp(spec.help("trees"))) var trees = spec.default("trees", as: Int.self)
    @Option(help: "Rank 0 writes the Markdown table here too.")
    var out: String?

    @OptionGroup var job: JobOptions

    func run() throws {
        let configuration = try ExperimentBaselines.Configuration(try parameters(), source: try corpus.source())
        let out = out
        job.run { comm in
            guard comm.isRoot else { return }  // one process's work; the other ranks have nothing to do
            let rows = try ExperimentBaselines(configuration).run { comm.log0($0) }
            let table = ExperimentBaselines.markdown(rows)
            print(table)
            if let out { try (table + "\n").write(toFile: out, atomically: true, encoding: .utf8) }
        }
    }
}

extension InfusionRetrieval: ExpressibleByArgument {}
extension InfusionRefresh: ExpressibleByArgument {}
