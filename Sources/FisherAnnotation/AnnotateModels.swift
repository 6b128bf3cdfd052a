import Classifiers
import LinearAlgebra
import Stages
import Storage

/// The trained annotation models, and `models.h5`, the file `annotate train` writes and `annotate predict` reads.
///
/// `models.h5` (stage `annotate train`, version 1; K concepts, D_b the width of block b, V tags):
///
/// | dataset | shape, type | meaning |
/// | --- | --- | --- |
/// | `concepts`, `skipped_concepts` | string | the K trained concepts (in score-column order); those without a positive training item |
/// | `train_ids` | string (N) | the images the models were trained on (the manifest's `train` rows; absent in older files) |
/// | `validation_ids` | string | after `select_on validation`: the training images held out to choose the costs (the final models are refit on all `train_ids`, these included) |
/// | `test_ids` | string (Q) | the manifest's `test` rows, which no model saw (`annotate predict` scores them) |
/// | `tags/vocabulary`, `tags/counts` | string (V), int64 (V) | the tag vocabulary (the tag block's columns) |
/// | `svm/<block>/weights`, `svm/<block>/biases` | (K, D_b), (K) float32 | one-vs-rest SVMs; block ∈ orh/1x1 … col/1x3, tags, early-visual, early-mixed |
/// | `slr/<block>/weights`, `slr/<block>/biases` | (K, D_b), (K) float32 | sparse logistic regressions per visual block |
/// | `tagprop/<run>/gamma` | (M, K_d) float64 | rank weights γ |
/// | `tagprop/<run>/alpha`, `…/beta` | (K) float64 | word-specific logistic parameters |
/// | `tagprop/<run>/log_likelihood` | float64 | the training history (non-decreasing) |
/// | `tagprop/<run>/measures` | string (M) | each similarity measure's blocks, joined by `+` |
///
/// Root attributes: the header plus `fisher_vectors`, `annotations` (the inputs, re-read by `predict`), `runs`,
/// `svm_cost`, `svm_bias`, `slr_cost`, `tagprop_neighbours`, `tagprop_layouts`, `min_tag_count`, `train_items`, `test_items`,
/// `linear_block_size` and `svm_concept_groups` (row layout only: `TrainingLayout.blockSize(rows:)`; one string per
/// row-sharded SVM, "<blocks>: K concepts in N groups of ≤ G", the `ConceptGroups` TRON trained under the budget);
/// after `select_on validation` also `select_on`, `validation_fraction`, `validation_seed` and, per selected cost,
/// `svm_cost_candidates` / `slr_cost_candidates` with their `…_validation_map` (`svm_cost`, `slr_cost`: the choice).
public struct AnnotateModels: Sendable {
    public static let stage = "annotate train"
    public static let version = 1
    public static let earlyVisual = "early-visual"
    public static let earlyMixed = "early-mixed"

    public struct TagPropModel: Sendable {
        public var model: TagProp
        /// Each measure's blocks (concatenated = summed kernels).
        public var measures: [[String]]
    }

    public var concepts: [String]
    public var skippedConcepts: [String]
    public var vocabulary: TagVocabulary
    public var svm: [String: LinearScorer] = [:]
    public var slr: [String: LinearScorer] = [:]
    public var tagProp: [AnnotationRun: TagPropModel] = [:]
    /// The training images' ids (the split the models saw); empty when unknown.
    public var trainIDs: [String] = []
    /// The training images held out to select the costs (`select_on validation`); empty otherwise.
    public var validationIDs: [String] = []
    /// The test images (never trained on); empty when unknown.
    public var testIDs: [String] = []
    public var header: ArtifactHeader

    public init(concepts: [String], skippedConcepts: [String], vocabulary: TagVocabulary, header: ArtifactHeader) {
        self.concepts = concepts
        self.skippedConcepts = skippedConcepts
        self.vocabulary = vocabulary
        self.header = header
    }

    /// The runs recorded in the header.
    public var runs: [AnnotationRun] {
        guard case let .strings(names)? = header.parameters["runs"] else { return [] }
        return names.compactMap(AnnotationRun.init(rawValue:))
    }

    public func string(_ name: String) -> String? {
        guard case let .string(value)? = header.parameters[name] else { return nil }
        return value
    }

