import ArgumentParser
import Datasets
import Foundation
import LabelGraphJoining
import LabelGraphs
import Stages

/// `tributary decode`: greedy paths (Algorithm 2) or baseline predictions, as text or JSON, with accuracy. Its
/// figure parameters are `StageSpec.decodePaths`, the same table as the runner's `train-paths` stage.
struct Decode: ParsableCommand, SpecCommand {
    static let spec = StageSpec.decodePaths
    static let plumbing = ["model", "input", "format", "out", "grid_png", "fashion_mnist_dir", "multi_label", "thresholds", "tune_on"]
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode label-graph paths for new samples (text or JSON); accuracy when labels are given.")

    /// How the predictions are written.
    enum Format: String, CaseIterable, ExpressibleByArgument {
        case text, json
    }

    @Option(help: "A train-paths model (HDF5).")
    var model: String
    @Option(help: "dataset=NAME,features=FILE[,labels=FILE.csv][,rows=A-B]: the samples to decode.")
    var input: String
    @Option(help: "text or json (--multi-label writes text).")
    var format = Format.text
    @Option(help: "Write the paths here (default: standard output).")
    var out: String?
    @Option(help: ArgumentHelp(spec.help("grid_nodes"))) var gridNodes: CommaList?
    @Option(help: "The interpretability grid (Figure 4 analog) of a label-aug model: the PNG to write.")
    var gridPng: String?
    @Option(help: ArgumentHelp(spec.help("grid_per_row"))) var gridPerRow = spec.default("grid_per_row", as: Int.self)
    @Option(help: "With --grid-png: the Fashion-MNIST idx folder the ids (train/N, test/N) refer to (default: \(FashionMNIST.defaultDirectory)).")
    var fashionMnistDir: String?
    @Flag(help: "Multi-label: a prediction set per sample (label-aug: multi-path decoding) and F1 instead of accuracy.")
    var multiLabel = false
    @Option(help: "With --multi-label: threshold τ, or comma-separated candidates with --tune-on (default: 0.5).")
    var thresholds: CommaList?
    @Option(help: "With --multi-label: dataset=…,features=…,labels=… of a validation split; τ = the candidate with the best micro F1 there.")
    var tuneOn: String?

    func validate() throws {
        let p = try parameters()
        if gridPng == nil {
            if !p.isNull("grid_nodes") { throw ValidationError("--grid-nodes needs --grid-png FILE (the figure it lays out)") }
            if StageSpec.given(p, "grid_per_row") { throw ValidationError("--grid-per-row needs --grid-png FILE (the figure it lays out)") }
            if fashionMnistDir != nil { throw ValidationError("--fashion-mnist-dir needs --grid-png FILE (the figure's images)") }
        } else if gridNodes?.items.isEmpty == true {
            throw ValidationError("--grid-nodes is empty; name the figure's rows or leave out --grid-png")
        }
        if multiLabel {
            if format == .json { throw ValidationError("--format json is not available with --multi-label (its prediction sets are text)") }
            if gridPng != nil { throw ValidationError("--grid-png is not available with --multi-label (the figure shows each sample's one greedy path)") }
        } else {
            if thresholds != nil { throw ValidationError("--thresholds needs --multi-label (a single-label decode has no threshold)") }
            if tuneOn != nil { throw ValidationError("--tune-on needs --multi-label (it tunes the threshold)") }
        }
        if let thresholds, thresholds.items.isEmpty || !thresholds.items.allSatisfy({ Double($0).map { $0 > 0 && $0 <= 1 } ?? false }) {
            throw ValidationError("--thresholds must be numbers in (0, 1], comma-separated, got '\(thresholds.items.joined(separator: ","))'")
        }
    }

    @OptionGroup var job: JobOptions

