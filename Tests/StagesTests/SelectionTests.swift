import Stages
import XCTest

/// The shared selection mechanism (`ValidationHoldout`, `Selection`, the specs every trainer lists): the holdout is
/// a stratified part of the training rows only, the rule picks the candidate and epoch worked out by hand, and a
/// selection key outside `select_on validation` is refused in both front doors.
final class SelectionTests: XCTestCase {
    /// 12 training rows, strata 0 ×6, 1 ×4, 2 ×2, f = 0.25: each stratum holds out round(|m| f) of its rows.
    func testHoldoutIsAStratifiedPartOfTheTrainingRowsOnly() {
        let strata = [0, 1, 0, 2, 0, 1, 0, 1, 0, 2, 0, 1]
        for seed: UInt64 in 0 ..< 20 {
            let holdout = ValidationHoldout(fraction: 0.25, seed: seed)
            let (fit, validation) = holdout.split(strata: strata)
            XCTAssertEqual(validation, validation.sorted())
            XCTAssertEqual(Set(fit).union(validation), Set(strata.indices), "every training row is fit or validation")
            XCTAssertTrue(Set(fit).isDisjoint(with: validation))
            // Per stratum: round(6/4) = 2, round(4/4) = 1, round(2/4) = round(0.5) = 1 (half away from zero).
            XCTAssertEqual(validation.filter { strata[$0] == 0 }.count, 2, "seed \(seed): \(validation)")
            XCTAssertEqual(validation.filter { strata[$0] == 1 }.count, 1, "seed \(seed): \(validation)")
            XCTAssertEqual(validation.filter { strata[$0] == 2 }.count, 1, "seed \(seed): \(validation)")
            XCTAssertEqual(holdout.rows(strata: strata), validation, "a pure function of (strata, f, seed)")
        }
        // Different seeds draw different rows (not a fixed prefix).
        let draws = Set((0 ..< 20).map { ValidationHoldout(fraction: 0.25, seed: UInt64($0)).rows(strata: strata) })
        XCTAssertGreaterThan(draws.count, 3)
    }

    /// `Selection.run` maps positions back to the caller's row ids: the validation rows are training rows, never
    /// a test row, and the trial sees exactly the fit rows.
    func testRunHandsTheTrialFitAndValidationRowsOfTheTrainingRowsOnly() throws {
        let train = [3, 5, 8, 9, 11, 14, 17, 20], test = [0, 1, 2, 4]
        let strata = [0, 1, 0, 1, 0, 1, 0, 1]
        let selection = Selection(holdout: ValidationHoldout(fraction: 0.5, seed: 7), learningRates: [0.1, 0.2])
        var seen: [([Int], [Int])] = []
        let (validation, outcome) = try selection.run(stage: "test", train: train, strata: strata, learningRate: 1, epochs: 2,
                                                      criterion: "score", log: { _ in }) { fit, validation, rate, _ in
            seen.append((fit, validation))
            return [rate, rate]
        }
        XCTAssertEqual(validation.count, 4)
        XCTAssertTrue(Set(validation).isSubset(of: train))
        XCTAssertTrue(Set(validation).isDisjoint(with: test))
        XCTAssertEqual(seen.count, 2)
        for (fit, v) in seen {
            XCTAssertEqual(v, validation)
            XCTAssertEqual(Set(fit), Set(train).subtracting(validation))
        }
        XCTAssertEqual(outcome.learningRate, 0.2)
        XCTAssertEqual(outcome.epochs, 2, "no patience: the epochs as given")
    }

    /// By hand, E = 5, patience P = 2:
    /// - η 0.1:   0.50 0.60 0.55 0.52 | stops after epoch 4 (4 − 2 ≥ 2), ê = 2, score 0.60
    /// - η 0.01:  0.40 0.65 0.65 0.60 | stops after epoch 4 (the first max is epoch 2), ê = 2, score 0.65
    /// - η 0.001: 0.30 0.40 0.50 0.60 0.65 | never stops, ê = 5, score 0.65 (a tie: the earlier candidate wins)
    /// → η = 0.01, epochs 2. The 0.70 after η 0.1's epoch 4 must never be seen.
    func testTheBestValidationScoreAndItsEpochAreChosen() throws {
        let curves: [Double: [Double]] = [0.1: [0.5, 0.6, 0.55, 0.52, 0.7], 0.01: [0.4, 0.65, 0.65, 0.6, 0.5],
                                          0.001: [0.3, 0.4, 0.5, 0.6, 0.65]]
        let selection = Selection(holdout: ValidationHoldout(fraction: 0.2, seed: 0), learningRates: [0.1, 0.01, 0.001], patience: 2)
        let outcome = try selection.choose(learningRate: 99, epochs: 5, criterion: "accuracy") { rate, stop in
            var curve: [Double] = []
            for score in curves[rate]! {  // a trainer: one score per epoch, asking `stop` after each
                curve.append(score)
                if stop(curve) { break }
            }
            return curve
        }
        XCTAssertEqual(outcome.curves.map(\.count), [4, 4, 5])
        XCTAssertEqual(outcome.bestEpochs, [2, 2, 5])
        XCTAssertEqual(outcome.scores, [0.6, 0.65, 0.65])
        XCTAssertEqual(outcome.learningRate, 0.01)
        XCTAssertEqual(outcome.epochs, 2)
        let attributes = selection.attributes(outcome)
        XCTAssertEqual(attributes["selection.learning_rates"], .doubles([0.1, 0.01, 0.001]))
        XCTAssertEqual(attributes["selection.best_epochs"], .ints([2, 2, 5]))
        XCTAssertEqual(attributes["selection.epochs"], .int(2))
        XCTAssertEqual(attributes["early_stopping_patience"], .int(2))
    }

