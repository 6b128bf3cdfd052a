import Stages
/// Where `tributary annotate manifest` reads an annotation dataset from (the `--dataset` flag).
public enum AnnotationSource: Sendable, Hashable {
    /// `../shared/data/emoji-tags` (the folder holding `emoji.csv`).
    case emojiTags(directory: String, rendering: EmojiTagsDataset.Rendering)
    /// A MIRFlickr-25k folder (`im*.jpg`, `tags/`, `annotations/`).
    case mirflickr(directory: String, relevantOnly: Bool, trainFraction: Double, seed: UInt64)
    /// A single-label labels CSV (Flowers17/102).
    case classLabels(csv: String, trainPerClass: Int, seed: UInt64)

    public func load() throws -> AnnotationTable {
        switch self {
        case let .emojiTags(directory, rendering):
            return try EmojiTagsDataset.load(directory: directory, rendering: rendering)
        case let .mirflickr(directory, relevantOnly, trainFraction, seed):
            return try MIRFlickrDataset.load(directory: directory, relevantOnly: relevantOnly,
                                             trainFraction: trainFraction, seed: seed)
        case let .classLabels(csv, trainPerClass, seed):
            return try ClassLabelsDataset.load(csv: csv, trainPerClass: trainPerClass, seed: seed)
        }
    }
}
