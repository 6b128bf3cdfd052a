import Core
import Stages
import ArgumentParser
import Datasets
import Distributed
import Foundation
import LabelGraphJoining
import LabelGraphs
import LinearAlgebra
import NeuralNets
import Training

/// `tributary graph validate|build`: label-graph files (data/label-graphs/FORMAT.md).
struct GraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Validate or build a label graph (Label-graph dataset joining).",
        subcommands: [GraphValidate.self, GraphBuild.self])
}

/// Reads a `.graph` or `.outline` file, throwing the validation error (file, line, fix).
func readLabelGraph(_ path: String) throws -> LabelGraph {
    try LabelGraph.read(file: path)
}

/// Writes `text` to `path` atomically (a temporary file renamed into place); a path that exists and is not a
/// regular file (`/dev/stdout`, a pipe) is written in place, never replaced.
func writeTextAtomically(_ text: String, to path: String) throws {
    do {
        let type = (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType
        try text.write(toFile: path, atomically: type == nil || type == .typeRegular, encoding: .utf8)
    } catch {
        throw ValidationError("cannot write \(path) (\(error.localizedDescription)); pass a writable --out")
    }
}

struct GraphValidate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a .graph or .outline file; print its nodes, labels per dataset and paths.")

    @Argument(help: "The label graph (.graph, or .outline for a hand taxonomy).")
    var file: String

    func run() throws {
        let graph = try readLabelGraph(file)
        let paths = PredictionPaths(graph: graph)
        let augmented = graph.nodes.filter { $0.kind == .augmented }.count
        print("\(file): valid — \(graph.count) nodes (\(graph.labelNodes.count) labels, \(augmented) augmented), "
            + "\(graph.groups.count) competing groups")
        for dataset in graph.datasets {
            let labels = graph.labels(in: dataset)
            var pathCount = 0, nondeterministic = 0, coarse = 0
            for l in labels {
                let truth = try paths.groundTruth(label: l, dataset: dataset)
                pathCount += truth.paths.count
                nondeterministic += truth.isDeterministic.filter { !$0 }.count
                if truth.isCoarse { coarse += 1 }
            }
            print("  \(dataset): \(labels.count) labels (\(coarse) coarse), \(pathCount) ground-truth paths, "
                + "\(nondeterministic) nondeterministic")
        }
    }
}

struct GraphBuild: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Write a .graph from a hand outline, from WordNet hypernyms of class names, or trim a graph.",
        discussion: """
            --outline FILE          an indented taxonomy (data/label-graphs/FORMAT.md)
            --wordnet NAMES         one class name per line; --dataset names their dataset (Debian wordnet-base)
            --from FILE --trim-augmented F
                                    drop round(F × augmented nodes), seeded, reconnecting parents to children
                                    (the graph-size ablation: 0.36, 0.63)
            --debian DUMPAVAIL|apt  root → sections (coarse) → debtags (fine) from package statistics (an edge
                                    section → tag when enough of the section's packages carry the tag); with
                                    --debian-splits DIR also the experiment's seeded package splits
            """)

    @Option(help: "An indented taxonomy file.")
    var outline: String?
    @Option(help: "A file of class names, one per line, looked up in WordNet.")
    var wordnet: String?
    @Option(help: "With --wordnet: the dataset the class names belong to.")
    var dataset: String?
    @Option(help: "With --wordnet: the WordNet dict folder.")
    var wordnetDir = WordNet.debianDirectory
    @Option(help: "A .graph or .outline file to trim.")
    var from: String?
    @Option(help: "With --from: the fraction of augmented nodes to drop.")
    var trimAugmented: Double?
    @Option(help: "Seed of the trimmed nodes.")
    var seed: UInt64 = 0
    @Option(help: "Saved `apt-cache dumpavail` output, or `apt` to run it: build the Debian sections → debtags graph.")
    var debian: String?
    @OptionGroup var debianOptions: DebianGraphOptions
    @Option(help: "The .graph file to write.")
    var out: String

    func validate() throws {
        let sources = [outline, wordnet, from, debian].compactMap { $0 }
        guard sources.count == 1 else { throw ValidationError("pass exactly one of --outline, --wordnet, --from, --debian") }
        if wordnet != nil && dataset == nil { throw ValidationError("--wordnet needs --dataset NAME") }
        if from != nil {
            guard let trimAugmented, trimAugmented >= 0, trimAugmented <= 1 else {
                throw ValidationError("--from needs --trim-augmented F with 0 ≤ F ≤ 1")
            }
        }
    }

    func run() throws {
        let graph: LabelGraph
        if let debian {
            graph = try debianOptions.build(source: debian, graphFile: out, seed: seed)
        } else if let outline {
            graph = try readLabelGraph(outline)
        } else if let wordnet {
            guard let text = try StrictText.contentsOfFile(wordnet) else {  // class names: strict UTF-8
                throw ValidationError("cannot read \(wordnet); pass a file of class names, one per line")
            }
            let names = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            graph = try WordNet(directory: wordnetDir).labelGraph(classes: names, dataset: dataset!)
        } else {
            let original = try readLabelGraph(from!)
            graph = try original.trimmingAugmented(fraction: trimAugmented!, seed: seed)
            let before = original.nodes.filter { $0.kind == .augmented }.count, after = graph.nodes.filter { $0.kind == .augmented }.count
            print("trimmed \(before - after) of \(before) augmented nodes")
        }
        try writeTextAtomically(graph.text, to: out)
        print("wrote \(out): \(graph.count) nodes, \(graph.labelNodes.count) labels")
    }
}