    /// The stopping rule by hand: stop once the last P epochs brought no better score than the first maximum.
    func testShouldStop() {
        XCTAssertFalse(Selection.shouldStop([0.5, 0.4], patience: 2))
        XCTAssertTrue(Selection.shouldStop([0.5, 0.4, 0.5], patience: 2), "a tie is no improvement")
        XCTAssertFalse(Selection.shouldStop([0.5, 0.4, 0.6], patience: 2))
        XCTAssertTrue(Selection.shouldStop([0.5, 0.4], patience: 1))
        XCTAssertFalse(Selection.shouldStop([0.5, 0.4, 0.3, 0.2], patience: nil), "no patience: run every epoch")
    }

    /// Without patience a candidate scores at its last epoch (the epochs the final model will train), not its best.
    func testWithoutPatienceTheLastEpochScores() throws {
        let selection = Selection(holdout: ValidationHoldout(fraction: 0.2, seed: 0), learningRates: [1, 2])
        let outcome = try selection.choose(learningRate: 0, epochs: 3, criterion: "accuracy") { rate, _ in
            rate == 1 ? [0.9, 0.1, 0.2] : [0.3, 0.3, 0.3]
        }
        XCTAssertEqual(outcome.scores, [0.2, 0.3])
        XCTAssertEqual(outcome.learningRate, 2)
        XCTAssertEqual(outcome.epochs, 3)
    }

    /// The trainers' keys in both front doors: one given without `select_on validation` is refused (accepted and
    /// ignored would be a defect), `validation` without a candidate list is refused, a complete one resolves.
    func testSelectionKeysNeedValidationAndValidationNeedsCandidates() throws {
        let spec = StageSpec("trainer", summary: "a trainer", StageSpec.trainerSelection,
                             constraints: [StageSpec.trainerSelectionNeedsValidation])
        let config = FrontDoor.config(file: "c.json", prefix: "stages[0].params.")
        for given: [String: JSONValue] in [["learning_rates": .array([.double(0.1)])], ["early_stopping_patience": .int(2)],
                                           ["validation_fraction": .double(0.3)], ["validation_seed": .int(4)]] {
            XCTAssertThrowsError(try spec.resolve(given, door: .commandLine)) { error in
                XCTAssertTrue("\(error)".contains("--" + given.keys.first!.replacingOccurrences(of: "_", with: "-")), "\(error)")
                XCTAssertTrue("\(error)".contains("select_on validation"), "\(error)")
            }
            XCTAssertThrowsError(try spec.resolve(given, door: config)) { error in
                XCTAssertTrue("\(error)".contains("stages[0].params." + given.keys.first!), "\(error)")
            }
        }
        XCTAssertThrowsError(try spec.resolve(["select_on": .string("validation")], door: .commandLine)) { error in
            XCTAssertTrue("\(error)".contains("learning_rates and/or early_stopping_patience"), "\(error)")
        }
        let p = try spec.resolve(["select_on": .string("validation"), "learning_rates": .array([.double(0.1), .int(1)]),
                                  "validation_seed": .int(5)], door: config)
        let selection = try XCTUnwrap(Selection(p))
        XCTAssertEqual(selection.learningRates, [0.1, 1])
        XCTAssertNil(selection.patience)
        XCTAssertEqual(selection.holdout, ValidationHoldout(fraction: 0.2, seed: 5))
        XCTAssertNil(Selection(try spec.resolve([:], door: config)))

        // `plan`'s training work: J (1 − f) + 1 runs — 2 candidates at f 0.2: 2.6; epochs only: 1 · 0.8 + 1; none: 1.
        XCTAssertEqual(Selection.trainingPasses(p), 2.6, accuracy: 1e-12)
        let epochsOnly = try spec.resolve(["select_on": .string("validation"), "early_stopping_patience": .int(3)], door: config)
        XCTAssertEqual(Selection.trainingPasses(epochsOnly), 1.8, accuracy: 1e-12)
        XCTAssertEqual(Selection.trainingPasses(try spec.resolve([:], door: config)), 1)
    }
}
