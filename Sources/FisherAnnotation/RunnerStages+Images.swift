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
    static let imageStages: [RunnerStageType] = [fisher, split, annotate]

    static let fisher = RunnerStageType(
        name: "fisher", summary: "dense ORH + COL descriptors → PCA → GMM → improved Fisher vectors (fv.h5)",
        dataset: .image,
        parameters: [
            "patch_size": RunnerParameter(.int, .null, "patch side P (default: the dataset's)"),
            "step": RunnerParameter(.int, .null, "grid step (default: the dataset's)"),
            "scales": RunnerParameter(.int, .null, "scales (default: the dataset's)"),
            "pca_dims": RunnerParameter(.int, .int(64), range: 1 ... 1e9, "PCA output dimension d"),
            "components": RunnerParameter(.int, .int(256), range: 1 ... 1e9, "Gaussian components M"),
            "sample_size": RunnerParameter(.int, .int(100_000), range: 2 ... 1e12, "descriptors sampled for PCA and GMM"),
            "iterations": RunnerParameter(.int, .int(50), "most EM iterations"),
            "tolerance": RunnerParameter(.double, .double(1e-5), "EM relative-gain stop"),
            "batch_size": RunnerParameter(.int, .int(64), range: 1 ... 1e9, "images per batch on a rank"),
            "seed": RunnerParameter(.int, .int(0), "seed of the samples and of EM"),
            "on_bad_image": RunnerParameter(.string, .string("fail"), choices: ["fail", "skip"], "what to do with an image that does not decode"),
        ],
        outputs: ["fv.h5"]
    ) { context in
        guard case let .images(source, selection)? = context.dataset else { preconditionFailure("checked by the config") }
        let p = context.parameters
        let pipeline = FisherPipeline(
            source: source, selection: selection, directory: context.directory, patchSize: p.optionalInt("patch_size"),
            step: p.optionalInt("step"), scales: p.optionalInt("scales"), pcaDimensions: p.int("pca_dims"),
            components: p.int("components"), sampleSize: p.int("sample_size"), maxIterations: p.int("iterations"),
            tolerance: p.double("tolerance"), batchSize: p.int("batch_size"), seed: UInt64(p.int("seed")),
            badImages: BadImagePolicy(rawValue: p.string("on_bad_image")) ?? .fail)
        try pipeline.run(communicator: context.communicator, log: context.log)
        let fv = try HDF5File.open(path: pipeline.encode.output)
        defer { try? fv.close() }
        let images = try fv.shape(of: "labels")[0]
        let dims = try EncodeStage.datasets.filter { $0.hasPrefix("fv/") }.map { try fv.shape(of: $0)[1] }.reduce(0, +)
        let classes = try fv.readStrings("class_names")
        let report = """
            \(images) images of \(source.description)\(selection.limit.map { " (subset: \($0) images)" } ?? ""); \
            grid P=\(pipeline.extract.patchSize) step=\(pipeline.extract.step) S=\(pipeline.extract.scales); PCA \(p.int("pca_dims")), \
            M = \(p.int("components")) Gaussians; \(dims) Fisher-vector dimensions per image (ORH + COL, 1x1 + 2x2 + 1x3); \
            \(classes.count) classes.
            """
        return RunnerStageResult(summary: "\(images) images → \(dims)-dim Fisher vectors", report: report)
    }

    static let split = RunnerStageType(
        name: "split", summary: "stratified seeded train/test split of a single-label fv.h5 → images.csv for annotate",
        inputs: ["fv": ["fisher"]],
        parameters: [
            "test_fraction": RunnerParameter(.double, .double(0.25), range: 0.001 ... 0.999, "fraction of each class held out for testing"),
            "seed": RunnerParameter(.int, .int(0), "seed of the per-class permutations"),
        ],
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
        name: "annotate", summary: "annotate train → predict → eval: SVM / SLR / TagProp runs, per-concept AP plot",
        inputs: ["fv": ["fisher"], "manifest": ["split"]],
        parameters: [
            "runs": RunnerParameter(.strings, .array([.string("svm-late-visual"), .string("svm-early-visual")]),
                                    choices: AnnotationRun.allCases.map(\.rawValue), "the runs of Table 2 to train"),
            "cost": RunnerParameter(.double, .double(1), range: 1e-12 ... 1e12, "SVM cost C"),
            "min_tag_count": RunnerParameter(.int, .int(25), range: 1 ... 1e12, "tag vocabulary minimum count"),
            "neighbours": RunnerParameter(.int, .int(1000), range: 1 ... 1e9, "TagProp's K"),
            "slr_cost": RunnerParameter(.double, .double(100), range: 1e-12 ... 1e12, "SLR data-term weight"),
            "slr_iterations": RunnerParameter(.int, .int(300), range: 1 ... 1e12, "most FISTA iterations"),
            "seed": RunnerParameter(.int, .int(1), "SVM coordinate-order seed"),
        ],
        outputs: ["models.h5", "scores.h5", "eval.h5"]
    ) { context in
        let p = context.parameters
        let comm = context.communicator
        var train = AnnotateTrainConfig(
            fisherVectors: context.input("fv", "fv.h5"), annotations: context.input("manifest", "images.csv"),
            output: context.output("models.h5"), runs: p.strings("runs").compactMap(AnnotationRun.init(rawValue:)),
            minimumTagCount: p.int("min_tag_count"))
        train.svm.cost = p.double("cost")
        train.svm.seed = UInt64(p.int("seed"))
        train.slr.cost = p.double("slr_cost")
        train.slr.maxIterations = p.int("slr_iterations")
        train.tagProp.neighbours = p.int("neighbours")
        try AnnotateTrainStage(config: train).run(communicator: comm, log: context.log)
        let predict = AnnotatePredictConfig(models: train.output, output: context.output("scores.h5"))
        try AnnotatePredictStage(config: predict).run(communicator: comm, log: context.log)
        var table = "", note = "", summary = ""
        if comm.isRoot {  // Distributed: evaluation is cheap; rank 0 reads and writes
            let evaluation = AnnotationEvaluation.evaluate(try AnnotationScores.read(predict.output), scoresFile: predict.output)
            try evaluation.write(to: context.output("eval.h5"))
            table = AnnotationReport.markdown(evaluation)
            note = try AnnotationReport.plot(evaluation, png: context.output("ap.png"))
            summary = evaluation.runs.map { "\($0.run.rawValue) mAP \(AnnotationReport.percent($0.meanAveragePrecision))" }
                .joined(separator: ", ")
        }
        try comm.barrier()
        let figure = FileManager.default.fileExists(atPath: context.output("ap.png"))
            ? "\n\n![per-concept AP](\(context.relative("ap.png")))\n" : "\n\n(\(note))\n"
        return RunnerStageResult(summary: summary, report: table + figure)
    }
}
