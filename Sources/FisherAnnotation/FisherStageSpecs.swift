import Classifiers
import Core
import Datasets
import Encoding
import Features
import Foundation
import Stages
import Training

/// The parameter tables of the Fisher-vector steps (Mensink et al. 2010 §2 and §4.1 for the defaults that the paper
/// gives) and of the annotation stages, declared once for `tributary extract | fit-pca | fit-gmm | encode | fisher`,
/// `tributary annotate train | predict` and the runner's `fisher`, `split` and `annotate` stages. Each step's
/// configuration is built from its `StageParameters` in one place below (`ExtractConfig(p, …)`, `PCAConfig(p, …)`,
/// `GMMConfig(p, …)`, `EncodeConfig(p, …)`, `FisherPipeline(p, …)`, `AnnotateTrainConfig(p, …)`,
/// `AnnotatePredictConfig(p, …)`), which both front doors call.
extension StageSpec {
    /// Descriptors sampled for the PCA and for the GMM: `fit-pca` and `fit-gmm` share the declaration.
    static let sampleSize = ParameterSpec("sample_size", .int, .int(100_000), range: 2 ... 1e12, unit: "descriptors",
                                          "Descriptors sampled (seeded, from the fit's images: see fit_manifest) to fit the PCA and the GMM")
    /// The manifest whose `train` rows are the only images `fit-pca` and `fit-gmm` sample: they share the declaration.
    static let fitManifest = ParameterSpec("fit_manifest", .file, .null, dataDefault: "all images, test included (logged)",
                                           "An images.csv (annotate manifest / split) whose train rows are the only images the "
                                             + "PCA and GMM samples are drawn from, so no test descriptor shapes them")
    /// The seed of `fit-pca`'s sample and of `fit-gmm`'s sample (seed + 1) and EM initialisation.
    static let sampleSeed = ParameterSpec("seed", .int, .int(0),
                                          "Seed of the descriptor samples (PCA: seed, GMM: seed + 1) and of the GMM initialisation")
    /// Images a rank holds at once: `extract` and `encode` share the declaration.
    static let chunkSize = ParameterSpec("chunk_size", .int, .int(64), range: 1 ... 1e9, unit: "images",
                                         "Images a rank holds and encodes at once; bounds its memory (not a training batch)")

    public static let extract = StageSpec("extract", summary: "dense ORH + COL descriptors of every image (descriptors.h5)", [
        ParameterSpec("patch_size", .int, .null, dataDefault: "the dataset's: 12 for Fashion-MNIST, 16 synthetic, 32 otherwise",
                      range: 4 ... 1e9, unit: "pixels", reference: "Mensink et al. 2010 §4.1: 32",
                      rule: { value in
                          guard case let .int(n) = value else { return nil }
                          return n % 4 == 0 ? nil : "a multiple of 4 (4 × 4 cells per patch)"
                      },
                      "Patch side P, a multiple of 4"),
        ParameterSpec("step", .int, .null, dataDefault: "the dataset's: 4 for Fashion-MNIST, 8 synthetic, 16 otherwise",
                      range: 1 ... 1e9, unit: "pixels", reference: "Mensink et al. 2010 §4.1: 16", "Grid step"),
        ParameterSpec("scales", .int, .null, dataDefault: "the dataset's: 2 for Fashion-MNIST and synthetic, 5 otherwise",
                      range: 1 ... 1e9, reference: "Mensink et al. 2010 §4.1: 5", "Number of scales, factor 2^-1/2 apart"),
        chunkSize,
        ParameterSpec("on_bad_image", .string, .string(BadImagePolicy.fail.rawValue), choices: BadImagePolicy.choices,
                      "An image that does not decode: fail stops, naming it; skip warns and keeps it with no descriptors"),
    ])

    public static let fitPCA = StageSpec("fit-pca", summary: "PCA of sampled ORH and COL descriptors (pca.h5)", [
        ParameterSpec("pca_dims", .int, .int(64), range: 1 ... 1e9, reference: "Mensink et al. 2010 §4.1",
                      "PCA output dimension d, at most the descriptors' (ORH 128, COL 96)"),
        sampleSize,
        sampleSeed,
        fitManifest,
    ], constraints: [pcaDimsFitDescriptors])

    public static let fitGMM = StageSpec("fit-gmm", summary: "Gaussian mixtures of PCA-projected ORH and COL descriptors (gmm.h5)", [
        ParameterSpec("components", .int, .int(256), range: 1 ... 1e9, reference: "Mensink et al. 2010 §4.1",
                      "Gaussian components M (16–64 for quick runs)"),
        sampleSize,
        ParameterSpec("iterations", .int, .int(50), "Most EM iterations"),
        ParameterSpec("tolerance", .double, .double(1e-5), range: 0 ... 1e12,
                      "Stop EM when the relative log-likelihood gain falls below this"),
        sampleSeed,
        fitManifest,
    ])

