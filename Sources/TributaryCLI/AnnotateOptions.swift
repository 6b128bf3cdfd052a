import ArgumentParser
import Classifiers
import FisherAnnotation

/// Flags of the `annotate` subcommands and `report`.

/// `--out DIR`: the folder of images.csv, models.h5, scores.h5, eval.h5, report.md, ap.png.
struct AnnotateFolderOptions: ParsableArguments {
    @Option(help: "Folder of the annotation files: images.csv, models.h5, scores.h5, eval.h5, report.md, ap.png.")
    var out = "annotate-out"
}

/// `--fv`, `--annotations`: the inputs to join.
struct AnnotateInputOptions: ParsableArguments {
    @Option(help: "fv.h5 written by `tributary fisher` (train: required; predict: default the one named in models.h5).")
    var fv: String?

    @Option(help: "images.csv written by `tributary annotate manifest` (train: default OUT/images.csv; predict: default the one named in models.h5).")
    var annotations: String?
}

/// The classifier settings of `annotate train`.
struct AnnotateTrainOptions: ParsableArguments {
    @Option(help: "Comma-separated runs (default all): \(AnnotationRun.allCases.map(\.rawValue).joined(separator: ", ")).")
    var runs: String?

    @Option(help: "Comma-separated concepts to train (default: every concept with a positive training image).")
    var concepts: String?

    @Option(name: .customLong("min-tag-count"), help: "A tag enters the vocabulary when it is on at least this many images, train and test both included (the paper: 25).")
    var minTagCount = 25

    @Option(name: .customLong("max-tags"), help: "Keep at most this many tags, most frequent first (default: no cap).")
    var maxTags: Int?

    @Option(help: "SVM cost C (LIBLINEAR -c; the paper: 1).")
    var cost = 1.0

    @Option(name: .customLong("slr-cost"), help: "SLR data-term weight C (smaller: sparser; C = 1 under-fits Fisher vectors: Flowers17 accuracy 71.6 % at 1, 84.3 % at 100).")
    var slrCost = 100.0

    @Option(name: .customLong("slr-iterations"), help: "Most FISTA iterations per SLR concept.")
    var slrIterations = 300

    @Option(help: "TagProp's K, the neighbours over all measures (the paper: 1000), split as ceil(K/M) per measure.")
    var neighbours = 1000

    @Option(name: .customLong("tagprop-layouts"), help: "summed (one measure per descriptor kind: D2/D3, default) or separate (one per kind and layout: D6/D7).")
    var tagpropLayouts = "summed"

    @Option(help: "Seed of the SVM solver's coordinate order.")
    var seed: UInt64 = 1

    func validate() throws {
        _ = try parsedRuns()
        guard minTagCount >= 1 else { throw ValidationError("--min-tag-count must be at least 1, got \(minTagCount)") }
        if let maxTags, maxTags < 0 { throw ValidationError("--max-tags must be at least 0, got \(maxTags)") }
        guard cost > 0, slrCost > 0 else { throw ValidationError("--cost and --slr-cost must be positive") }
        guard slrIterations >= 1 else { throw ValidationError("--slr-iterations must be at least 1, got \(slrIterations)") }
        guard neighbours >= 1 else { throw ValidationError("--neighbours must be at least 1, got \(neighbours)") }
        guard TagPropLayouts(rawValue: tagpropLayouts) != nil else {
            throw ValidationError("--tagprop-layouts must be summed or separate, got '\(tagpropLayouts)'")
        }
    }

    func parsedRuns() throws -> [AnnotationRun] {
        guard let runs else { return AnnotationRun.allCases }
        return try runs.split(separator: ",").map { name in
            guard let run = AnnotationRun(rawValue: String(name)) else {
                throw ValidationError("--runs: unknown run '\(name)'; use \(AnnotationRun.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return run
        }
    }

    func config(fv: String, annotations: String, output: String) throws -> AnnotateTrainConfig {
        var tagProp = TagProp.Options()
        tagProp.neighbours = neighbours
        return AnnotateTrainConfig(
            fisherVectors: fv, annotations: annotations, output: output, runs: try parsedRuns(),
            concepts: concepts.map { $0.split(separator: ",").map(String.init) }, minimumTagCount: minTagCount,
            maximumTags: maxTags ?? .max, svm: LinearSVMOptions(cost: cost, seed: seed),
            slr: .init(cost: slrCost, tolerance: 1e-2, maxIterations: slrIterations), tagProp: tagProp,
            tagPropLayouts: TagPropLayouts(rawValue: tagpropLayouts) ?? .summed)
    }
}
