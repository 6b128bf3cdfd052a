import Classifiers
import Core
import Foundation
import LinearAlgebra
import Stages
import Storage

/// The image stages of the runner: `fisher` (extract → fit-pca → fit-gmm → encode; with a `manifest` input, PCA and
/// GMM see its training images only), `split-images` / `split` (a stratified train/test `images.csv` of a dataset,
/// or of a single-label `fv.h5`: `RunnerStages+Split`) and `annotate` (train → predict → eval → AP plot).
/// The stage types of the Fisher-vector annotation method, in the order `tributary run --help` lists them.
public enum FisherAnnotationStages {
    public static let stageTypes: [RunnerStageType] = RunnerStageType.imageStages
}

extension RunnerStageType {
    static let imageStages: [RunnerStageType] = [fisher.costing(costFisher), splitImages.estimating(estimateSplit).costing(costSplit),
                                                  split.estimating(estimateSplit).costing(costSplit),
                                                  annotate.estimating(estimateAnnotate).costing(costAnnotate)]  // ImageStageEstimates

    static let fisher = RunnerStageType(
        spec: .fisher,
        dataset: .image,
        inputs: ["manifest": ["split-images"]],
        optionalInputs: ["manifest"],
        outputs: ["fv.h5"],
        estimate: { stage, directory, dataset in
            guard case let .images(source, selection)? = dataset else { return [] }
            return [try FisherPipeline(stage.parameters, source: source, selection: selection, directory: directory).sizePlan()]
        }
    ) { context in
        guard case let .images(source, selection)? = context.dataset else { preconditionFailure("checked by the config") }
        let p = context.parameters
        var pipeline = FisherPipeline(p, source: source, selection: selection, directory: context.directory)
        if let manifest = context.optionalInput("manifest", "images.csv") {  // the split decided before any fit
            guard p.isNull("fit_manifest") else {
                throw RunnerError.stageFailed(stage: context.stage.name, type: "fisher",
                                              reason: "params.fit_manifest and inputs.manifest both name the training images; keep one")
            }
            pipeline.pca.fitManifest = manifest
            pipeline.gmm.fitManifest = manifest
        }
        try pipeline.run(communicator: context.communicator, log: context.log, progress: context.progress)
        let fv = try HDF5File.open(path: pipeline.encode.output)
        defer { try? fv.close() }
        let images = try fv.shape(of: "labels")[0]
        let dims = try EncodeStage.vectorDatasets.map { try FisherVectorReader(file: fv, dataset: $0).dimension }.reduce(0, +)
        let classes = try fv.readStrings("class_names")
        let report = """
            \(images) images of \(source.description)\(selection.limit.map { " (subset: \($0) images)" } ?? ""); \
            grid P=\(pipeline.extract.patchSize) step=\(pipeline.extract.step) S=\(pipeline.extract.scales); PCA \(p.int("pca_dims")), \
            M = \(p.int("components")) Gaussians fitted on \(pipeline.pca.fitManifest == nil ? "every image (test included)" : "the training images only"); \(dims) Fisher-vector dimensions per image (ORH + COL, 1x1 + 2x2 + 1x3); \
            \(classes.count) classes.
            """
        let emFigure = context.communicator.isRoot  // figures: AnnotationFigures.swift
            ? AnnotationFigures.logLikelihood(gmm: pipeline.gmm.output, png: context.output("gmm-loglik.png"), link: context.relative("gmm-loglik.png")) : ""
        return RunnerStageResult(summary: "\(images) images → \(dims)-dim Fisher vectors", report: report + emFigure)
    }

    static let annotate = RunnerStageType(
        spec: .annotate,
        version: 2,  // 2: models.h5 holds the train / validation / test ids
        inputs: ["fv": ["fisher"], "manifest": ["split", "split-images"]],
        outputs: ["models.h5", "scores.h5", "eval.h5"]
    ) { context in
        let p = context.parameters
        let comm = context.communicator
        let train = AnnotateTrainConfig(p, fisherVectors: context.input("fv", "fv.h5"),
                                        annotations: context.input("manifest", "images.csv"), output: context.output("models.h5"))
        try AnnotateTrainStage(config: train).run(communicator: comm, log: context.log)
        let predict = AnnotatePredictConfig(p, models: train.output, output: context.output("scores.h5"))
        try AnnotatePredictStage(config: predict).run(communicator: comm, log: context.log)
        var table = "", note = "", summary = "", metrics: [String: Double] = [:]
        var extra = ""  // confusion matrices and precision–recall curves: AnnotationFigures.swift
        if comm.isRoot {  // Distributed: evaluation is cheap; rank 0 reads and writes
            let evaluation = AnnotationEvaluation.evaluate(try AnnotationScores.read(predict.output), scoresFile: predict.output)
            try evaluation.write(to: context.output("eval.h5"))
            table = AnnotationReport.markdown(evaluation)
            note = try AnnotationReport.plot(evaluation, png: context.output("ap.png"))
            extra = try AnnotationFigures.write(try AnnotationScores.read(predict.output), directory: context.directory, relative: context.relative)
            for run in evaluation.runs where run.meanAveragePrecision.isFinite {  // aggregated by a config's repeat block
                metrics["mAP." + run.run.rawValue] = 100 * run.meanAveragePrecision
            }
            summary = evaluation.runs.map { "\($0.run.rawValue) mAP \(AnnotationReport.percent($0.meanAveragePrecision))" }
                .joined(separator: ", ")
        }
        try comm.barrier()
        let figure = FileManager.default.fileExists(atPath: context.output("ap.png"))
            ? "\n\n![per-concept AP](\(context.relative("ap.png")))\n" : "\n\n(\(note))\n"
        return RunnerStageResult(summary: summary, report: table + figure + extra, metrics: metrics)
    }
}
