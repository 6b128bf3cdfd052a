import Datasets
import NeuralNets

/// A corpus turned into what the bi-LSTM consumes: token-id sequences (truncated to L_max, unpadded), class
/// indices and document ids, index-aligned with the corpus.
///
/// `prepare` tokenizes every document, builds the vocabulary from the TRAINING indices only, and encodes every
/// document with it (unknown tokens → `<unk>`). A batch pads its sequences to the longest one in the batch
/// (≤ L_max); padding is masked, so the loss does not depend on how a global batch is split over ranks.
public struct EncodedTexts: Sendable {
    public var sequences: [[Int]]
    public var labels: [Int]
    public var ids: [String]

    public init(sequences: [[Int]], labels: [Int], ids: [String]) {
        precondition(sequences.count == labels.count && labels.count == ids.count, "EncodedTexts: ragged inputs")
        self.sequences = sequences
        self.labels = labels
        self.ids = ids
    }

    public var count: Int { sequences.count }

    /// Tokenizes `corpus`, builds the vocabulary on `trainIndices`, encodes everything.
    public static func prepare(_ corpus: TextCorpus, labels: [Int], trainIndices: [Int], tokenizer: TextTokenizer,
                               minimumCount: Int, vocabularySize: Int, maxLength: Int) -> (Vocabulary, EncodedTexts) {
        let tokens = corpus.documents.map { tokenizer.tokens($0.text) }
        let vocabulary = Vocabulary.build(documents: trainIndices.map { tokens[$0] }, minimumCount: minimumCount,
                                          maximumSize: vocabularySize)
        let sequences = tokens.map { vocabulary.encode($0, maxLength: maxLength) }
        return (vocabulary, EncodedTexts(sequences: sequences, labels: labels, ids: corpus.documents.map(\.id)))
    }

    /// Encodes `corpus` with an existing vocabulary (a trained model's).
    public static func encode(_ corpus: TextCorpus, labels: [Int], vocabulary: Vocabulary, tokenizer: TextTokenizer,
                              maxLength: Int) -> EncodedTexts {
        EncodedTexts(sequences: corpus.documents.map { vocabulary.encode(tokenizer.tokens($0.text), maxLength: maxLength) },
                     labels: labels, ids: corpus.documents.map(\.id))
    }

    /// The padded batch of the documents at `indices` (T = the longest of them, at least 1).
    public func batch(_ indices: [Int]) -> TextBatch {
        TextBatch(sequences: indices.map { sequences[$0] }, labels: indices.map { labels[$0] },
                  paddingToken: Vocabulary.paddingIndex)
    }

    /// Σ tokens of the documents at `indices` (empty documents count as one padding step).
    public func tokenCount(_ indices: [Int]) -> Int { indices.reduce(0) { $0 + max(1, sequences[$1].count) } }
}

/// Accuracy and macro-F1 from a confusion matrix.
///
///     confusion[y][ŷ] = number of samples of class y predicted as ŷ            (C × C)
///     accuracy        = Σ_c confusion[c][c] / N
///     F1_c            = 2·TP_c / (2·TP_c + FP_c + FN_c)
///     macro-F1        = mean of F1_c over the classes that occur in y or ŷ     (scikit-learn's `average='macro'`)
public struct ClassificationMetrics: Sendable, Equatable {
    public var confusion: [[Int]]

    public init(confusion: [[Int]]) { self.confusion = confusion }

    public init(truth: [Int], predicted: [Int], classCount: Int) {
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: classCount), count: classCount)
        for (y, p) in zip(truth, predicted) { confusion[y][p] += 1 }
        self.confusion = confusion
    }

    public var count: Int { confusion.reduce(0) { $0 + $1.reduce(0, +) } }

    public var accuracy: Double {
        let correct = confusion.indices.reduce(0) { $0 + confusion[$1][$1] }
        return count == 0 ? 0 : Double(correct) / Double(count)
    }

    public var macroF1: Double {
        var sum = 0.0, classes = 0
        for c in confusion.indices {
            let tp = confusion[c][c]
            let fn = confusion[c].reduce(0, +) - tp
            let fp = confusion.indices.reduce(0) { $0 + confusion[$1][c] } - tp
            guard tp + fn + fp > 0 else { continue }
            sum += 2 * Double(tp) / Double(2 * tp + fp + fn)
            classes += 1
        }
        return classes == 0 ? 0 : sum / Double(classes)
    }
}
