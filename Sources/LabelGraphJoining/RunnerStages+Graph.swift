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
}
