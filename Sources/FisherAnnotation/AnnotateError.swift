/// Errors of `tributary annotate` given bad input. Every message names the file and the fix.
public enum AnnotateError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `--concepts` names a concept that no item of the annotations carries.
    case unknownConcept(name: String, annotations: String, known: [String])
    /// An image of `fv.h5` has no row in the annotations.
    case missingItem(fisherVectors: String, id: String, annotations: String)
    /// A Fisher-vector dataset holds NaN or ∞.
    case nonFinite(file: String, dataset: String, row: Int)
    /// No item of `fv.h5` falls in `split`.
    case emptySplit(split: String, fisherVectors: String, annotations: String)
    /// No concept has a positive training item.
    case noConcepts(annotations: String)
    /// A run needs a model the models file does not hold.
    case missingModel(file: String, run: String)
    /// The training blocks exceed the memory budget (rows split over ranks) and `what` cannot train that way.
    case rowLayoutUnsupported(what: String, fix: String)
    /// Hyper-parameter selection (`select_on validation`) cannot run on these training rows.
    case selection(annotations: String, reason: String)

    public var description: String {
        switch self {
        case let .unknownConcept(name, annotations, known):
            let sample = known.prefix(8).joined(separator: ", ") + (known.count > 8 ? ", …" : "")
            return "concept '\(name)' is not in \(annotations) (\(known.count) concepts: \(sample)); fix --concepts"
        case let .missingItem(fv, id, annotations):
            return "\(fv) has image '\(id)' but \(annotations) has no row for it; build fv.h5 from the same images.csv "
                + "(`tributary fisher --dataset folder --labels-csv images.csv`) or add the row"
        case let .nonFinite(file, dataset, row):
            return "\(file): \(dataset) row \(row) contains NaN or infinity; re-run `tributary encode` (or `tributary fisher`) "
                + "to rewrite the Fisher vectors"
        case let .emptySplit(split, fv, annotations):
            return "no image of \(fv) is in the \(split) split of \(annotations); every run needs train and test images "
                + "(check the split column, or --limit of `tributary fisher`)"
        case let .noConcepts(annotations):
            return "no concept of \(annotations) has a positive training image; check the concepts and split columns"
        case let .missingModel(file, run):
            return "\(file) holds no model for run \(run); re-run `tributary annotate train --runs \(run)`"
        case let .selection(annotations, reason):
            return "select_on validation on the training rows of \(annotations): \(reason)"
        case let .rowLayoutUnsupported(what, fix):
            return "the training Fisher vectors exceed the memory budget, so annotate train splits their rows over ranks, "
                + "and \(what) cannot train that way; \(fix), or raise the budget with --memory <size> (more memory "
                + "per rank, or fewer ranks per host) so every rank holds them"
        }
    }
}