    public static let encode = StageSpec("encode", summary: "improved Fisher vectors, 1x1 + 2x2 + 1x3 pyramids (fv.h5)", [
        chunkSize,
        ParameterSpec("fv_storage", .string, .string(FisherVectorStorage.float32.rawValue), choices: FisherVectorStorage.choices,
                      reference: "Sánchez & Perronnin 2011 (PQ-compressed FVs); Jégou et al. 2011 (PQ)",
                      "How fv.h5 stores the vectors: float32 (4 bytes a value), float16 (IEEE half, 2) or pq (1 byte per "
                        + "pq_subvector_dims values, decoded on read); readers get floats from all three"),
        ParameterSpec("fv_compression", .bool, .bool(false),
                      "HDF5 shuffle + deflate on the stored vectors (smaller files, slower writes and reads)"),
        ParameterSpec("pq_subvector_dims", .int, .int(8), range: 1 ... 1e6, unit: "values",
                      "fv_storage pq: sub-vector length d_s, one 256-centroid codebook each; must divide every FV width"),
        ParameterSpec("pq_training_images", .int, .int(1000), range: 1 ... 1e12, unit: "images",
                      "fv_storage pq: images (a seeded sample) whose vectors train the codebooks"),
        ParameterSpec("pq_training_manifest", .string, .null, dataDefault: "all images",
                      "fv_storage pq: an images.csv (annotate manifest / split) whose train rows are the only images the "
                        + "codebook sample is drawn from, so test vectors never shape the codebooks"),
    ], constraints: [pqParametersNeedPQ])

    /// The `pq_*` parameters shape PQ codebooks only: one changed from its default under another `fv_storage` would
    /// be accepted and ignored, so it is refused.
    static let pqParametersNeedPQ: Constraint = { p in
        guard p.string("fv_storage") != FisherVectorStorage.pq.rawValue else { return nil }
        let changed = [("pq_subvector_dims", p.int("pq_subvector_dims") != encode.default("pq_subvector_dims", as: Int.self)),
                       ("pq_training_images", p.int("pq_training_images") != encode.default("pq_training_images", as: Int.self)),
                       ("pq_training_manifest", !p.isNull("pq_training_manifest"))]
        guard let key = changed.first(where: \.1)?.0 else { return nil }
        return p.inconsistent(key, "applies to fv_storage pq only (fv_storage is \(p.string("fv_storage"))): "
            + "add fv_storage pq (--fv-storage pq) or remove it")
    }

    public static let fisher = StageSpec("fisher", summary: "dense ORH + COL descriptors → PCA → GMM → improved Fisher vectors (fv.h5)",
                                         combining: [.extract, .fitPCA, .fitGMM, .encode])

    public static let split = StageSpec("split", summary: "stratified seeded train/test split of a single-label fv.h5 → images.csv for annotate", [
        ParameterSpec("test_fraction", .double, .null, dataDefault: "0.25 (without fold)", range: 0.001 ... 0.999,
                      "Fraction of each class held out for testing (not with fold)"),
        ParameterSpec("fold", .string, .null, dataDefault: "none: test_fraction holds out", rule: CrossValidationFold.check,
                      "Cross-validation fold k/K (1-based k): the k-th of K stratified folds is the test set"),
        ParameterSpec("seed", .int, .int(0), "Seed of the per-class permutations"),
    ], constraints: [splitFoldOrFraction])

    /// `fold` and `test_fraction` both choose the held-out images: at most one may be given.
    static let splitFoldOrFraction: Constraint = { p in
        p.isNull("fold") || p.isNull("test_fraction") ? nil : p.inconsistent("test_fraction", "cannot be given with fold; pass one of them")
    }

    /// `split` on a dataset's ids and labels, before any Fisher vector: the same parameters.
    public static let splitImages = StageSpec("split-images", summary: "stratified seeded train/test split of a single-label image dataset → images.csv, before fisher (its manifest input: PCA/GMM see train rows only)",
                                              combining: [.split])

