import Classifiers
import Core
import LinearAlgebra
import Stages

/// Hyper-parameter selection for `annotate train` on validation rows carved out of the TRAINING rows only.
///
/// Training rows R = 0 ..< n with labels Y (n, K). Stratum of row i: s_i = min{k : Y_ik}, or K when row i has no
/// concept. The validation rows V are the shared stratified holdout of the trainers (`ValidationHoldout`: per
/// stratum s, round(|m_s| · f) members drawn by SeededRandom(seed, stream s)), and the fit rows F = R \ V. For
/// every candidate c_j of a grid (SVM cost C or SLR cost C):
///
///     score_j = (1/|runs|) Σ_{r ∈ runs} mAP_r(models trained on F with c_j, scored on V, against Y_V)
///
/// (mAP over the concepts with a positive validation row, `Metrics.meanAveragePrecision`), and the choice is
/// c_{j*} with j* = argmax_j score_j (the first on ties). The caller then trains on all of R with c_{j*}. The test
/// rows of `AnnotationData` are never read: the fit/validation data is built from `train` alone
/// (`AnnotationData.validationSplit`), so a selection cannot change when test rows change.
public struct HyperParameterSelection: Sendable, Hashable {
    /// SVM costs C to choose from (empty: `svm.cost` as given).
    public var svmCosts: [Double]
    /// SLR costs C to choose from (empty: `slr.cost` as given).
    public var slrCosts: [Double]
    /// f, the fraction of each stratum of the training rows held out for validation.
    public var validationFraction: Double
    public var seed: UInt64

    public init(svmCosts: [Double] = [], slrCosts: [Double] = [], validationFraction: Double = 0.2, seed: UInt64 = 0) {
        self.svmCosts = svmCosts
        self.slrCosts = slrCosts
        self.validationFraction = validationFraction
        self.seed = seed
    }

    /// One grid's outcome: the candidates, their validation scores (mean mAP) and the choice.
    public struct Outcome: Sendable, Equatable {
        public var parameter: String
        public var candidates: [Double]
        public var scores: [Double]
        public var chosen: Double
    }

    /// V of the header's rule: the sorted validation rows among the n training rows of `labels` (the shared
    /// holdout, `ValidationHoldout`, over the strata s_i).
    public func validationRows(_ labels: LabelMatrix) -> [Int] {
        let strata = (0 ..< labels.rows).map { i in (0 ..< labels.columns).first { labels[i, $0] } ?? labels.columns }
        return ValidationHoldout(fraction: validationFraction, seed: seed).rows(strata: strata)
    }

    /// j* of the header's rule (the first maximum; the shared rule, `Selection.argmax`).
    static func argmax(_ scores: [Double]) -> Int { Selection.argmax(scores) }
}

extension AnnotationData {
    /// The same data with the training rows `fit` as training rows and the training rows `validation` as test
    /// rows: built from `train` / `trainLabels` only (this data's test rows are not read).
    func validationSplit(fit: [Int], validation: [Int]) -> AnnotationData {
        func rows(_ m: Matrix<Float>, _ r: [Int]) -> Matrix<Float> {
            Matrix(rows: r.count, columns: m.columns, values: r.flatMap { m.row($0) })
        }
        func labels(_ r: [Int]) -> LabelMatrix {
            LabelMatrix(rows: r.count, columns: trainLabels.columns, values: r.flatMap { trainLabels.row($0) })
        }
        return AnnotationData(fisherVectors: fisherVectors, annotations: annotations, concepts: concepts,
                              skippedConcepts: skippedConcepts, trainIDs: fit.map { trainIDs[$0] },
                              testIDs: validation.map { trainIDs[$0] }, trainLabels: labels(fit), testLabels: labels(validation),
                              train: train.mapValues { rows($0, fit) }, test: train.mapValues { rows($0, validation) },
                              vocabulary: vocabulary, isSingleLabel: isSingleLabel)
    }
}

extension AnnotateTrainStage {
    /// Runs the configured selection on `data`'s training rows; returns the config with the chosen costs, the
    /// outcomes and the ids of the validation rows held out (none when `config.selection` is nil).
    func select(_ data: AnnotationData, communicator comm: any Communicator, log: (String) -> Void) throws
        -> (config: AnnotateTrainConfig, outcomes: [HyperParameterSelection.Outcome], validationIDs: [String]) {
        guard let selection = config.selection else { return (config, [], []) }
        let validation = selection.validationRows(data.trainLabels)
        let held = Set(validation)
        let fit = (0 ..< data.trainIDs.count).filter { !held.contains($0) }
        guard !validation.isEmpty, !fit.isEmpty else {
            throw AnnotateError.selection(annotations: config.annotations,
                                          reason: "validation_fraction \(selection.validationFraction) of \(data.trainIDs.count) training rows "
                                            + "leaves \(validation.count) validation and \(fit.count) fit rows; change validation_fraction")
        }
        let inner = data.validationSplit(fit: fit, validation: validation)
        log("annotate train: selecting on \(validation.count) validation rows held out of \(data.trainIDs.count) training rows "
            + "(fraction \(selection.validationFraction), seed \(selection.seed)); test rows are not used")
        var chosen = config, outcomes: [HyperParameterSelection.Outcome] = []
        let svmRuns = config.runs.filter { [.svmLateVisual, .svmEarlyVisual, .svmLateMixed, .svmEarlyMixed].contains($0) }
        let grids: [(String, [Double], [AnnotationRun], (inout AnnotateTrainConfig, Double) -> Void)] = [
            ("svm_cost", selection.svmCosts, svmRuns, { $0.svm.cost = $1 }),
            ("slr_cost", selection.slrCosts, config.runs.filter { $0 == .slrLateVisual }, { $0.slr.cost = $1 }),
        ]
        for (name, candidates, runs, set) in grids where !candidates.isEmpty && !runs.isEmpty {
            var scores: [Double] = []
            for c in candidates {
                var trial = config
                trial.runs = runs
                trial.selection = nil
                set(&trial, c)
                let models = try AnnotateTrainStage(config: trial).train(inner, communicator: comm)
                let predicted = try AnnotatePredictStage(config: AnnotatePredictConfig(models: config.output, output: config.output))
                    .predict(models, data: inner, communicator: comm)
                let maps = runs.map { Metrics.meanAveragePrecision(scores: predicted.raw[$0]!, truth: inner.testLabels).mean }
                scores.append(maps.reduce(0, +) / Double(maps.count))
                log("annotate train: \(name) \(c): validation mAP \(String(format: "%.4f", scores.last!))")
            }
            let best = candidates[HyperParameterSelection.argmax(scores)]
            set(&chosen, best)
            log("annotate train: \(name) = \(best) chosen on validation")
            outcomes.append(.init(parameter: name, candidates: candidates, scores: scores, chosen: best))
        }
        chosen.selection = nil
        return (chosen, outcomes, validation.map { data.trainIDs[$0] })
    }
}
