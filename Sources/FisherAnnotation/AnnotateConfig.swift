import Classifiers
import Encoding
import Features
import LinearAlgebra

/// The paper's annotation runs (Mensink et al. 2010, Table 1 / Table 2), each a classifier, a modality and a
/// fusion rule over the feature blocks of `AnnotationData` (6 visual: ORH/COL × 1x1/2x2/1x3; + tags):
///
/// | run | classifier | modality | fusion | score | decision |
/// | --- | --- | --- | --- | --- | --- |
/// | `svm-late-visual` | 6 one-vs-rest linear SVMs per concept | V | late: mean of the 6 scores | raw w·x + b averaged | ≥ 0 |
/// | `svm-early-visual` | 1 SVM on the concatenation (≡ Σ of the 6 dot-product kernels) | V | early | raw | ≥ 0 |
/// | `svm-late-mixed` | the 6 visual SVMs + 1 on the tag vectors | V&T | late: mean of 7 | raw averaged | ≥ 0 |
/// | `svm-early-mixed` | 1 SVM on [6 visual blocks, tags] | V&T | early | raw | ≥ 0 |
/// | `slr-late-visual` | 6 sparse logistic regressions per concept | V | late: mean of 6 | raw z averaged | ≥ 0 |
/// | `tagprop-visual` | TagProp over 2 measures (ORH, COL; layouts summed = "CVD D2") or 6 | V | — | probability | ≥ 0.5 |
/// | `tagprop-mixed` | TagProp over 3 measures (+ tags; "CVD D3") or 7 | V&T | — | probability | ≥ 0.5 |
///
/// Confidences are the final scores min-max normalised per concept over the test items (paper §4.2: "only the
/// final scores … were normalized"; the ranking, hence AP/EER/AUC, is unchanged). With
/// `LateFusionScores.normalized`, each classifier's scores are min-max normalised before averaging (the
/// decision still uses the averaged raw scores).
public enum AnnotationRun: String, Sendable, CaseIterable, Hashable {
    case svmLateVisual = "svm-late-visual"
    case svmEarlyVisual = "svm-early-visual"
    case svmLateMixed = "svm-late-mixed"
    case svmEarlyMixed = "svm-early-mixed"
    case slrLateVisual = "slr-late-visual"
    case tagpropVisual = "tagprop-visual"
    case tagpropMixed = "tagprop-mixed"

    /// "SVM Late Fusion" …, as in Table 2.
    public var title: String {
        switch self {
        case .svmLateVisual, .svmLateMixed: return "SVM Late Fusion"
        case .svmEarlyVisual, .svmEarlyMixed: return "SVM Early Fusion"
        case .slrLateVisual: return "SLR Late Fusion"
        case .tagpropVisual, .tagpropMixed: return "TagProp"
        }
    }

    /// "V" (visual) or "V&T" (visual and tags), as in Table 2.
    public var modality: String { usesTags ? "V&T" : "V" }

    /// "late", "early" or "—" (TagProp combines similarities, not classifiers).
    public var fusion: String {
        switch self {
        case .svmLateVisual, .svmLateMixed, .slrLateVisual: return "late"
        case .svmEarlyVisual, .svmEarlyMixed: return "early"
        case .tagpropVisual, .tagpropMixed: return "—"
        }
    }

    public var usesTags: Bool { [.svmLateMixed, .svmEarlyMixed, .tagpropMixed].contains(self) }
    public var isTagProp: Bool { self == .tagpropVisual || self == .tagpropMixed }

    /// The decision threshold on the raw score (0 for SVM/SLR scores, 0.5 for TagProp probabilities).
    public var threshold: Float { isTagProp ? Fusion.probabilityThreshold : Fusion.svmThreshold }
}

/// How TagProp builds its similarity measures from the spatial layouts (paper §4.3).
public enum TagPropLayouts: String, Sendable, CaseIterable {
    /// One measure per descriptor kind: the three layouts' kernels summed (concatenated FVs): D2 / D3.
    case summed
    /// One measure per (kind, layout): D6 / D7.
    case separate
}

/// How late fusion averages the per-classifier scores.
public enum LateFusionScores: String, Sendable, CaseIterable {
    /// Mean of the raw scores (paper §4.2).
    case raw
    /// Mean of per-classifier min-max normalised scores.
    case normalized
}

/// `tributary annotate train`.
public struct AnnotateTrainConfig: Sendable {
    /// `fv.h5` of `tributary fisher`/`encode`.
    public var fisherVectors: String
    /// `images.csv` of `tributary annotate manifest`.
    public var annotations: String
    /// `models.h5` to write.
    public var output: String
    public var runs: [AnnotationRun]
    /// Restrict to these concepts (nil: every concept of the annotations).
    public var concepts: [String]?
    /// The tag vocabulary's minimum count (paper: 25) and maximum size.
    public var minimumTagCount: Int
    public var maximumTags: Int
    /// Which images count towards the tag vocabulary: training only (default) or the paper's train + test.
    public var tagVocabulary: TagVocabulary.Scope
    public var svm: LinearSVMOptions
    public var slr: SparseLogisticRegression<Float>.Options
    public var tagProp: TagProp.Options
    public var tagPropLayouts: TagPropLayouts
    /// Costs chosen on validation rows of the training set before the final training (nil: as given).
    public var selection: HyperParameterSelection?

    public init(fisherVectors: String, annotations: String, output: String, runs: [AnnotationRun] = AnnotationRun.allCases,
                concepts: [String]? = nil, minimumTagCount: Int = 25, maximumTags: Int = .max,
                svm: LinearSVMOptions = LinearSVMOptions(),
                slr: SparseLogisticRegression<Float>.Options = .init(cost: 1000, tolerance: 1e-2, maxIterations: 300),
                tagProp: TagProp.Options = TagProp.Options(), tagPropLayouts: TagPropLayouts = .summed,
                selection: HyperParameterSelection? = nil, tagVocabulary: TagVocabulary.Scope = .train) {
        self.selection = selection
        self.tagVocabulary = tagVocabulary
        self.fisherVectors = fisherVectors
        self.annotations = annotations
        self.output = output
        self.runs = runs
        self.concepts = concepts
        self.minimumTagCount = minimumTagCount
        self.maximumTags = maximumTags
        self.svm = svm
        self.slr = slr
        self.tagProp = tagProp
        self.tagPropLayouts = tagPropLayouts
    }
}

/// `tributary annotate predict`.
public struct AnnotatePredictConfig: Sendable {
    public var models: String
    /// `scores.h5` to write.
    public var output: String
    /// Override the `fv.h5` / `images.csv` recorded in the models file (nil: use those).
    public var fisherVectors: String?
    public var annotations: String?
    public var lateFusion: LateFusionScores

    public init(models: String, output: String, fisherVectors: String? = nil, annotations: String? = nil,
                lateFusion: LateFusionScores = .raw) {
        self.models = models
        self.output = output
        self.fisherVectors = fisherVectors
        self.annotations = annotations
        self.lateFusion = lateFusion
    }
}

/// The files of `tributary annotate` in one folder.
public enum AnnotateFiles {
    public static func annotations(_ directory: String) -> String { directory + "/images.csv" }
    public static func models(_ directory: String) -> String { directory + "/models.h5" }
    public static func scores(_ directory: String) -> String { directory + "/scores.h5" }
    public static func evaluation(_ directory: String) -> String { directory + "/eval.h5" }
}
