import LinearAlgebra

/// The textual modality of the paper (§4.1): a vocabulary of frequent Flickr tags and, per image, the
/// L2-normalised binary presence vector t_i over it; the tag similarity of images i and j is s^T_ij = t_i·t_j.
///
/// **Vocabulary rule.** A tag's count c(tag) is the number of images (train and test together) that carry it,
/// each image counting a tag once. A tag is kept when it occurs in at least one training image AND at least
/// one test image AND c(tag) ≥ `minimumCount` (25 in the paper); the kept tags are ordered by decreasing count,
/// ties by tag string (byte order), and truncated to `maximumSize` (the paper ends with 698 tags).
/// Tags are compared exactly as given (normalise case beforehand if wanted).
///
/// **Vectors.** t_i[v] = 1/√n_i for the n_i vocabulary tags of image i, 0 elsewhere (‖t_i‖ = 1); an image with
/// none of the vocabulary's tags gets the zero vector, so its similarity to every image is 0.
///
/// **Shapes.** `encode` returns (N, V) row-major, V = `tags.count`.
public struct TagVocabulary: Sendable, Equatable {
    /// The V kept tags, most frequent first.
    public let tags: [String]
    /// c(tag) for each kept tag.
    public let counts: [Int]

    /// Index of each kept tag.
    private let index: [String: Int]

    public init(tags: [String], counts: [Int]) {
        precondition(tags.count == counts.count, "TagVocabulary: \(tags.count) tags, \(counts.count) counts")
        self.tags = tags
        self.counts = counts
        self.index = Dictionary(uniqueKeysWithValues: tags.enumerated().map { ($1, $0) })
    }

    public static func == (a: TagVocabulary, b: TagVocabulary) -> Bool { a.tags == b.tags && a.counts == b.counts }

    /// Builds the vocabulary from the tag lists of the training and test images.
    public static func build(train: [[String]], test: [[String]], minimumCount: Int = 25,
                             maximumSize: Int = .max) throws -> TagVocabulary {
        guard minimumCount >= 1 else {
            throw ClassifierError.invalidOption(name: "minimumCount", value: "\(minimumCount)", requirement: "≥ 1")
        }
        guard maximumSize >= 0 else {
            throw ClassifierError.invalidOption(name: "maximumSize", value: "\(maximumSize)", requirement: "≥ 0")
        }
        func documentCounts(_ images: [[String]]) -> [String: Int] {
            var counts: [String: Int] = [:]
            for image in images { for tag in Set(image) { counts[tag, default: 0] += 1 } }
            return counts
        }
        let trainCounts = documentCounts(train), testCounts = documentCounts(test)
        var kept: [(tag: String, count: Int)] = []
        for (tag, trainCount) in trainCounts {
            guard let testCount = testCounts[tag] else { continue }
            if trainCount + testCount >= minimumCount { kept.append((tag, trainCount + testCount)) }
        }
        kept.sort { a, b in
            a.count > b.count || (a.count == b.count && a.tag.utf8.lexicographicallyPrecedes(b.tag.utf8))
        }
        let top = kept.prefix(maximumSize)
        return TagVocabulary(tags: top.map(\.tag), counts: top.map(\.count))
    }

    /// The L2-normalised binary vectors t_i of `images`, (N, V).
    public func encode(_ images: [[String]]) -> Matrix<Float> {
        var t = Matrix<Float>(rows: images.count, columns: tags.count)
        for (i, image) in images.enumerated() {
            let present = Set(image.compactMap { index[$0] })
            guard !present.isEmpty else { continue }
            let value = 1 / Float(present.count).squareRoot()
            for v in present { t[i, v] = value }
        }
        return t
    }
}
