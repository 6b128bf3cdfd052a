import Classifiers
import Core
import Foundation
import LinearAlgebra
import Stages
import Storage

/// The image stages of the runner: `fisher` (extract → fit-pca → fit-gmm → encode), `split` (a stratified
/// train/test `images.csv` over a single-label `fv.h5`) and `annotate` (train → predict → eval → AP plot).
/// The stage types of the Fisher-vector annotation method, in the order `tributary run --help` lists them.
public enum FisherAnnotationStages {
    public static let stageTypes: [RunnerStageType] = RunnerStageType.imageStages
}

extension RunnerStageType {
    static let imageStages: [RunnerStageType] = [fisher, split.estimating(estimateSplit), annotate.estimating(estimateAnnotate)]  // ImageStageEstimates

    static let fisher = RunnerStageType(
        spec: .fisher,
        dataset: .image,
        outputs: ["fv.h5"],
        estimate: { stage, directory, dataset in
            guard case let .images(source, selection)? = dataset else { return [] }
            return [try FisherPipeline(stage.parameters, source: source, selection: selection, directory: directory).sizePlan()]
        }
    ) { context in
        guard case let .images(source, selection)? = context.dataset else { preconditionFailure("checked by the config") }
        let p = context.parameters
        let pipeline = FisherPipeline(p, source: source, selection: selection, directory: context.directory)
        try pipeline.run(communicator: context.communicator, log: context.log, progress: context.progress)
        let fv = try HDF5File.open(path: pipeline.encode.output)
        defer { try? fv.close() }
        let images = try fv.shape(of: "labels")[0]
        let dims = try EncodeStage.vectorDatasets.map { try FisherVectorReader(file: fv, dataset: $0).dimension }.reduce(0, +)
        let classes = try fv.readStrings("class_names")
        let report = """
            \(images) images of \(source.description)\(selection.limit.map { " (subset: \($0) images)" } ?? ""); \
            grid P=\(pipeline.extract.patchSize) step=\(pipeline.extract.step) S=\(pipeline.extract.scales); PCA \(p.int("pca_dims")), \
            M = \(p.int("components")) Gaussians; \(dims) Fisher-vector dimensions per image (ORH + COL, 1x1 + 2x2 + 1x3); \
            \(classes.count) classes.
            """
        let emFigure = context.communicator.isRoot  // figures: AnnotationFigures.swift
            ? AnnotationFigures.logLikelihood(gmm: pipeline.gmm.output, png: context.output("gmm-loglik.png"), link: context.relative("gmm-loglik.png")) : ""
        return RunnerStageResult(summary: "\(images) images → \(dims)-dim Fisher vectors", report: report + emFigure)
    }

    static let split = RunnerStageType(
        spec: .split,
        inputs: ["fv": ["fisher"]],
        outputs: ["images.csv"]
    ) { context in
        let fraction = context.parameters.double("test_fraction")
        guard fraction > 0 && fraction < 1 else {
            throw RunnerError.stageFailed(stage: context.stage.name, type: "split",
                                          reason: "params.test_fraction = \(fraction) must be in (0, 1); fix the config")
        }
        let fvPath = context.input("fv", "fv.h5")
        let fv = try HDF5File.open(path: fvPath)
        defer { try? fv.close() }
        let ids = try fv.readStrings("ids"), classes = try fv.readStrings("class_names")
        let labels = try fv.read("labels", as: Int64.self).values.map { Int($0) }
        var items = zip(ids, labels).map { AnnotationTable.Item(path: $0, concepts: [classes[$1]], tags: [], split: "train") }
        for c in classes.indices {
            let members = items.indices.filter { labels[$0] == c }
            var rng = SeededRandom(seed: UInt64(context.parameters.int("seed")), stream: UInt64(c))
            let held = Int((Double(members.count) * fraction).rounded())
            for j in rng.permutation(members.count).prefix(held) { items[members[j]].split = "test" }
        }
        let test = items.filter { $0.split == "test" }.count
        guard test > 0 && test < items.count else {
            throw RunnerError.stageFailed(stage: context.stage.name, type: "split",
                                          reason: "\(fvPath) has \(items.count) images: too few for a split with test_fraction \(fraction); use a larger dataset limit")
        }
        if context.communicator.isRoot {  // Distributed: rank 0 writes
            try AnnotationTable(source: fvPath, items: items).write(to: context.output("images.csv"))
        }
        try context.communicator.barrier()
        return RunnerStageResult(summary: "\(items.count - test) train, \(test) test images",
                                 report: "\(items.count - test) training and \(test) test images (\(Int(fraction * 100)) % of each class held out, seed \(context.parameters.int("seed"))).")
    }

    static let annotate = RunnerStageType(
        spec: .annotate,
        inputs: ["fv": ["fisher"], "manifest": ["split"]],
        outputs: ["models.h5", "scores.h5", "eval.h5"]
    ) { context in
        let p = context.parameters
        let comm = context.communicator
        let train = AnnotateTrainConfig(p, fisherVectors: context.input("fv", "fv.h5"),
                                        annotations: context.input("manifest", "images.csv"), output: context.output("models.h5"))
        try AnnotateTrainStage(config: train).run(communicator: comm, log: context.log)
        let predict = AnnotatePredictConfig(p, models: train.output, output: context.output("scores.h5"))
        try AnnotatePredictStage(config: predict).run(communicator: comm, log: context.log)
        var table = "", note = "", summary = ""
        var extra = ""  // confusion matrices and precision–recall curves: AnnotationFigures.swift
        if comm.isRoot {  // Distributed: evaluation is cheap; rank 0 reads and writes
            let evaluation = AnnotationEvaluation.evaluate(try AnnotationScores.read(predict.output), scoresFile: predict.output)
            try evaluation.write(to: context.output("eval.h5"))
            table = AnnotationReport.markdown(evaluation)
            note = try AnnotationReport.plot(evaluation, png: context.output("ap.png"))
            extra = try AnnotationFigures.write(try AnnotationScores.read(predict.output), directory: context.directory, relative: context.relative)
            summary = evaluation.runs.map { "\($0.run.rawValue) mAP \(AnnotationReport.percent($0.meanAveragePrecision))" }
                .joined(separator: ", ")
        }
        try comm.barrier()
        let figure = FileManager.default.fileExists(atPath: context.output("ap.png"))
            ? "\n\n![per-concept AP](\(context.relative("ap.png")))\n" : "\n\n(\(note))\n"
        return RunnerStageResult(summary: summary, report: table + figure + extra)
    }
}
