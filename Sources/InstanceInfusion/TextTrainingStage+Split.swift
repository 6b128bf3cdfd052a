import Datasets
import Stages

/// The one split rule of the text stages (`TextTrainingStage.Split`).
extension TextTrainingStage {
    /// How the corpus is split.
    public enum Split: Sendable, Equatable {
        /// Fold `fold` (0-based) of `folds` stratified folds.
        case fold(Int, of: Int)
        /// A stratified held-out fraction.
        case testFraction(Double)
        /// The corpus's own train/test subsets (20 Newsgroups bydate, a CSV `subset` column).
        case predefined

        /// The train/test indices of `corpus` (whose label indices are `labels`) under this split: the one rule
        /// every text stage (train-text, train-infused, the experiment baselines) splits by, so a model and
        /// the stages that reuse it see the same test documents.
        func indices(_ corpus: TextCorpus, labels: [Int], seed: UInt64) throws -> SplitIndices {
            switch self {
            case let .fold(k, of: n): return CorpusSplit.kFold(labels: labels, folds: n, fold: k, seed: seed)
            case let .testFraction(f): return CorpusSplit.holdOut(labels: labels, testFraction: f, seed: seed)
            case .predefined:
                let indices = SplitIndices(train: corpus.indices(inSubset: "train"), test: corpus.indices(inSubset: "test"))
                guard !indices.train.isEmpty else {
                    throw CorpusError.badLayout(path: corpus.source, reason: "no predefined `train` subset; pass --fold or --test-fraction")
                }
                return indices
            }
        }
    }
}
