import Core
import Storage

/// A trainer's selection end to end (`Selection`'s rule, run by `train-text`, `train-infused` and `train-paths`
/// alike): split the training rows, run one trial per candidate on the fit rows scored on the validation rows,
/// log every candidate's curve and the choice (`log`: the caller's rank-0 printer).
///
///     train rows R (the caller's row ids) ──ValidationHoldout(strata of R)──▶ F, V   (the test rows are no input)
///     for η_j:  trial(F, V, η_j, stop) ─▶ s_j[1 …]      ─▶ Outcome (η, epochs) ─▶ the caller's final run on R
extension Selection {
    /// Runs the selection on training rows `train` (the caller's row ids, any order) whose strata are `strata`
    /// (same length). `trial` trains on the fit rows, scores the validation rows after every epoch and returns
    /// that curve, ending early when `stop` says so. Returns the validation rows (ids of `train`, ascending by
    /// position in `train`) and the outcome. With `trials` (the final run's checkpoint folder) every finished
    /// trial is recorded there, and a resumed run reuses the recorded ones instead of training them again.
    public func run(stage: String, train: [Int], strata: [Int], learningRate: Double, epochs: Int, criterion: String,
                    trials: SelectionTrials? = nil, log: (String) -> Void,
                    trial: (_ fit: [Int], _ validation: [Int], _ learningRate: Double, _ stop: @escaping ([Double]) -> Bool) throws -> [Double])
        throws -> (validation: [Int], outcome: Outcome) {
        precondition(train.count == strata.count, "Selection.run: \(train.count) rows but \(strata.count) strata")
        let (fitPositions, heldPositions) = holdout.split(strata: strata)
        let fit = fitPositions.map { train[$0] }, validation = heldPositions.map { train[$0] }
        guard !fit.isEmpty, !validation.isEmpty else {
            throw SelectionError.emptyPart(stage: stage, training: train.count, validation: validation.count,
                                           fraction: holdout.fraction)
        }
        log("\(stage): selecting on \(validation.count) validation rows held out of \(train.count) training rows "
            + "(fraction \(holdout.fraction), seed \(holdout.seed)); the test rows are not used")
        // What a recorded trial's curve depends on besides the stage's own settings (its checkpoint folder's key).
        var key: [String: HDF5AttributeValue] = [
            "trainer": .string(stage), "criterion": .string(criterion), "learning_rates": .doubles(candidates(given: learningRate)),
            "epochs": .int(epochs), "early_stopping_patience": .int(patience ?? 0), "validation_fraction": .double(holdout.fraction),
            "validation_seed": .int(Int(truncatingIfNeeded: holdout.seed)), "fit_rows": .int(fit.count),
            "validation_rows": .int(validation.count)]
        key.merge(trials?.settings ?? [:]) { mine, _ in mine }
        var finished = try trials?.load(key: key, log: log) ?? [:]
        for j in finished.keys.sorted() {
            log("\(stage): learning rate \(candidates(given: learningRate)[j]): trial recorded in \(trials!.path), not run again")
        }
        let outcome = try choose(learningRate: learningRate, epochs: epochs, criterion: criterion, finished: finished, onTrial: { j, curve in
            finished[j] = curve
            try trials?.save(key: key, curves: finished)
        }) { rate, stop in
            let curve = try trial(fit, validation, rate, stop)
            log("\(stage): learning rate \(rate): \(criterion) per epoch "
                + curve.map { fixed($0, 4) }.joined(separator: " "))
            return curve
        }
        log("\(stage): chosen on validation: learning rate \(outcome.learningRate), epochs \(outcome.epochs) "
            + "(\(criterion) \(fixed(outcome.scores[outcome.chosen], 4)))")
        return (validation, outcome)
    }
}

/// A selection that cannot run on the rows given.
public enum SelectionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The holdout leaves no fit row or no validation row.
    case emptyPart(stage: String, training: Int, validation: Int, fraction: Double)

    public var description: String {
        switch self {
        case let .emptyPart(stage, training, validation, fraction):
            return "\(stage): select_on validation: validation_fraction \(fraction) of \(training) training rows leaves "
                + "\(validation) validation and \(training - validation) fit rows; change validation_fraction (or use more "
                + "training rows)"
        }
    }
}