    func run() throws {
        let spec = try PathDataSpec(parsing: input)
        if multiLabel { return try runMultiLabel(spec) }
        let p = try parameters()
        // The figure's rows, checked before decoding: a baseline decodes no paths, and every row is a graph node.
        var gridRows: [String] = []
        if gridPng != nil {
            let file = try PathModelFile.read(model)
            guard file.method == .labelAug else {
                throw ValidationError("--grid-png needs a label-aug model; \(model) is \(file.method.rawValue), which decodes no paths")
            }
            gridRows = PathFigure.gridNodes(p, graph: file.graph)
            guard !gridRows.isEmpty else {
                throw ValidationError("--grid-png: the graph of \(model) has no augmented node; name the rows with --grid-nodes")
            }
            for node in gridRows where file.graph.index(of: node) == nil {
                throw ValidationError("--grid-nodes: '\(node)' is not a node of the graph of \(model)")
            }
        }
        job.run { comm in
            guard comm.isRoot else { return }  // Distributed: rank 0 decodes (one small vector per sample)
            let report = try PathDecodeStage(modelPath: model, input: spec).run()
            warn(report.warnings)
            let text = format == .json ? PathDecodeStage.json(report, model: model) : PathDecodeStage.text(report)
            if let out {
                try writeTextAtomically(text, to: out)
                print("wrote \(out): \(report.predictions.count) predictions")
            } else {
                print(text, terminator: "")
            }
            if let gridPng {
                try writeGrid(report, nodes: gridRows, to: gridPng)
            }
            if let accuracy = report.accuracy {
                let labelled = report.predictions.filter { $0.truth != nil }.count
                print("accuracy \(String(format: "%.2f", 100 * accuracy)) % (\(report.correct)/\(labelled)) on \(report.dataset)")
            }
            if let correctness = report.pathCorrectness { print(correctness.summary) }
        }
    }
}

extension Decode {
    /// Rank 0: one `warning:` line per entry on stderr.
    func warn(_ warnings: [String]) {
        for warning in warnings { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
    }

    /// `--multi-label`: prediction sets and F1 (PathDecodeStage.runMultiLabel), rank 0.
    func runMultiLabel(_ spec: PathDataSpec) throws {
        let candidates = (thresholds?.items ?? ["0.5"]).compactMap { Double($0) }  // checked by validate()
        let tune = try tuneOn.map { try PathDataSpec(parsing: $0) }
        job.run { comm in
            guard comm.isRoot else { return }  // Distributed: rank 0 decodes (one small vector per sample)
            let report = try PathDecodeStage(modelPath: model, input: spec).runMultiLabel(thresholds: candidates, tuneOn: tune)
            warn(report.warnings)
            let text = PathDecodeStage.text(report)
            if let out {
                try writeTextAtomically(text, to: out)
                print("wrote \(out): \(report.predictions.count) prediction sets")
            } else {
                print(text, terminator: "")
            }
            for (tau, micro) in report.tuning { print(String(format: "tune threshold %.3f micro-F1 %.2f", tau, 100 * micro)) }
            let f1 = report.f1
            print(String(format: "f1 micro %.2f sample %.2f macro %.2f precision %.2f recall %.2f threshold %.3f",
                         100 * f1.micro, 100 * f1.sampleAveraged, 100 * f1.macro, 100 * f1.microPrecision, 100 * f1.microRecall,
                         report.threshold) + " (\(f1.samples) samples, \(f1.predicted) predicted, \(f1.actual) true labels) on \(report.dataset)")
        }
    }
}

extension Decode {
    /// The Figure 4 analog for Fashion-MNIST ids (`PathFigure.fashionMNISTGrid`), written to `path`.
    func writeGrid(_ report: PathDecodeStage.Report, nodes: [String], to path: String) throws {
        let (bytes, rows) = try PathFigure.fashionMNISTGrid(report, nodes: nodes, perRow: gridPerRow,
                                                                    directory: fashionMnistDir ?? FashionMNIST.defaultDirectory)
        do {
            let type = (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType
            try Data(bytes).write(to: URL(fileURLWithPath: path), options: type == nil || type == .typeRegular ? .atomic : [])
        } catch {
            throw ValidationError("cannot write \(path) (\(error.localizedDescription)); pass a writable --grid-png")
        }
        for row in rows {
            let det = row.predictions.filter { $0.deterministic == true }.count
            print("grid row \(row.node): \(row.predictions.count) images (\(det) deterministic, \(row.predictions.count - det) nondeterministic) of "
                + "\(report.predictions.filter { $0.path.contains(row.node) }.count) passing through it")
        }
        print("wrote \(path)")
    }
}
