import Core
import Datasets
import Foundation
import LabelGraphs
import LinearAlgebra
import Stages
import Storage
import Training

/// The label-graph stage of the runner: `train-paths` — the GRU path decoder of label-graph dataset joining
/// (label-aug, Algorithm 1; or a baseline) trained on a `fisher` stage's Fisher vectors, with the `split` stage's
/// training rows joined as TWO datasets of the graph, then greedy decoding (Algorithm 2) of the split's test rows:
///
///     training rows of images.csv ─ per class, a seeded fine_fraction ─▶ fine dataset   (class → node by fine_map)
///                                 └ the rest ───────────────────────── ▶ coarse dataset (class → node by coarse_map;
///                                                                         a class mapped to "" is dropped)
///     fine + coarse ─▶ PathTrainingStage (data-parallel over the ranks) ─▶ model.h5 (rank 0)
///     test rows, fine labels ─▶ PathDecodeStage (rank 0) ─▶ paths.json, paths.txt, accuracy, examples, paths.png
///
/// A map is a `class,label` CSV: the fv file's class name → a label node id of the graph (empty: drop the class).
/// Both maps are checked against the graph on every rank before any collective, so a label the graph lacks fails
/// with the map's file and line. The join itself reads per-row label files that rank 0 writes into the stage
/// folder first (`fine.csv`, `coarse.csv`, `test.csv`: `row,label`, rows of `fv.h5`); `model.h5` records the same
/// parts by image id (`split/fine_ids`, `coarse_ids`, `train_ids` = fine ∪ coarse, `test_ids`).
///
/// The figure (Figure 4 analog, `PathFigure`): one row per `grid_nodes` node (default: every augmented node of the
/// graph), test images whose decoded path passes through it; the images come from the stage's dataset, which must
/// be the one the `fisher` stage encoded (the fv ids are looked up in it).
///
/// `graph`, `fine_map` and `coarse_map` are file parameters: their contents enter the stage key, so editing one
/// of those files reruns the stage (and everything downstream of it).
/// The stage types of the label-graph joining method, in the order `tributary run --help` lists them.
public enum LabelGraphJoiningStages {
    public static let stageTypes: [RunnerStageType] = RunnerStageType.graphStages
}

extension RunnerStageType {
    static let graphStages: [RunnerStageType] = [trainPaths.estimating(estimateTrainPaths).costing(costTrainPaths)]  // PathStageEstimates

    static let trainPaths = RunnerStageType(
        spec: .trainAndDecodePaths,
        version: 2,  // 2: model.h5 holds split/<part>_ids
        dataset: .image,
        inputs: ["fv": ["fisher"], "manifest": ["split", "split-images"]],
        configOnly: [
            ParameterSpec("graph", .file, .string("data/label-graphs/fashion-mnist.graph"), "the label graph (.graph or .outline)"),
            ParameterSpec("fine_dataset", .string, .string("fashion-mnist"), "the graph's dataset of the fine labels (the target)"),
            ParameterSpec("fine_map", .file, .string("data/label-graphs/fashion-mnist.classes.csv"),
                          "class,label CSV: fv class name → fine label node"),
            ParameterSpec("coarse_dataset", .string, .string("fashion-coarse"), "the graph's dataset of the coarse labels"),
            ParameterSpec("coarse_map", .file, .string("data/label-graphs/fashion-coarse.classes.csv"),
                          "class,label CSV: fv class name → coarse label node (\"\": no coarse dataset)"),
            ParameterSpec("fine_fraction", .double, .double(0.25), range: 1e-6 ... 1,
                          "fraction of each class's training rows kept fine; the rest become the coarse dataset"),
            ParameterSpec("examples", .int, .int(10), range: 0 ... 1e6, "decoded test paths shown in the report"),
        ],
        outputs: ["model.h5", "paths.json"]
    ) { context in
        try PathsStageDriver(context: context).run()
    }
}

