/// A token ↔ id map for sequence models, built from the TRAINING split only (test tokens never leak in).
///
/// Layout (V = `count`):
///
///     id 0   `<pad>`   the padding token (its embedding is the zero vector; `TextBatch` pads with it)
///     id 1   `<unk>`   every token not in the vocabulary
///     id 2…  the kept tokens, by count descending, then by token (Swift `String` order) — deterministic
///
/// A token is kept when it occurs at least `minimumCount` times in the training documents; when more than
/// `maximumSize − 2` qualify, the most frequent are kept (ties broken by the token), so V ≤ `maximumSize`.
///
/// ```swift
/// let vocabulary = Vocabulary.build(documents: trainTokens, minimumCount: 2, maximumSize: 30_000)
/// let ids = vocabulary.encode(["the", "zyzzyva"], maxLength: 300)   // [2, 1]
/// ```
public struct Vocabulary: Sendable, Equatable {
    public static let paddingToken = "<pad>"
    public static let unknownToken = "<unk>"
    public static let paddingIndex = 0
    public static let unknownIndex = 1

    /// All tokens, indexed by id (`tokens[0] == "<pad>"`, `tokens[1] == "<unk>"`).
    public let tokens: [String]
    private let ids: [String: Int]

    /// V, including `<pad>` and `<unk>`.
    public var count: Int { tokens.count }

    /// Restores a vocabulary saved as its token list (e.g. the `vocabulary` dataset of a model file).
    /// - Throws: `CorpusError.badVocabulary` when the list does not start with `<pad>`, `<unk>` or repeats a token.
    public init(tokens: [String], source: String = "<memory>") throws(CorpusError) {
        guard tokens.count >= 2, tokens[0] == Self.paddingToken, tokens[1] == Self.unknownToken else {
            throw .badVocabulary(path: source, reason: "it must start with \(Self.paddingToken), \(Self.unknownToken)")
        }
        var ids: [String: Int] = [:]
        for (id, token) in tokens.enumerated() {
            guard ids.updateValue(id, forKey: token) == nil else {
                throw .badVocabulary(path: source, reason: "token `\(token)` appears twice")
            }
        }
        self.tokens = tokens
        self.ids = ids
    }

    /// Counts the tokens of `documents` and keeps the frequent ones (see the type's rules).
    public static func build(documents: [[String]], minimumCount: Int = 1, maximumSize: Int? = nil) -> Vocabulary {
        precondition(minimumCount >= 1, "Vocabulary: minimumCount must be ≥ 1, got \(minimumCount)")
        precondition((maximumSize ?? 2) >= 2, "Vocabulary: maximumSize must be ≥ 2 (<pad>, <unk>)")
        var counts: [String: Int] = [:]
        for document in documents {
            for token in document { counts[token, default: 0] += 1 }
        }
        counts[paddingToken] = nil
        counts[unknownToken] = nil
        var kept = counts.filter { $0.value >= minimumCount }
            .sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .map(\.key)
        if let maximumSize, kept.count > maximumSize - 2 { kept.removeLast(kept.count - (maximumSize - 2)) }
        // Cannot fail: the specials come first and `counts` has unique keys without them.
        return try! Vocabulary(tokens: [paddingToken, unknownToken] + kept)
    }

    /// The id of `token`, `unknownIndex` when absent.
    public func id(of token: String) -> Int { ids[token] ?? Self.unknownIndex }

    /// The ids of `tokens`, truncated to the first `maxLength` (no padding; see `padded`).
    public func encode(_ tokens: [String], maxLength: Int? = nil) -> [Int] {
        let used = maxLength.map { tokens.prefix($0) } ?? tokens[...]
        return used.map { id(of: $0) }
    }

    /// `ids` truncated or right-padded with `paddingIndex` to exactly `length`.
    public static func padded(_ ids: [Int], to length: Int) -> [Int] {
        Array(ids.prefix(length)) + [Int](repeating: paddingIndex, count: max(0, length - ids.count))
    }
}
