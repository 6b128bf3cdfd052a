import ArgumentParser
import Distributed
import Foundation
import InstanceInfusion
import LinearAlgebra
import Training

/// `tributary train-infused`: joint training of the instance-infused bi-LSTM (Instance Infusion § 3) from a
/// pre-trained `train-text` model and one or more source indexes (`embed` → `index`), data-parallel.
struct TrainInfused: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-infused",
        abstract: "Train the instance-infused bi-LSTM from a train-text model and source LSH Forest indexes.",
        discussion: """
            Pass the corpus, split, --train-fraction and --seed that `train-text` used (checked against the model).
            --index once per source dataset (several: per-source retrieval, one attention each). Retrieval is redone
            from the current context vectors every --refresh-every epochs. Run under as many ranks as the indexes
            were built with. Defaults (Table 3): k = 5, λ = 1e-4, lr 0.01 ×0.3 every 10 epochs, Adam.
            """)

    @OptionGroup var corpus: TextCorpusOptions

    @Option(help: "The pre-trained target model (`tributary train-text --out`).")
    var model: String
    @Option(help: "A source index master (`tributary index`); repeat for several sources.")
    var index: [String] = []
    @Option(name: .customShort("k"), help: "Retrieved source instances per document (paper: 5).")
    var neighbours = 5
    @Option(help: "Penalty scale λ (paper: 1e-4; 0 = no penalty).")
    var penalty = 1e-4
    @Option(help: "Recompute the neighbours from the current context vectors every N epochs.")
    var refreshEvery = 1
    @Flag(help: "The source is the target corpus itself: never retrieve a document's own row (Table 4).")
    var excludeSelf = false
    @Option(help: "Epochs (default: Table 3's for the corpus).")
    var epochs: Int?
    @Option(help: "GLOBAL batch size (default: Table 3's for the corpus).")
    var batchSize: Int?
    @Option(help: "Initial learning rate (decayed ×0.3 every 10 epochs).")
    var learningRate = 0.01
    @Option(help: "Clip the averaged gradient to this L2 norm (0 = no clipping).")
    var clipNorm = 0.0
    @Option(help: "The train-text seed (it seeded the split).")
    var seed: UInt64 = 0
    @Option(help: "Cross-validation fold 'k/K' (1-based k), as given to train-text.")
    var fold: String?
    @Option(help: "Stratified held-out test fraction, as given to train-text.")
    var testFraction: Double?
    @Option(help: "Fraction of each class of the training split, as given to train-text.")
    var trainFraction = 1.0
    @Option(help: "OpenBLAS threads per rank (default: OPENBLAS_NUM_THREADS).")
    var threads: Int?
    @Option(help: "Where rank 0 writes the infused model (HDF5).")
    var out: String?

    func validate() throws {
        guard !index.isEmpty else { throw ValidationError("pass --index INDEX.h5 (from `tributary index`) at least once") }
        guard neighbours >= 1 else { throw ValidationError("-k must be at least 1, got \(neighbours)") }
        guard penalty >= 0 && penalty.isFinite else { throw ValidationError("--penalty must be ≥ 0, got \(penalty)") }
        guard refreshEvery >= 1 else { throw ValidationError("--refresh-every must be at least 1") }
        guard trainFraction > 0 && trainFraction <= 1 else { throw ValidationError("--train-fraction must be in (0, 1]") }
        if let testFraction, !(testFraction > 0 && testFraction < 1) {
            throw ValidationError("--test-fraction must be in (0, 1), got \(testFraction)")
        }
        if fold != nil && testFraction != nil { throw ValidationError("pass --fold or --test-fraction, not both") }
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1") }
        if let batchSize, batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
        _ = try split()
    }

    /// The same rules as `train-text`'s.
    func split() throws -> TextTrainingStage.Split {
        if let fold {
            let parts = fold.split(separator: "/").compactMap { Int($0) }
            guard parts.count == 2, parts[1] >= 2, parts[0] >= 1, parts[0] <= parts[1] else {
                throw ValidationError("--fold must be k/K with 1 ≤ k ≤ K and K ≥ 2, e.g. 1/5; got '\(fold)'")
            }
            return .fold(parts[0] - 1, of: parts[1])
        }
        if let testFraction { return .testFraction(testFraction) }
        let source = try corpus.source()
        return source.kind == .twentyNewsgroups || source.kind == .csv ? .predefined : .testFraction(0.1)
    }

    func run() throws {
        let source = try corpus.source()
        var split = try split()
        World.run { comm in
            if let threads { BLASThreads.set(threads) }
            if case .predefined = split, source.kind == .csv, try !source.load().hasPredefinedSplit {
                split = .testFraction(0.1)
            }
            let training = TrainingOptions(
                epochs: epochs ?? source.defaultEpochs, batchSize: batchSize ?? source.defaultBatchSize,
                learningRate: learningRate, clipNorm: clipNorm > 0 ? clipNorm : nil, seed: seed)
            var configuration = InfusedTrainingStage.Configuration(modelPath: model, source: source, split: split,
                                                                   indexes: index, training: training)
            configuration.trainFraction = trainFraction
            configuration.seed = seed
            configuration.neighbours = neighbours
            configuration.penaltyScale = penalty
            configuration.refreshEvery = refreshEvery
            configuration.excludeSelf = excludeSelf
            configuration.outputPath = out
            comm.log0("train-infused: lr \(training.learningRate), batch \(training.batchSize) (global), "
                + "\(training.epochs) epochs, \(comm.size) rank(s) × \(BLASThreads.count) BLAS thread(s)")
            _ = try InfusedTrainingStage(configuration).run(communicator: comm)
        }
    }
}