/// The `train-paths` driver (see `RunnerStageType.trainPaths`).
struct PathsStageDriver {
    let context: RunnerStageContext

    /// One `class,label` map: class name → label node id (nil: dropped).
    typealias ClassMap = [String: String?]

    func run() throws -> RunnerStageResult {
        let p = context.parameters, comm = context.communicator
        let name = context.stage.name
        let graphPath = p.string("graph")
        let graph = try LabelGraph.read(file: graphPath)
        let fine = p.string("fine_dataset"), coarse = p.string("coarse_dataset"), coarseMapPath = p.string("coarse_map")
        let useCoarse = !coarseMapPath.isEmpty && p.double("fine_fraction") < 1
        for (key, dataset) in [("fine_dataset", fine)] + (useCoarse ? [("coarse_dataset", coarse)] : []) where !graph.datasets.contains(dataset) {
            throw RunnerError.stageFailed(stage: name, type: "train-paths",
                reason: "params.\(key) = '\(dataset)' is not a dataset of \(graphPath) (it has \(graph.datasets.joined(separator: ", "))); fix the config")
        }
        for node in p.strings("grid_nodes") where graph.index(of: node) == nil {  // checked before training, on every rank
            throw RunnerError.stageFailed(stage: name, type: "train-paths",
                reason: "params.grid_nodes: '\(node)' is not a node of \(graphPath); fix the config")
        }
        let fineMap = try Self.readMap(p.string("fine_map"), dataset: fine, graph: graph)
        let coarseMap = useCoarse ? try Self.readMap(coarseMapPath, dataset: coarse, graph: graph) : [:]

        // The fv rows and their split.
        let fvPath = context.input("fv", "fv.h5"), manifestPath = context.input("manifest", "images.csv")
        let (ids, classes, classNames) = try Self.readRows(fvPath)
        let table = try AnnotationTable.read(manifestPath)
        var split: [String: String] = [:]  // lookup only
        for item in table.items { split[item.path] = item.split }
        var trainRows: [[Int]] = Array(repeating: [], count: classNames.count), testRows: [Int] = []
        for (r, id) in ids.enumerated() {
            guard let s = split[id] else {
                throw RunnerError.stageFailed(stage: name, type: "train-paths",
                    reason: "image \(id) of \(fvPath) is not in \(manifestPath); rerun the split stage on this fisher stage")
            }
            if s == "train" { trainRows[classes[r]].append(r) } else { testRows.append(r) }
        }
        func mapped(_ map: ClassMap, _ file: String, _ dataset: String, _ c: Int) throws -> String? {
            guard let label = map[classNames[c]] else {
                throw PathTrainingError.unknownLabel(csv: file, line: 1, label: classNames[c], dataset: dataset, graph: graphPath, reason: "class '\(classNames[c])' of \(fvPath) has no line. Fix: add `\(classNames[c]),NODE` (an empty NODE drops the class)")
            }
            return label
        }

        // Per class: a seeded fine_fraction of its training rows stay fine, the rest join the coarse dataset.
        var fineRows: [(Int, String)] = [], coarseRows: [(Int, String)] = [], dropped = 0
        for c in classNames.indices where !trainRows[c].isEmpty {
            let rows = trainRows[c]
            var rng = SeededRandom(seed: UInt64(p.int("seed")), stream: UInt64(c))
            let keep = max(1, Int((Double(rows.count) * p.double("fine_fraction")).rounded()))
            let order = rng.permutation(rows.count)
            let fineLabel = try mapped(fineMap, p.string("fine_map"), fine, c)
            for (k, j) in order.enumerated() {
                if k < keep {
                    if let fineLabel { fineRows.append((rows[j], fineLabel)) } else { dropped += 1 }
                } else if useCoarse, let coarseLabel = try mapped(coarseMap, coarseMapPath, coarse, c) {
                    coarseRows.append((rows[j], coarseLabel))
                } else {
                    dropped += 1
                }
            }
        }
        let testLabelled = try testRows.compactMap { r in try mapped(fineMap, p.string("fine_map"), fine, classes[r]).map { (r, $0) } }
        guard !fineRows.isEmpty, !testLabelled.isEmpty else {
            throw RunnerError.stageFailed(stage: name, type: "train-paths",
                reason: "\(fineRows.count) fine training and \(testLabelled.count) test images after the maps; use a larger dataset limit or fine_fraction")
        }
        fineRows.sort { $0.0 < $1.0 }
        coarseRows.sort { $0.0 < $1.0 }
        if comm.isRoot {  // Distributed: rank 0 writes the join's label files
            try Self.writeLabels(fineRows, to: context.output("fine.csv"))
            try Self.writeLabels(testLabelled, to: context.output("test.csv"))
            if !coarseRows.isEmpty { try Self.writeLabels(coarseRows, to: context.output("coarse.csv")) }
        }
        try comm.barrier()  // Distributed: every rank reads the label files

        // Train (every rank, data-parallel).
        var specs = [PathDataSpec(dataset: fine, features: fvPath, labels: context.output("fine.csv"))]
        if !coarseRows.isEmpty { specs.append(PathDataSpec(dataset: coarse, features: fvPath, labels: context.output("coarse.csv"))) }
        let checkpoints = context.output("checkpoint")
        try FileManager.default.createDirectory(atPath: checkpoints, withIntermediateDirectories: true)
        var configuration = PathTrainingStage.Configuration(p, graphPath: graphPath, specs: specs, target: fine,
                                                            outputPath: context.output("model.h5"), checkpointDirectory: checkpoints)
        // Resume after failure: a checkpoint (or a selection's recorded trials) in this stage's folder is from an
        // interrupted run with the same key.
        configuration.resume = PathTrainingStage.hasCheckpoint(in: checkpoints) || SelectionTrials.exists(in: checkpoints)
        // Every part of the split, by image id, in model.h5 (`split/<part>_ids`; train = fine ∪ coarse, fv order).
        configuration.split = ["fine": fineRows.map { ids[$0.0] }, "coarse": coarseRows.map { ids[$0.0] },
                               "train": (fineRows + coarseRows).map(\.0).sorted().map { ids[$0] }, "test": testLabelled.map { ids[$0.0] }]
        if configuration.resume { context.log("train-paths: resuming from \(checkpoints)") }
        context.log("train-paths: \(fineRows.count) fine + \(coarseRows.count) coarse training images, \(testLabelled.count) test")
        let trained = try PathTrainingStage(configuration).run(communicator: comm, progress: context.progress)
        try comm.barrier()  // Distributed: model.h5 is written before rank 0 reads it back

        var summary = "", report = "", metrics: [String: Double] = [:]
        if comm.isRoot {  // Distributed: decoding the test rows is cheap; rank 0 decodes, writes and reports
            let decoded = try PathDecodeStage(modelPath: context.output("model.h5"),
                                              input: PathDataSpec(dataset: fine, features: fvPath, labels: context.output("test.csv"))).run()
            try RunnerFiles.writeAtomically(PathDecodeStage.json(decoded, model: context.relative("model.h5")), to: context.output("paths.json"))
            try RunnerFiles.writeAtomically(PathDecodeStage.text(decoded), to: context.output("paths.txt"))
            let accuracy = 100 * (decoded.accuracy ?? 0)
            metrics = ["accuracy": accuracy]  // aggregated by a config's repeat block
            summary = "fine test accuracy \(fixed(accuracy, 2)) % (\(fineRows.count) fine + \(coarseRows.count) coarse training images)"
            report = describe(trained: trained, decoded: decoded, graph: graph, fine: fineRows.count, coarse: coarseRows.count,
                              dropped: dropped, useCoarse: useCoarse)
            report += try figure(decoded, graph: graph)
            report += try LabelGraphFigure.write(graph, paths: decoded.predictions.map(\.path), png: context.output("label-graph.png"),
                                                 link: context.relative("label-graph.png"))
        }
        try comm.barrier()
        return RunnerStageResult(summary: summary, report: report, metrics: metrics)
    }