    public static let annotateTrain = StageSpec("annotate-train", summary: "SVM / SLR / TagProp classifiers of the runs (models.h5)", [
        // Default: the two visual SVM runs, which need no tags (a `split` manifest has none) and take seconds; the
        // mixed runs need tagged images, SLR and TagProp minutes. Table 2's other runs are one `runs` away.
        ParameterSpec("runs", .strings, .array([.string(AnnotationRun.svmLateVisual.rawValue), .string(AnnotationRun.svmEarlyVisual.rawValue)]),
                      choices: AnnotationRun.choices, reference: "Mensink et al. 2010, Table 2",
                      "The runs of Table 2 to train, any of " + AnnotationRun.choices.joined(separator: ", ")
                        + " (the mixed runs need tagged images)"),
        ParameterSpec("concepts", .strings, .null, dataDefault: "every concept with a positive training image",
                      "Concepts to train"),
        ParameterSpec("min_tag_count", .int, .int(25), range: 1 ... 1e12, reference: "Mensink et al. 2010 §4.2",
                      "A tag enters the vocabulary when it is on at least this many images (those tag_vocabulary counts)"),
        ParameterSpec("tag_vocabulary", .string, .string(TagVocabulary.Scope.train.rawValue), choices: TagVocabulary.Scope.choices,
                      reference: "Mensink et al. 2010 §4.1: train+test (ImageCLEF)",
                      "Images the tag vocabulary is counted on: train (training images only, no test tag leaks in) or "
                        + "train+test (the paper's rule: on both, and on at least one of each)"),
        ParameterSpec("max_tags", .int, .null, dataDefault: "no cap", "Keep at most this many tags, most frequent first"),
        ParameterSpec("cost", .double, .double(1), range: 1e-12 ... 1e12, reference: "Mensink et al. 2010 §4.2",
                      "SVM cost C (LIBLINEAR -c)"),
        ParameterSpec("svm_loss", .string, .string(SVMLoss.hinge.rawValue), choices: SVMLoss.choices,
                      reference: "LIBLINEAR -s 3 (hinge), -s 1 / -s 2 (squared-hinge)",
                      "SVM loss: hinge (dual coordinate descent) or squared-hinge (dual CD, or TRON when the training "
                        + "Fisher vectors exceed the memory budget and their rows are split over ranks, which needs it)"),
        ParameterSpec("slr_cost", .double, .double(1000), range: 1e-12 ... 1e12,
                      "SLR data-term weight C (smaller: sparser); the default 1000 was chosen leak-free on Flowers17 by select_on "
                        + "validation over slr_costs 1,10,100,1000 (validation mAP 70.1 / 84.8 / 87.4 / 88.5; docs/results.md)"),
        ParameterSpec("slr_iterations", .int, .int(300), range: 1 ... 1e12, "Most FISTA iterations per SLR concept"),
        ParameterSpec("neighbours", .int, .int(1000), range: 1 ... 1e9, reference: "Mensink et al. 2010 §3.3",
                      "TagProp's K, the neighbours over all measures, split as ceil(K/M) per measure"),
        ParameterSpec("tagprop_layouts", .string, .string(TagPropLayouts.summed.rawValue), choices: TagPropLayouts.choices,
                      reference: "Mensink et al. 2010 §4.3",
                      "TagProp's measures: summed (one per descriptor kind: D2/D3) or separate (one per kind and layout: D6/D7)"),
        ParameterSpec("seed", .int, .int(1), "Seed of the SVM solver's coordinate order"),
        ParameterSpec("svm_costs", .doubles, .null, dataDefault: "cost, not selected", range: 1e-12 ... 1e12,
                      "select_on validation: the SVM costs C to choose from (by mean AP on the validation rows)"),
        ParameterSpec("slr_costs", .doubles, .null, dataDefault: "slr_cost, not selected", range: 1e-12 ... 1e12,
                      "select_on validation: the SLR costs C to choose from (by mean AP on the validation rows)"),
    ] + selectionSetting, constraints: [selectionParametersNeedValidation])

    public static let annotatePredict = StageSpec("annotate-predict", summary: "scores of every trained run on the test images (scores.h5)", [
        ParameterSpec("late_fusion", .string, .string(LateFusionScores.raw.rawValue), choices: LateFusionScores.choices,
                      reference: "Mensink et al. 2010 §4.2: raw",
                      "Late fusion averages raw scores or per-classifier min-max normalized ones"),
    ])

    public static let annotate = StageSpec("annotate", summary: "annotate train → predict → eval: SVM / SLR / TagProp runs, per-concept AP plot",
                                           combining: [.annotateTrain, .annotatePredict])
}

extension BadImagePolicy: ParameterChoice {}
extension TagPropLayouts: ParameterChoice {}
extension LateFusionScores: ParameterChoice {}
extension AnnotationRun: ParameterChoice {}
extension SVMLoss: ParameterChoice {}
extension TagVocabulary.Scope: ParameterChoice {}

extension ExtractConfig {
    /// `extract`'s parameters `p` (a spec with `StageSpec.extract`'s keys) on `source`: the grid defaults to the dataset's.
    public init(_ p: StageParameters, source: ImageSource, selection: ImageSelection, output: String) {
        self.init(source: source, selection: selection, output: output, patchSize: p.optionalInt("patch_size"),
                  step: p.optionalInt("step"), scales: p.optionalInt("scales"), batchSize: p.int("chunk_size"),
                  badImages: BadImagePolicy(rawValue: p.string("on_bad_image")) ?? .fail)
    }
}

