import Core
import Datasets
import Foundation
import LabelGraphs
import LinearAlgebra
import Stages
import Storage
import Training

/// The report of the `train-paths` runner stage (`PathsStageDriver`): the method and data in words, the loss
/// curve, the held-out accuracy with example paths, and the decoded-path grid (`paths.png`).
extension PathsStageDriver {
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
}