    // MARK: - Report

    func describe(trained: PathTrainingStage.Report, decoded: PathDecodeStage.Report, graph: LabelGraph, fine: Int, coarse: Int,
                  dropped: Int, useCoarse: Bool) -> String {
        let p = context.parameters
        let method = p.string("method"), test = decoded.predictions.count
        var md = "Method **\(method)**\(useCoarse && method != PathMethod.ffn.rawValue ? " + fusion" : "") on graph `\(p.string("graph"))` "
            + "(\(graph.count) nodes, \(graph.labelNodes.count) label nodes, datasets \(graph.datasets.joined(separator: ", "))). "
            + "Training: \(fine) images of `\(p.string("fine_dataset"))` (\(fixed(100 * p.double("fine_fraction"), 1)) % of each class's "
            + "training rows, fine labels)"
            + (useCoarse ? " and \(coarse) of `\(p.string("coarse_dataset"))` (the rest, relabelled by `\(p.string("coarse_map"))`)" : "")
            + (dropped > 0 ? "; \(dropped) dropped (class mapped to no label)" : "") + ". "
            + "Encoder input: \(trained.model.featureSets.joined(separator: " + ")) (F = \(trained.model.featureSize)), MLP \(p.int("encoder_hidden"))"
            + (method == PathMethod.labelAug.rawValue ? ", GRU H \(p.int("hidden_size")), E \(p.int("embedding_size")), β \(p.double("beta"))" : "")
            + "; \(p.int("epochs")) epochs, batch \(p.int("batch_size")), Adam \(p.double("learning_rate")), seed \(p.int("seed")).\n\n"
        let losses = trained.history.map(\.meanLoss)
        if !losses.isEmpty {
            let stride = max(1, (losses.count + 7) / 8)
            let shown = Array(Set(Array(Swift.stride(from: 0, to: losses.count, by: stride)) + [losses.count - 1])).sorted()
            md += "Mean training loss by epoch: " + shown.map { "\($0 + 1): \(fixed(losses[$0], 4))" }.joined(separator: ", ") + ".\n\n"
        }
        let deterministic = decoded.predictions.filter { $0.deterministic == true }.count
        md += "Held-out accuracy on the fine labels: **\(fixed(100 * (decoded.accuracy ?? 0), 2)) %** (\(decoded.correct) of \(test) test images)"
        md += method == PathMethod.labelAug.rawValue ? "; \(deterministic) of \(test) decoded paths are deterministic.\n\n" : ".\n\n"
        let examples = Self.examples(decoded.predictions, count: p.int("examples"))
        if !examples.isEmpty {
            md += "Decoded paths of held-out images (ids as in the dataset; \(context.relative("paths.json")) has all \(test)), "
                + "correct and wrong ones alternating:\n\n"
            md += "| id | truth | decoded path v₀ > v₁ > … | prediction | path |\n| --- | --- | --- | --- | --- |\n"
            for e in examples {
                let mark = e.deterministic.map { $0 ? "deterministic" : "nondeterministic" } ?? "–"
                let path = e.path.isEmpty ? "–" : e.path.joined(separator: " > ")
                md += "| \(RunnerStageType.markdownCell(e.id)) | \(e.truth ?? "–") | \(path) | \(e.prediction ?? "–") "
                    + "\(e.prediction != nil && e.prediction == e.truth ? "✓" : "✗") | \(mark) |\n"
            }
        }
        return md
    }