extension PCAConfig {
    public init(_ p: StageParameters, descriptors: String, output: String) {
        self.init(descriptors: descriptors, output: output, dimensions: p.int("pca_dims"), sampleSize: p.int("sample_size"),
                  seed: UInt64(p.int("seed")), fitManifest: p.optionalString("fit_manifest"))
    }
}

extension GMMConfig {
    public init(_ p: StageParameters, descriptors: String, pca: String, output: String) {
        self.init(descriptors: descriptors, pca: pca, output: output, components: p.int("components"),
                  sampleSize: p.int("sample_size"), maxIterations: p.int("iterations"), tolerance: p.double("tolerance"),
                  seed: UInt64(p.int("seed")), fitManifest: p.optionalString("fit_manifest"))
    }
}

extension EncodeConfig {
    public init(_ p: StageParameters, descriptors: String, pca: String, gmm: String, output: String) {
        self.init(descriptors: descriptors, pca: pca, gmm: gmm, output: output, batchSize: p.int("chunk_size"),
                  storage: FisherVectorStorage(rawValue: p.string("fv_storage")) ?? .float32, compress: p.bool("fv_compression"),
                  pqSubvectorDimension: p.int("pq_subvector_dims"), pqTrainingImages: p.int("pq_training_images"),
                  pqTrainingManifest: p.optionalString("pq_training_manifest"))
    }
}

extension FisherPipeline {
    /// The four steps' configurations for `fisher`'s parameters `p`, files in `directory` (`FisherFiles`): the same
    /// from `tributary fisher` and from a runner `fisher` stage.
    public init(_ p: StageParameters, source: ImageSource, selection: ImageSelection, directory: String) {
        self.init(source: source, selection: selection, directory: directory)
        let descriptors = FisherFiles.descriptors(directory), pcaPath = FisherFiles.pca(directory)
        let gmmPath = FisherFiles.gmm(directory)
        extract = ExtractConfig(p, source: source, selection: selection, output: descriptors)
        pca = PCAConfig(p, descriptors: descriptors, output: pcaPath)
        gmm = GMMConfig(p, descriptors: descriptors, pca: pcaPath, output: gmmPath)
        encode = EncodeConfig(p, descriptors: descriptors, pca: pcaPath, gmm: gmmPath, output: FisherFiles.fisherVectors(directory))
    }
}

extension AnnotateTrainConfig {
    /// `annotate train`'s parameters `p` (a spec with `StageSpec.annotateTrain`'s keys): the same from
    /// `tributary annotate train` and from a runner `annotate` stage.
    public init(_ p: StageParameters, fisherVectors: String, annotations: String, output: String) {
        var tagProp = TagProp.Options()
        tagProp.neighbours = p.int("neighbours")
        self.init(fisherVectors: fisherVectors, annotations: annotations, output: output,
                  runs: p.strings("runs").compactMap(AnnotationRun.init(rawValue:)),
                  concepts: p.isNull("concepts") ? nil : p.strings("concepts"), minimumTagCount: p.int("min_tag_count"),
                  maximumTags: p.optionalInt("max_tags") ?? .max,
                  svm: LinearSVMOptions(cost: p.double("cost"), seed: UInt64(p.int("seed")),
                                        loss: SVMLoss(rawValue: p.string("svm_loss")) ?? .hinge),
                  slr: .init(cost: p.double("slr_cost"), tolerance: 1e-2, maxIterations: p.int("slr_iterations")),
                  tagProp: tagProp, tagPropLayouts: TagPropLayouts(rawValue: p.string("tagprop_layouts")) ?? .summed,
                  selection: p.string("select_on") != "validation" ? nil
                    : HyperParameterSelection(svmCosts: p.doubles("svm_costs"), slrCosts: p.doubles("slr_costs"),
                                              validationFraction: p.double("validation_fraction"),
                                              seed: UInt64(p.int("validation_seed"))),
                  tagVocabulary: TagVocabulary.Scope(rawValue: p.string("tag_vocabulary")) ?? .train)
    }
}

extension AnnotatePredictConfig {
    /// `annotate predict`'s parameters `p` (a spec with `StageSpec.annotatePredict`'s keys).
    public init(_ p: StageParameters, models: String, output: String, fisherVectors: String? = nil, annotations: String? = nil) {
        self.init(models: models, output: output, fisherVectors: fisherVectors, annotations: annotations,
                  lateFusion: LateFusionScores(rawValue: p.string("late_fusion")) ?? .raw)
    }
}