    /// Writes `models.h5` at `path` atomically.
    public func write(to path: String) throws {
        try ShardedOutput.makeDirectory(containing: path)
        try ArtifactFile.create(path, header: header) { file in
            try file.writeStrings(concepts, to: "concepts")
            try file.writeStrings(skippedConcepts, to: "skipped_concepts")
            if !trainIDs.isEmpty { try file.writeStrings(trainIDs, to: "train_ids") }
            if !validationIDs.isEmpty { try file.writeStrings(validationIDs, to: "validation_ids") }
            if !testIDs.isEmpty { try file.writeStrings(testIDs, to: "test_ids") }
            try file.writeStrings(vocabulary.tags, to: "tags/vocabulary")
            try file.write(vocabulary.counts.map(Int64.init), shape: [vocabulary.counts.count], to: "tags/counts")
            for (group, scorers) in [("svm", svm), ("slr", slr)] {
                for name in scorers.keys.sorted() {
                    let s = scorers[name]!
                    try file.write(s.weights.values, shape: [s.weights.rows, s.weights.columns], to: "\(group)/\(name)/weights")
                    try file.write(s.biases, shape: [s.biases.count], to: "\(group)/\(name)/biases")
                }
            }
            for run in AnnotationRun.allCases {
                guard let t = tagProp[run] else { continue }
                let g = "tagprop/\(run.rawValue)"
                try file.write(t.model.gamma, shape: [t.model.measures, t.model.neighboursPerMeasure], to: g + "/gamma")
                try file.write(t.model.alpha, shape: [t.model.alpha.count], to: g + "/alpha")
                try file.write(t.model.beta, shape: [t.model.beta.count], to: g + "/beta")
                try file.write(t.model.logLikelihoodHistory, shape: [t.model.logLikelihoodHistory.count],
                               to: g + "/log_likelihood")
                try file.writeStrings(t.measures.map { $0.joined(separator: "+") }, to: g + "/measures")
            }
        }
    }

    /// Reads `models.h5`, checking its header.
    public static func read(_ path: String) throws -> AnnotateModels {
        let file = try openArtifact(path, stage: stage, version: version, producer: "`tributary annotate train`")
        defer { try? file.close() }
        let header = try ArtifactHeader.read(from: file)
        let tags = try file.readStrings("tags/vocabulary")
        let counts = try file.read("tags/counts", as: Int64.self, shape: [tags.count]).map(Int.init)
        var models = AnnotateModels(concepts: try file.readStrings("concepts"),
                                    skippedConcepts: try file.readStrings("skipped_concepts"),
                                    vocabulary: TagVocabulary(tags: tags, counts: counts), header: header)
        if file.isDataset("train_ids") { models.trainIDs = try file.readStrings("train_ids") }
        if file.isDataset("validation_ids") { models.validationIDs = try file.readStrings("validation_ids") }
        if file.isDataset("test_ids") { models.testIDs = try file.readStrings("test_ids") }
        let k = models.concepts.count
        for group in ["svm", "slr"] where file.contains(group) {
            for kind in try file.children(of: group) {
                // Blocks are one level deep (tags, early-visual) or two (orh/1x1).
                let names = file.isDataset("\(group)/\(kind)/weights") ? [kind]
                    : try file.children(of: "\(group)/\(kind)").map { "\(kind)/\($0)" }
                for name in names {
                    let (w, shape) = try file.read("\(group)/\(name)/weights", as: Float.self)
                    guard shape.count == 2, shape[0] == k else {
                        throw PipelineError.inconsistent(file: path, what: "\(group)/\(name)/weights has shape \(shape) for \(k) concepts",
                                                         rerun: "annotate train")
                    }
                    let b = try file.read("\(group)/\(name)/biases", as: Float.self, shape: [k])
                    let scorer = LinearScorer(weights: Matrix(rows: shape[0], columns: shape[1], values: w), biases: b)
                    if group == "svm" { models.svm[name] = scorer } else { models.slr[name] = scorer }
                }
            }
        }
        for run in AnnotationRun.allCases where run.isTagProp && file.contains("tagprop/\(run.rawValue)") {
            let g = "tagprop/\(run.rawValue)"
            let (gamma, shape) = try file.read(g + "/gamma", as: Double.self)
            let model = TagProp(measures: shape[0], neighboursPerMeasure: shape[1], gamma: gamma,
                                alpha: try file.read(g + "/alpha", as: Double.self, shape: [k]),
                                beta: try file.read(g + "/beta", as: Double.self, shape: [k]),
                                logLikelihoodHistory: try file.read(g + "/log_likelihood", as: Double.self).values)
            let measures = try file.readStrings(g + "/measures").map { $0.split(separator: "+").map(String.init) }
            models.tagProp[run] = TagPropModel(model: model, measures: measures)
        }
        return models
    }
}