    /// Up to `count` predictions in input order, correct and wrong ones alternating while both last.
    static func examples(_ predictions: [PathDecodeStage.Prediction], count: Int) -> [PathDecodeStage.Prediction] {
        let right = predictions.filter { $0.truth == $0.prediction }, wrong = predictions.filter { $0.truth != $0.prediction }
        return PathFigure.alternating(right, wrong, count: count)
    }

    /// The decoded-path grid (`paths.png`) and its report lines; "" for baselines or no grid nodes.
    func figure(_ decoded: PathDecodeStage.Report, graph: LabelGraph) throws -> String {
        let p = context.parameters
        guard p.string("method") == PathMethod.labelAug.rawValue else { return "" }
        let nodes = PathFigure.gridNodes(p, graph: graph)
        guard !nodes.isEmpty else { return "" }
        guard case let .images(source, selection)? = context.dataset else { preconditionFailure("checked by the config") }
        let collection = try source.open(selection: selection)
        var index: [String: Int] = [:]  // lookup only
        for i in 0 ..< collection.count { index[collection.id(at: i)] = i }
        let perRow = p.int("grid_per_row")
        let rows = PathFigure.rows(decoded.predictions, nodes: nodes, perRow: perRow)
        let canvas = try PathFigure.render(rows, perRow: perRow) { prediction in
            guard let i = index[prediction.id] else {
                throw RunnerError.stageFailed(stage: context.stage.name, type: "train-paths",
                    reason: "image \(prediction.id) of the fisher stage is not in dataset '\(context.stage.dataset ?? "")'; give this stage the fisher stage's dataset")
            }
            let image = try collection.image(at: i)
            return PathFigure.Gray(width: image.width, height: image.height, intensities: image.gray)
        }
        let bytes = try PathFigure.png(width: canvas.width, height: canvas.height, rgb: canvas.rgb)
        try RunnerFiles.writeAtomically(bytes, to: context.output("paths.png"))
        let counts = rows.map { row in
            "`\(row.node)` \(decoded.predictions.filter { $0.path.contains(row.node) }.count)"
        }.joined(separator: ", ")
        return "\nTest images whose decoded path passes through each augmented node (rows, top to bottom; test images "
            + "through it: \(counts)); blue frame = deterministic path, green = nondeterministic:\n\n"
            + "![decoded paths](\(context.relative("paths.png")))\n"
    }

