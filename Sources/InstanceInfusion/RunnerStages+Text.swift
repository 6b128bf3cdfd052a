import Core
import Foundation
import LinearAlgebra
import Stages
import Storage
import Training

/// The text stages of the runner: `train-text` (bi-LSTM, data-parallel, checkpointed: an interrupted stage
/// resumes from its last checkpoint), `embed` (context vectors), `index` (an LSH Forest per rank) and `query`
/// (k nearest neighbours over all ranks' forests, with the neighbours' label agreement in the report).
/// The stage types of the instance-infusion method (text stages, then `train-infused`), in the order
/// `tributary run --help` lists them.
public enum InstanceInfusionStages {
    public static let stageTypes: [RunnerStageType] = RunnerStageType.textStages + RunnerStageType.infusionStages
}

extension RunnerStageType {
    static let textStages: [RunnerStageType] = [trainText.estimating(estimateTrainText).costing(costTrainText),
                                                embed.estimating(estimateEmbed).costing(costEmbed),
                                                index.estimating(estimateIndex).costing(costIndex),
                                                query.estimating(estimateQuery).costing(costQuery)]  // TextStageEstimates

    static let trainText = RunnerStageType(
        spec: .trainText,
        version: 2,  // 2: data.corpus is stored relative to model.h5 (and to the checkpoint)
        dataset: .text,
        outputs: ["model.h5"]
    ) { context in
        guard case let .text(source)? = context.dataset else { preconditionFailure("checked by the config") }
        let p = context.parameters
        let checkpoints = context.output("checkpoint")
        try FileManager.default.createDirectory(atPath: checkpoints, withIntermediateDirectories: true)
        var configuration = try TextTrainingStage.Configuration(p, source: source, checkpointDirectory: checkpoints,
                                                                outputPath: context.output("model.h5"))
        // Resume after failure: a checkpoint (or a selection's recorded trials) in this stage's folder is from an
        // interrupted run with the same key.
        configuration.resume = FileManager.default.fileExists(atPath: checkpoints + "/" + DataParallelTrainer.checkpointFileName)
            || SelectionTrials.exists(in: checkpoints)
        if configuration.resume { context.log("train-text: resuming from \(checkpoints)") }
        let report = try TextTrainingStage(configuration).run(communicator: context.communicator, progress: context.progress)
        var table = "| epoch | mean loss | learning rate |\n| ---: | ---: | ---: |\n"
        for e in report.history { table += "| \(e.epoch + 1) | \(fixed(e.meanLoss, 4)) | \(e.learningRate) |\n" }
        var text = "\(report.trainCount) training and \(report.testCount) held-out documents"
            + (configuration.resume ? " (resumed from a checkpoint)" : "") + ".\n\n" + table
        var summary = "final loss \(fixed(report.history.last?.meanLoss ?? .nan, 4))"
        var metrics: [String: Double] = [:]  // aggregated by a config's repeat block
        if let test = report.test {
            metrics = ["accuracy": 100 * test.accuracy, "macro_f1": test.macroF1]
            text += "\nHeld-out accuracy **\(fixed(100 * test.accuracy, 2)) %**, macro-F1 \(fixed(test.macroF1, 4)) on \(test.count) documents.\n"
            summary += ", test accuracy \(fixed(100 * test.accuracy, 2)) %"
            if context.communicator.isRoot {
                text += try TextFigures.confusion(test, model: context.output("model.h5"), directory: context.directory, file: "confusion.png",
                                                  relative: context.relative, title: "\(context.stage.name): held-out confusion matrix")
            }
        }
        if context.communicator.isRoot,
           RunnerPlot.line(report.history.map(\.meanLoss), png: context.output("loss.png"), title: "\(context.stage.name): training loss and held-out accuracy per epoch",
                           ylabel: "mean loss",
                           second: (report.history.compactMap { $0.metrics["test_accuracy"].map { 100 * $0 } }, "held-out accuracy (%)")) {
            text += "\n![training loss](\(context.relative("loss.png")))\n"
        }
        return RunnerStageResult(summary: summary, report: text, metrics: metrics)
    }

