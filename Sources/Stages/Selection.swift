import Storage

/// Hyper-parameter selection of a trainer on validation rows only (`select_on validation`), shared by
/// `train-text`, `train-infused` and `train-paths`; `annotate train` shares its split (`ValidationHoldout`) and
/// its choice rule (`Selection.argmax`).
///
/// The training rows R are split into fit rows F and validation rows V (`ValidationHoldout`; the test rows are
/// not an input). For each candidate learning rate η_j (j = 0 … J−1, the `learning_rates` list in its order; the
/// given η alone when there is none), a trial trains on F for at most E epochs (`epochs`) and measures the
/// validation score s_j[e] after each epoch e = 1, 2, … (higher is better; the stage names its criterion, e.g.
/// accuracy on V). With early stopping (patience P ≥ 1) the trial stops after epoch e once
///
///     e − ê_j(e) ≥ P,        ê_j(e) = the first argmax of s_j[1 … e]
///
/// and ê_j = ê_j(last epoch run) is its best epoch; without it every trial runs E epochs and ê_j = E. Then
///
///     score_j = s_j[ê_j],     j* = the first argmax_j score_j,     (η, epochs) = (η_{j*}, ê_{j*})
///
/// and the stage trains its final model on ALL of R with (η, epochs) (as `annotate train` refits on all training
/// rows with the chosen costs). Ties go to the earlier epoch and the earlier candidate. Every step is a pure
/// function of the scores, so ranks that see the same scores (the stages all-reduce their counts) choose alike.
public struct Selection: Sendable, Hashable {
    /// The inner split of the training rows.
    public var holdout: ValidationHoldout
    /// η candidates (empty: the stage's `learning_rate` as given).
    public var learningRates: [Double]
    /// P: stop a trial after P epochs without a better validation score, and choose the epochs as its best
    /// epoch; nil: the epochs as given.
    public var patience: Int?

    public init(holdout: ValidationHoldout, learningRates: [Double] = [], patience: Int? = nil) {
        precondition(patience.map { $0 >= 1 } ?? true, "Selection: patience must be ≥ 1")
        self.holdout = holdout
        self.learningRates = learningRates
        self.patience = patience
    }

    /// What a selection found: every candidate's validation curve and the choice; written into the artifact.
    public struct Outcome: Sendable, Equatable {
        /// The criterion the stage scored by (`validation_accuracy`, …).
        public var criterion: String
        public var learningRates: [Double]
        /// s_j[1 … ] of each candidate, as far as its trial ran.
        public var curves: [[Double]]
        /// ê_j, 1-based.
        public var bestEpochs: [Int]
        public var scores: [Double] { zip(curves, bestEpochs).map { $0[$1 - 1] } }
        public var chosen: Int
        public var learningRate: Double { learningRates[chosen] }
        public var epochs: Int { bestEpochs[chosen] }
    }

    /// What the run will choose, for the command line's first line: "select_on validation: learning rate of
    /// 0.001, 0.01; epochs by the best validation epoch (patience 3); validation_fraction 0.2, seed 0".
    public var summary: String {
        "select_on validation: " + (learningRates.isEmpty ? "learning rate as given" : "learning rate of "
            + learningRates.map { "\($0)" }.joined(separator: ", "))
            + "; " + (patience.map { "epochs by the best validation epoch (patience \($0))" } ?? "epochs as given")
            + "; validation_fraction \(holdout.fraction), seed \(holdout.seed)"
    }

    /// j* (or ê) of the header's rule: the first maximum of `scores`.
    public static func argmax(_ scores: [Double]) -> Int {
        scores.indices.reduce(0) { scores[$1] > scores[$0] ? $1 : $0 }
    }

    /// The stopping rule of the header: true once the last e − ê(e) ≥ `patience` epochs brought no better score.
    public static func shouldStop(_ curve: [Double], patience: Int?) -> Bool {
        guard let patience, !curve.isEmpty else { return false }
        return curve.count - 1 - argmax(curve) >= patience
    }

    /// The candidates η_j: `learningRates`, or the stage's `given` η alone.
    public func candidates(given: Double) -> [Double] { learningRates.isEmpty ? [given] : learningRates }

    /// Runs the header's rule. `trial(η, stop)` trains on the fit rows with η for at most `epochs` epochs and
    /// returns s[1 …]; it asks `stop(s[1 … e])` after each epoch e and ends there when it says so. A candidate j
    /// in `finished` (a resumed run's recorded trials, `SelectionTrials`) is not trained again: its curve is
    /// `finished[j]`; `onTrial(j, s)` runs after each trial that did train.
    public func choose(learningRate given: Double, epochs: Int, criterion: String, finished: [Int: [Double]] = [:],
                       onTrial: (_ candidate: Int, _ curve: [Double]) throws -> Void = { _, _ in },
                       trial: (_ learningRate: Double, _ stop: @escaping ([Double]) -> Bool) throws -> [Double]) throws -> Outcome {
        let candidates = candidates(given: given)
        var curves: [[Double]] = [], best: [Int] = []
        for (j, rate) in candidates.enumerated() {
            let curve: [Double]
            if let recorded = finished[j] {
                curve = recorded
            } else {
                curve = try trial(rate) { Self.shouldStop($0, patience: patience) }
                try onTrial(j, curve)
            }
            precondition(!curve.isEmpty && curve.count <= epochs, "Selection: a trial ran \(curve.count) of \(epochs) epochs")
            curves.append(curve)
            best.append(patience == nil ? curve.count : Self.argmax(curve) + 1)
        }
        var outcome = Outcome(criterion: criterion, learningRates: candidates, curves: curves, bestEpochs: best, chosen: 0)
        outcome.chosen = Self.argmax(outcome.scores)
        return outcome
    }
}

extension Selection {
    /// The artifact's record of the selection (root attributes, names shared by every trainer): the setting
    /// (`select_on`, `validation_fraction`, `validation_seed`, `early_stopping_patience`, 0 = epochs as given),
    /// the candidates and their scores, and the chosen values. The validation ids go beside them as
    /// `split/validation_ids`.
    public func attributes(_ outcome: Outcome) -> [String: HDF5AttributeValue] {
        ["select_on": .string("validation"), "validation_fraction": .double(holdout.fraction),
         "validation_seed": .int(Int(truncatingIfNeeded: holdout.seed)), "early_stopping_patience": .int(patience ?? 0),
         "selection.criterion": .string(outcome.criterion), "selection.learning_rates": .doubles(outcome.learningRates),
         "selection.scores": .doubles(outcome.scores), "selection.best_epochs": .ints(outcome.bestEpochs),
         "selection.learning_rate": .double(outcome.learningRate), "selection.epochs": .int(outcome.epochs)]
    }
}