/// `tributary experiment`: experiment drivers that are not a chain of other commands (the chained ones are in
/// `launch/infusion-experiment.sh`).
struct Experiment: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "experiment",
        abstract: "Experiments of the papers that run inside one command (Instance Infusion Table 5 baselines).",
        subcommands: [ExperimentBaselinesCommand.self])
}

/// `tributary experiment baselines`: Instance Infusion Table 5's classical text classifiers on one split.
struct ExperimentBaselinesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baselines",
        abstract: "Multinomial NB, k-NN, linear SVMs and random forests on n-gram / tf-idf features (Table 5) "
            + "→ a Markdown table.")

    @OptionGroup var corpus: TextCorpusOptions
    @Option(help: "Cross-validation fold 'k/K' (1-based k), e.g. 1/10.")
    var fold: String?
    @Option(help: "Stratified held-out test fraction (default 0.1 unless --fold or a predefined split).")
    var testFraction: Double?
    @Option(help: "Fraction of each class of the training split.")
    var trainFraction = 1.0
    @Option(help: "Seed of the split.")
    var seed: UInt64 = 0
    @Option(help: "Terms kept (highest document frequency).")
    var maxFeatures = 10_000
    @Option(help: "Trees per random forest (the forests are seeded with --seed).")
    var trees = 100
    @Option(help: "Rank 0 writes the Markdown table here too.")
    var out: String?

    func validate() throws {
        guard maxFeatures >= 1 else { throw ValidationError("--max-features must be at least 1") }
        guard trees >= 1 else { throw ValidationError("--trees must be at least 1") }
        guard trainFraction > 0 && trainFraction <= 1 else { throw ValidationError("--train-fraction must be in (0, 1]") }
        _ = try split()
    }

    func split() throws -> TextTrainingStage.Split {
        if let fold {
            let parts = fold.split(separator: "/").compactMap { Int($0) }
            guard parts.count == 2, parts[1] >= 2, parts[0] >= 1, parts[0] <= parts[1] else {
                throw ValidationError("--fold must be k/K with 1 ≤ k ≤ K and K ≥ 2, e.g. 1/10; got '\(fold)'")
            }
            return .fold(parts[0] - 1, of: parts[1])
        }
        if let testFraction { return .testFraction(testFraction) }
        return try corpus.source().kind == .twentyNewsgroups ? .predefined : .testFraction(0.1)
    }

    func run() throws {
        var configuration = ExperimentBaselines.Configuration(source: try corpus.source(), split: try split())
        configuration.seed = seed
        configuration.trainFraction = trainFraction
        configuration.maximumFeatures = maxFeatures
        configuration.trees = trees
        let out = out
        World.run { comm in
            guard comm.isRoot else { return }  // one process's work; the other ranks have nothing to do
            let rows = try ExperimentBaselines(configuration).run { comm.log0($0) }
            let table = ExperimentBaselines.markdown(rows)
            print(table)
            if let out { try (table + "\n").write(toFile: out, atomically: true, encoding: .utf8) }
        }
    }
}