    // MARK: - Files

    /// The fv file's ids, class index per row, and class names.
    static func readRows(_ path: String) throws -> (ids: [String], classes: [Int], names: [String]) {
        let file = try HDF5File.open(path: path)
        defer { try? file.close() }
        let ids = try file.readStrings("ids"), names = try file.readStrings("class_names")
        let classes = try file.read("labels", as: Int64.self).values.map { Int($0) }
        guard classes.count == ids.count, classes.allSatisfy({ $0 >= 0 && $0 < names.count }) else {
            throw PathTrainingError.badFeatures(path: path, reason: "labels do not match ids / class_names; rerun the fisher stage")
        }
        return (ids, classes, names)
    }

    /// A `class,label` map, every non-empty label checked to be a label node of `dataset` in `graph`.
    static func readMap(_ path: String, dataset: String, graph: LabelGraph) throws -> ClassMap {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PathTrainingError.missingFile(path: path, fix: "pass a `class,label` CSV mapping the fv class names to label nodes of the graph")
        }
        let table = try CSVTable.parse(Array(data), name: path)
        let classColumn = try table.requireColumn("class"), labelColumn = try table.requireColumn("label")
        let paths = PredictionPaths(graph: graph)
        var map: ClassMap = [:]
        for row in table.rows {
            let label = row.fields[labelColumn]
            if !label.isEmpty {
                do {
                    _ = try paths.groundTruth(label: label, dataset: dataset)
                } catch {
                    throw PathTrainingError.unknownLabel(csv: path, line: row.line, label: label, dataset: dataset, graph: graph.file,
                                                         reason: "\(error)")
                }
            }
            map[row.fields[classColumn]] = .some(label.isEmpty ? nil : label)
        }
        return map
    }

    static func writeLabels(_ rows: [(Int, String)], to path: String) throws {
        try RunnerFiles.writeAtomically("row,label\n" + rows.map { "\($0.0),\($0.1)\n" }.joined(), to: path)
    }
}
