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
struct TextTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-text",
        abstract: "Train the bi-LSTM text classifier (data-parallel); write the model and vocabulary to HDF5.",
        discussion: """
            Splits: --fold k/K (stratified k-fold, k from 1), --test-fraction f (stratified hold-out), or the
            corpus's own split (20news bydate; a CSV `subset` column). Default: 20news bydate, else 10 % held out.
            Rank 0 prints per-epoch loss and held-out accuracy / macro-F1 and writes --out and checkpoints.
            """)

    @OptionGroup var corpus: TextCorpusOptions

    @Option(help: "Epochs (default: Table 3's for the corpus: bbc/bbcsport 20, 20news 30).")
    var epochs: Int?
    @Option(help: "GLOBAL batch size, split over the ranks (default: Table 3's: bbc 32, bbcsport 16, 20news 256).")
    var batchSize: Int?
    @Option(help: "Tokens kept per document (longer ones are truncated).")
    var maxLength = 300
    @Option(help: "Vocabulary size V, <pad> and <unk> included (most frequent training tokens).")
    var vocabSize = 30_000
    @Option(help: "Minimum training-set count for a token to enter the vocabulary.")
    var minCount = 2
    @Option(help: "Initial learning rate (decayed ×0.3 every 10 epochs).")
    var learningRate = 0.01
    @Option(help: "adam or sgd.")
    var optimizer = "adam"
    @Option(help: "Clip the averaged gradient to this L2 norm (0 = no clipping).")
    var clipNorm = 0.0
    @Option(help: "Hidden size H per LSTM direction.")
    var hiddenSize = 128
    @Option(help: "Word-vector size D (Table 3: 300).")
    var embeddingSize = 300
    @Option(help: "Context-vector size M, the paper's latent dim m (Table 3: 50).")
    var contextSize = 50
    @Option(help: "Seed for the split, the initial parameters and the shuffles.")
    var seed: UInt64 = 0
    @Option(help: "Cross-validation fold 'k/K' (1-based k), e.g. 1/5.")
    var fold: String?
    @Option(help: "Stratified held-out test fraction, e.g. 0.1.")
    var testFraction: Double?
    @Option(help: "Keep this fraction (0.3 … 1.0) of each class of the training split.")
    var trainFraction = 1.0
    @Option(help: "Folder for checkpoint.h5 (rank 0 writes it every epoch).")
    var checkpoint: String?
    @Flag(help: "Continue from --checkpoint (same options required).")
    var resume = false
    @Option(help: "Check that all ranks hold identical parameters every N steps (0: at epoch ends only).")
    var checkEvery = 0
    @Option(help: ArgumentHelp("Stop after N steps, having checkpointed (simulates an interruption).", visibility: .hidden))
    var stopAfterSteps: Int?
    @Option(help: "OpenBLAS threads per rank (default: OPENBLAS_NUM_THREADS).")
    var threads: Int?
    @Option(help: "Where rank 0 writes the model (HDF5).")
    var out: String?

    func validate() throws {
        guard maxLength >= 1, vocabSize >= 2, minCount >= 1, hiddenSize >= 1, embeddingSize >= 1, contextSize >= 1 else {
            throw ValidationError("--max-length, --hidden-size, --embedding-size, --context-size and --min-count must be ≥ 1, --vocab-size ≥ 2")
        }
        guard TrainingOptions.Optimizer(rawValue: optimizer) != nil else {
            throw ValidationError("--optimizer must be adam or sgd, got '\(optimizer)'")
        }
        guard trainFraction > 0 && trainFraction <= 1 else { throw ValidationError("--train-fraction must be in (0, 1]") }
        if let testFraction, !(testFraction > 0 && testFraction < 1) {
            throw ValidationError("--test-fraction must be in (0, 1), got \(testFraction)")
        }
        if fold != nil && testFraction != nil { throw ValidationError("pass --fold or --test-fraction, not both") }
        _ = try split()
        if resume && checkpoint == nil { throw ValidationError("--resume needs --checkpoint DIR") }
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1") }
        if let batchSize, batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
    }

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
                split = .testFraction(0.1)  // a CSV without a `subset` column
            }
            let training = TrainingOptions(
                epochs: epochs ?? source.defaultEpochs, batchSize: batchSize ?? source.defaultBatchSize,
                learningRate: learningRate, optimizer: TrainingOptions.Optimizer(rawValue: optimizer)!,
                clipNorm: clipNorm > 0 ? clipNorm : nil, seed: seed, consistencyCheckEvery: checkEvery,
                checkpointDirectory: checkpoint, stopAfterSteps: stopAfterSteps)
            var configuration = TextTrainingStage.Configuration(source: source, split: split, training: training)
            configuration.trainFraction = trainFraction
            configuration.seed = seed
            configuration.hiddenSize = hiddenSize
            configuration.embeddingSize = embeddingSize
            configuration.contextSize = contextSize
            configuration.maxLength = maxLength
            configuration.vocabularySize = vocabSize
            configuration.minimumCount = minCount
            configuration.resume = resume
            configuration.outputPath = out
            if let checkpoint { try makeFolder(checkpoint) }
            comm.log0("train-text: \(training.optimizer) lr \(training.learningRate), batch \(training.batchSize) "
                + "(global), \(training.epochs) epochs, \(comm.size) rank(s) × \(BLASThreads.count) BLAS thread(s)")
            _ = try TextTrainingStage(configuration).run(communicator: comm)
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