/// `tributary train-paths`: the label-graph path decoder or a baseline on joined datasets (data-parallel). Its
/// parameters are `StageSpec.trainPaths`, the same table as the runner's `train-paths` stage.
struct TrainPaths: ParsableCommand, SpecCommand {
    static let spec = StageSpec.trainPaths
    static let plumbing = ["graph", "join", "target", "threads", "out", "progress"] + CheckpointOptions.plumbing
    static let configuration = CommandConfiguration(
        commandName: "train-paths",
        abstract: "Train the label-graph path decoder (or a baseline) on joined datasets → model HDF5.",
        discussion: """
            Each --join names one dataset: dataset=NAME (as tagged in the graph),features=FILE.h5 (tributary
            fisher fv.h5 or tributary embed output),labels=FILE.csv (a `label` column of node ids, optionally `row`;
            or a `class,label` map of the file's own class names),rows=A-B (optional: rows A ..< B).
            Methods: label-aug (the decoder; join a coarse dataset for label-aug + fusion), ffn, ffn-fused (the
            FFN on the fused set: joined samples whose label names one target label), label-set, label-set-aug
            (Label Set over the label and augmented nodes), pseudo-labels. Rank 0 prints the loss per epoch and writes --out. The same parameters, defaults and
            ranges as a `train-paths` stage of a pipeline config (data/pipelines/README.md).
            """)

    @Option(help: "The label graph (.graph or .outline).")
    var graph: String
    @Option(help: "A joined dataset: dataset=NAME,features=FILE,labels=FILE.csv[,rows=A-B] (repeat).")
    var join: [String] = []
    @Option(help: "The fine dataset evaluated (FFN / Pseudo labels predict its labels).")
    var target: String
    @Option(help: ArgumentHelp(spec.help("method"))) var method = spec.default("method", as: PathMethod.self)
    @Option(help: ArgumentHelp(spec.help("feature_sets"))) var featureSets: CommaList?
    @Option(help: ArgumentHelp(spec.help("encoder_hidden"))) var encoderHidden = spec.default("encoder_hidden", as: Int.self)
    @Option(help: ArgumentHelp(spec.help("embedding_size"))) var embeddingSize = spec.default("embedding_size", as: Int.self)
    @Option(help: ArgumentHelp(spec.help("hidden_size"))) var hiddenSize = spec.default("hidden_size", as: Int.self)
    @Option(help: ArgumentHelp(spec.help("pooling")))
    var pooling = spec.default("pooling", as: PathTrainingOptions.Pooling.self)
    @Option(help: ArgumentHelp(spec.help("max_target_paths"))) var maxTargetPaths = spec.default("max_target_paths", as: Int.self)
    @Option(help: ArgumentHelp(spec.help("nondeterministic")))
    var nondeterministic = spec.default("nondeterministic", as: PathTrainingOptions.Nondeterministic.self)
    @Option(help: ArgumentHelp(spec.help("reinforce_samples"))) var reinforceSamples = spec.default("reinforce_samples", as: Int.self)
    @Option(help: ArgumentHelp(spec.help("teacher_forcing"))) var teacherForcing = spec.default("teacher_forcing", as: Double.self)
    @Option(help: ArgumentHelp(spec.help("alpha"))) var alpha = spec.default("alpha", as: Double.self)
    @Option(help: ArgumentHelp(spec.help("beta"))) var beta = spec.default("beta", as: Double.self)
    @Option(help: ArgumentHelp(spec.help("epochs"))) var epochs = spec.default("epochs", as: Int.self)
    @Option(help: ArgumentHelp(spec.help("batch_size"))) var batchSize = spec.default("batch_size", as: Int.self)
    @Option(help: ArgumentHelp(spec.help("learning_rate"))) var learningRate = spec.default("learning_rate", as: Double.self)
    @OptionGroup var selection: TrainerSelectionOptions
    @Option(help: ArgumentHelp(spec.help("seed"))) var seed = spec.default("seed", as: Int.self)
    @Flag(help: ArgumentHelp(spec.help("multi_label"))) var multiLabel = false
    @Option(help: ArgumentHelp(spec.help("text_encoder"))) var textEncoder: String?
    @Option(help: ArgumentHelp(spec.help("text_corpus"))) var textCorpus: TextCorpusSource.Kind?
    @Option(help: ArgumentHelp(spec.help("text_data"))) var textData: String?
    @Option(help: "OpenBLAS threads per rank (default: OPENBLAS_NUM_THREADS).")
    var threads: Int?
    @Option(help: "Where rank 0 writes the model (HDF5); its metrics go beside it (model.h5 → model.metrics.jsonl).")
    var out: String
    @OptionGroup var checkpoints: CheckpointOptions
    @OptionGroup var progress: ProgressOptions

    func validate() throws {
        _ = try parameters()
        guard !join.isEmpty else { throw ValidationError("pass at least one --join dataset=…,features=…,labels=…") }
    }

    @OptionGroup var job: JobOptions

    func run() throws {
        let specs = try join.map { try PathDataSpec(parsing: $0) }
        var configuration = PathTrainingStage.Configuration(try parameters(), graphPath: graph, specs: specs, target: target,
                                                            outputPath: out, checkpointDirectory: checkpoints.checkpoint)
        configuration.resume = checkpoints.resume
        configuration.textEncoder = try PathTextEncoder(try parameters())
        job.run { comm in
            var configuration = configuration
            try checkpoints.prepare(&configuration.training)
            if let threads { BLASThreads.set(threads) }
            let reporter = progress.reporter("train-paths", communicator: comm,
                                             metricsPath: ProgressOptions.metricsPath(besideFile: out))
            _ = try PathTrainingStage(configuration).run(communicator: comm, progress: reporter)
        }
    }
}
