/// Why `train-infused` refused its inputs; every message names the file and the fix.
public enum InfusedTrainingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An index over vectors of another width than the target model's context size M.
    case dimensionMismatch(index: String, dimension: Int, model: String, contextSize: Int)
    /// The target model was trained on another split / fraction / seed than the one asked for, so the infused
    /// model's test documents could be the baseline's training documents.
    case splitMismatch(model: String, setting: String, inModel: String, asked: String)
    /// `--exclude-self` with an index that does not hold the target corpus in corpus order.
    case notTheTargetCorpus(index: String, indexed: Int, documents: Int)
    /// No `--index` given.
    case noSources

    public var description: String {
        switch self {
        case let .dimensionMismatch(index, dimension, model, contextSize):
            return "\(index) indexes \(dimension)-d embeddings but \(model) has context size M = \(contextSize); "
                + "embed the source with an encoder of --context-size \(contextSize) (`tributary embed`) and re-run "
                + "`tributary index` on that file"
        case let .splitMismatch(model, setting, inModel, asked):
            return "\(model) was trained with \(setting) \(inModel) but train-infused was asked for \(asked); pass "
                + "the same --fold/--test-fraction, --train-fraction and --seed as `tributary train-text` did"
        case let .notTheTargetCorpus(index, indexed, documents):
            return "--exclude-self needs an index over the target corpus itself (row i = document i), but \(index) "
                + "holds \(indexed) rows for \(documents) documents; embed the target corpus with `tributary embed` "
                + "(no --subset) and index that, or drop --exclude-self for another source"
        case .noSources:
            return "no source index: pass --index INDEX.h5 (from `tributary index`) once per source dataset"
        }
    }
}