    static let embed = RunnerStageType(
        spec: .embed, dataset: .text,
        inputs: ["model": ["train-text"]], outputs: ["embeddings.h5"]
    ) { context in
        guard case let .text(source)? = context.dataset else { preconditionFailure("checked by the config") }
        let n = try TextEmbeddingStage(context.parameters, modelPath: context.input("model", "model.h5"), source: source,
                                       outputPath: context.output("embeddings.h5")).run(communicator: context.communicator)
        return RunnerStageResult(summary: "\(n) documents embedded", report: "\(n) documents → context vectors.")
    }

    static let index = RunnerStageType(
        spec: .index,
        inputs: ["embeddings": ["embed"]],
        outputs: ["index.h5"], rankDependent: true
    ) { context in
        let p = context.parameters
        let config = IndexConfig(p, embeddings: context.input("embeddings", "embeddings.h5"), output: context.output("index.h5"))
        try IndexStage(config: config).run(communicator: context.communicator, log: context.log)
        let ranks = context.communicator.size
        return RunnerStageResult(summary: "\(ranks) forest part(s), \(config.trees) trees each",
                                 report: "\(ranks) per-rank LSH Forests (L = \(config.trees), \(config.metric)).")
    }

    static let query = RunnerStageType(
        spec: .query,
        inputs: ["index": ["index"], "queries": ["embed"]],
        outputs: ["neighbours.h5"], rankDependent: true
    ) { context in
        let p = context.parameters
        let config = QueryConfig(p, index: context.input("index", "index.h5"), queries: context.input("queries", "embeddings.h5"),
                                 output: context.output("neighbours.h5"))
        let result = try QueryStage(config: config).run(communicator: context.communicator, log: context.log)
        // Retrieval quality without a classifier: the fraction of returned neighbours that share the query's label.
        let embeddings = try HDF5File.open(path: config.queries)
        defer { try? embeddings.close() }
        let labels = try embeddings.read("labels", as: Int32.self).values
        let ids = try embeddings.readStrings("ids")
        var sourcePath = config.queries
        if case let .string(path)? = try IndexFiles.readHeader(config.index).parameters["embeddings"] {
            sourcePath = ArtifactHeader.resolvedPath(path, in: config.index)  // stored relative to the index
        }
        let sourceFile = try HDF5File.open(path: sourcePath)
        defer { try? sourceFile.close() }
        let sourceLabels = try sourceFile.read("labels", as: Int32.self).values
        var agree = 0, total = 0
        for b in 0 ..< result.count {
            for j in result.neighbours(of: b) {
                total += 1
                if sourceLabels[j] == labels[b] { agree += 1 }
            }
        }
        let rate = total == 0 ? 0 : Double(agree) / Double(total)
        var text = "\(result.count) queries, k = \(result.k): **\(fixed(100 * rate, 1)) %** of the returned neighbours share "
            + "the query's label (queries and indexed set: `\(sourcePath == config.queries ? "the same embeddings" : sourcePath)`"
            + "\(p.bool("exclude_self") ? ", a query's own row excluded" : "")).\n\n| query (label) | neighbours (label) |\n| --- | --- |\n"
        let sourceIDs = (try? sourceFile.readStrings("ids")) ?? []
        let classes = (try? embeddings.readStrings("classes")) ?? []
        func name(_ id: String, _ label: Int32) -> String {
            let short = id.split(separator: "/").last.map(String.init) ?? id
            return short + " (" + (Int(label) < classes.count ? classes[Int(label)] : "\(label)") + ")"
        }
        for b in stride(from: 0, to: result.count, by: Swift.max(1, result.count / 3)).prefix(3) {
            let names = result.neighbours(of: b).map { $0 < sourceIDs.count ? name(sourceIDs[$0], sourceLabels[$0]) : "#\($0)" }
            text += "| \(markdownCell(name(ids[b], labels[b]))) | \(names.map(markdownCell).joined(separator: ", ")) |\n"
        }
        if context.communicator.isRoot { text += try QueryRecall.reportLine(result, config: config, source: sourcePath) }
        return RunnerStageResult(summary: "label agreement \(fixed(100 * rate, 1)) % at k = \(result.k)", report: text,
                                 metrics: ["label_agreement": 100 * rate])
    }
}
