/// The parameters of hyper-parameter selection (`Selection`, `ValidationHoldout`), declared once here and listed
/// by every stage that selects: `annotate train` (with its own cost grids), `train-text`, `train-infused` and
/// `train-paths` (with the trainer grids below). Same keys, same meaning, same help in both front doors:
///
///     select_on            none | validation        validation_fraction   f of each stratum of the training rows
///     validation_seed      seed of the holdout      learning_rates        η candidates (trainers)
///     early_stopping_patience   P: epochs chosen as the best validation epoch (trainers)
extension StageSpec {
    /// The setting every selecting stage shares: whether to select and the inner split.
    public static let selectionSetting: [ParameterSpec] = [
        ParameterSpec("select_on", .string, .string("none"), choices: ["none", "validation"],
                      "none: every hyper-parameter as given; validation: hold out a stratified validation_fraction of the "
                        + "TRAINING rows (never the test rows), choose each candidate list's value by the stage's validation "
                        + "score, then train the final model on all training rows with the chosen values (recorded in the artifact "
                        + "with the candidates, their scores and split/validation_ids)"),
        ParameterSpec("validation_fraction", .double, .double(0.2), range: 0.01 ... 0.9,
                      "select_on validation: fraction of each stratum of the training rows held out (stratum: a document's "
                        + "class, an image's first concept, a joined sample's label)"),
        ParameterSpec("validation_seed", .int, .int(0), "select_on validation: seed of the validation rows"),
    ]

    /// The trainers' grids (`train-text`, `train-infused`, `train-paths`).
    public static let trainerSelection: [ParameterSpec] = selectionSetting + [
        ParameterSpec("learning_rates", .doubles, .null, dataDefault: "learning_rate, not selected", range: 1e-12 ... 1e6,
                      "select_on validation: the initial learning rates to choose from (the first best validation score wins)"),
        ParameterSpec("early_stopping_patience", .int, .null, dataDefault: "epochs as given, not selected", range: 1 ... 1e9,
                      unit: "epochs",
                      "select_on validation: stop a trial after this many epochs without a better validation score and "
                        + "choose the epochs as the best validation epoch (at most epochs)"),
    ]

    /// The selection keys act under `select_on validation` only (one accepted and ignored is refused), and
    /// `validation` needs at least one of `candidates` (the stage's grid keys) to choose.
    public static func selectionNeedsValidation(candidates: [String], example: String) -> Constraint {
        { p in
            guard p.string("select_on") == "validation" else {
                let defaults = p.spec
                for key in candidates where !p.isNull(key) {
                    return p.inconsistent(key, "applies to select_on validation only: add select_on validation (--select-on validation) or remove it")
                }
                for key in ["validation_fraction", "validation_seed"] where p.values[key] != defaults[key].defaultValue {
                    return p.inconsistent(key, "applies to select_on validation only: add select_on validation (--select-on validation) or remove it")
                }
                return nil
            }
            guard candidates.allSatisfy({ p.isNull($0) }) else { return nil }
            return p.inconsistent("select_on", "validation needs candidates: give \(candidates.joined(separator: " and/or ")) (e.g. \(example))")
        }
    }

    /// The trainers' rule: `selectionNeedsValidation` over `learning_rates` and `early_stopping_patience`.
    public static let trainerSelectionNeedsValidation = selectionNeedsValidation(
        candidates: ["learning_rates", "early_stopping_patience"], example: "learning_rates [0.001, 0.01] or early_stopping_patience 3")
}

extension Selection {
    /// The training work of a selecting stage in units of one plain run (for `tributary plan`): J trials on at most
    /// (1 − f) of the rows, each at most E epochs, then the final run: J (1 − f) + 1 (1 without selection), J the
    /// candidates (1 when only the epochs are chosen).
    public static func trainingPasses(_ p: StageParameters) -> Double {
        guard let selection = Selection(p) else { return 1 }
        return Double(max(1, selection.learningRates.count)) * (1 - selection.holdout.fraction) + 1
    }

    /// The selection `p` asks for (a spec with `StageSpec.trainerSelection`'s keys), nil under `select_on none`.
    public init?(_ p: StageParameters) {
        guard p.string("select_on") == "validation" else { return nil }
        self.init(holdout: ValidationHoldout(fraction: p.double("validation_fraction"), seed: UInt64(p.int("validation_seed"))),
                  learningRates: p.isNull("learning_rates") ? [] : p.doubles("learning_rates"),
                  patience: p.optionalInt("early_stopping_patience"))
    }
}
