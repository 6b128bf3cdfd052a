import Stages
import ArgumentParser
import Classifiers
import FisherAnnotation

/// Flags of the `annotate` subcommands and `report`.

/// `--out DIR`: the folder of images.csv, models.h5, scores.h5, eval.h5, report.md, ap.png.
struct AnnotateFolderOptions: ParsableArguments {
    @Option(help: "The folder each annotate step writes its file into (images.csv, models.h5, scores.h5, eval.h5, report.md, ap.png) and reads the earlier steps' files from.")
    var out = "annotate-out"
}

/// `--fv`, `--annotations`: the inputs to join.
struct AnnotateInputOptions: ParsableArguments {
    @Option(help: "fv.h5 written by `tributary fisher` (train: required; predict: default the one named in models.h5).")
    var fv: String?

    @Option(help: "images.csv written by `tributary annotate manifest` (train: default OUT/images.csv; predict: default the one named in models.h5).")
    var annotations: String?
}

extension TagPropLayouts: ExpressibleByArgument {}
extension LateFusionScores: ExpressibleByArgument {}
extension SVMLoss: ExpressibleByArgument {}
extension TagVocabulary.Scope: ExpressibleByArgument {}

/// The classifier settings of `annotate train`: `StageSpec.annotateTrain`'s parameters (help and defaults from the
/// spec, the same as a runner `annotate` stage's).
struct AnnotateTrainOptions: ParsableArguments {
    private static let spec = StageSpec.annotateTrain

    @Option(help: ArgumentHelp(spec.help("runs")))
    var runs = spec.default("runs", as: CommaList.self)

    @Option(help: ArgumentHelp(spec.help("concepts"))) var concepts: CommaList?
    @Option(help: ArgumentHelp(spec.help("min_tag_count"))) var minTagCount = spec.default("min_tag_count", as: Int.self)
    @Option(help: ArgumentHelp(spec.help("max_tags"))) var maxTags: Int?
    @Option(help: ArgumentHelp(spec.help("tag_vocabulary")))
    var tagVocabulary = spec.default("tag_vocabulary", as: TagVocabulary.Scope.self)
    @Option(help: ArgumentHelp(spec.help("cost"))) var cost = spec.default("cost", as: Double.self)
    @Option(help: ArgumentHelp(spec.help("svm_loss"))) var svmLoss = spec.default("svm_loss", as: SVMLoss.self)
    @Option(help: ArgumentHelp(spec.help("slr_cost"))) var slrCost = spec.default("slr_cost", as: Double.self)
    @Option(help: ArgumentHelp(spec.help("slr_iterations"))) var slrIterations = spec.default("slr_iterations", as: Int.self)
    @Option(help: ArgumentHelp(spec.help("neighbours"))) var neighbours = spec.default("neighbours", as: Int.self)
    @Option(help: ArgumentHelp(spec.help("tagprop_layouts")))
    var tagpropLayouts = spec.default("tagprop_layouts", as: TagPropLayouts.self)
    @Option(help: ArgumentHelp(spec.help("seed"))) var seed = spec.default("seed", as: Int.self)
    @Option(help: ArgumentHelp(spec.help("select_on"))) var selectOn = spec.default("select_on", as: String.self)
    @Option(help: ArgumentHelp(spec.help("svm_costs"))) var svmCosts: NumberList?
    @Option(help: ArgumentHelp(spec.help("slr_costs"))) var slrCosts: NumberList?
    @Option(help: ArgumentHelp(spec.help("validation_fraction")))
    var validationFraction = spec.default("validation_fraction", as: Double.self)
    @Option(help: ArgumentHelp(spec.help("validation_seed"))) var validationSeed = spec.default("validation_seed", as: Int.self)

    /// The spec checks the runs too (in either front door); this keeps the command line's own wording.
    func validate() throws {
        for name in runs.items where AnnotationRun(rawValue: name) == nil {
            throw ValidationError("--runs: unknown run '\(name)'; use \(AnnotationRun.choices.joined(separator: ", "))")
        }
    }
}
