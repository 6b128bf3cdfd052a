/// A config dataset, ready for a stage driver.
public enum ResolvedDataset: Sendable {
    /// Images for `fisher` (the source and the subset of it).
    case images(ImageSource, ImageSelection)
    /// A text corpus for `train-text` / `embed`: always the runner's CSV snapshot (see `RunnerDatasets`).
    case text(TextCorpusSource)
}

