#if canImport(Glibc)
import Glibc
#endif

/// A sparse vector: `indices` strictly increasing, `values[i]` the entry at `indices[i]`, zeros elsewhere.
public struct SparseVector: Sendable, Equatable {
    public var indices: [Int]
    public var values: [Float]

    public init(indices: [Int] = [], values: [Float] = []) {
        precondition(indices.count == values.count, "SparseVector: \(indices.count) indices, \(values.count) values")
        self.indices = indices
        self.values = values
    }

    /// The entry at `index` (0 when absent).
    public subscript(index: Int) -> Float {
        var lo = 0, hi = indices.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if indices[mid] < index { lo = mid + 1 } else { hi = mid }
        }
        return lo < indices.count && indices[lo] == index ? values[lo] : 0
    }
}

/// Bag-of-n-grams and tf-idf vectors for the linear / naive-Bayes / k-NN text baselines.
///
/// Terms are the unigrams and (with `maximumN = 2`) the bigrams of a token list; a bigram is written
/// `"a b"` (tokens never contain spaces). The term list is fitted on the TRAINING documents: a term is kept
/// when its document frequency is at least `minimumDocumentFrequency`, the `maximumFeatures` most frequent
/// (by document frequency descending, then term) are kept, and column j is the j-th kept term.
///
///     tf(t, d)  = number of times term t occurs in d                 (`counts`)
///     idf(t)    = ln((1 + N) / (1 + df(t))) + 1                       (smoothed, as scikit-learn's default)
///     x(d)      = tf(·, d) · idf(·) / ‖tf(·, d) · idf(·)‖₂            (`tfidf`; the zero vector stays zero)
///
/// N is the number of training documents and df(t) the number of them containing t.
public struct NGramVectorizer: Sendable, Equatable {
    /// The kept terms; column j of every vector is `terms[j]`.
    public let terms: [String]
    /// idf(t) per column.
    public let inverseDocumentFrequency: [Float]
    /// 1 (unigrams) or 2 (unigrams + bigrams).
    public let maximumN: Int
    private let columns: [String: Int]

    /// The features D = number of kept terms.
    public var featureCount: Int { terms.count }

    /// Fits the term list and the idf on the training documents (token lists).
    public static func fit(documents: [[String]], maximumN: Int = 2, minimumDocumentFrequency: Int = 1,
                           maximumFeatures: Int? = nil) -> NGramVectorizer {
        precondition(maximumN == 1 || maximumN == 2, "NGramVectorizer: maximumN must be 1 or 2, got \(maximumN)")
        var frequency: [String: Int] = [:]
        for document in documents {
            for term in Set(Self.terms(of: document, maximumN: maximumN)) { frequency[term, default: 0] += 1 }
        }
        var kept = frequency.filter { $0.value >= minimumDocumentFrequency }
            .sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        if let maximumFeatures, kept.count > maximumFeatures { kept.removeLast(kept.count - maximumFeatures) }
        let n = Double(documents.count)
        let idf = kept.map { Float(log((1 + n) / (1 + Double($0.value))) + 1) }
        return NGramVectorizer(terms: kept.map(\.key), idf: idf, maximumN: maximumN)
    }

    private init(terms: [String], idf: [Float], maximumN: Int) {
        self.terms = terms
        inverseDocumentFrequency = idf
        self.maximumN = maximumN
        columns = Dictionary(uniqueKeysWithValues: terms.enumerated().map { ($1, $0) })
    }

    /// The unigrams, then the bigrams, of `tokens` (with repetitions).
    public static func terms(of tokens: [String], maximumN: Int) -> [String] {
        var terms = tokens
        if maximumN >= 2 && tokens.count >= 2 {
            for i in 0 ..< tokens.count - 1 { terms.append(tokens[i] + " " + tokens[i + 1]) }
        }
        return terms
    }

    /// Raw term counts tf(·, d); terms outside the fitted list are ignored.
    public func counts(_ tokens: [String]) -> SparseVector {
        var counts: [Int: Float] = [:]
        for term in Self.terms(of: tokens, maximumN: maximumN) {
            if let column = columns[term] { counts[column, default: 0] += 1 }
        }
        let indices = counts.keys.sorted()
        return SparseVector(indices: indices, values: indices.map { counts[$0]! })
    }

    /// The L2-normalised tf-idf vector x(d).
    public func tfidf(_ tokens: [String]) -> SparseVector {
        var vector = counts(tokens)
        var norm: Float = 0
        for (k, column) in vector.indices.enumerated() {
            vector.values[k] *= inverseDocumentFrequency[column]
            norm += vector.values[k] * vector.values[k]
        }
        if norm > 0 {
            let scale = 1 / norm.squareRoot()
            for k in vector.values.indices { vector.values[k] *= scale }
        }
        return vector
    }
}
