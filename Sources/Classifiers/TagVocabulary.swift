import LinearAlgebra

/// The textual modality of the paper (§4.1): a vocabulary of frequent Flickr tags and, per image, the
/// L2-normalised binary presence vector t_i over it; the tag similarity of images i and j is s^T_ij = t_i·t_j.
///
/// **Vocabulary rule** (`Scope`). `.train` (the default of `annotate train`, leak-free): c(tag) is the number of
/// training images that carry it, each image counting a tag once, and a tag is kept when c(tag) ≥ `minimumCount`;
/// no test image is read. `.trainAndTest` (the paper's ImageCLEF rule): c(tag) counts train and test images
/// together, and a tag is kept when it occurs in at least one training image AND at least one test image AND
/// c(tag) ≥ `minimumCount` (25 in the paper). Either way the kept tags are ordered by decreasing count, ties by
/// tag string (byte order), and truncated to `maximumSize` (the paper ends with 698 tags).
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

    /// Which images a vocabulary is counted on.
    public enum Scope: String, Sendable, CaseIterable {
        /// Training images only: no test tag shapes the vocabulary.
        case train
        /// The paper's ImageCLEF rule: training and test images.
        case trainAndTest = "train+test"
    }

    /// Builds the vocabulary under `scope` (`.train` never reads `test`).
    public static func build(train: [[String]], test: [[String]], scope: Scope, minimumCount: Int = 25,
                             maximumSize: Int = .max) throws -> TagVocabulary {
        switch scope {
        case .trainAndTest: return try build(train: train, test: test, minimumCount: minimumCount, maximumSize: maximumSize)
        case .train: return try build(train: train, minimumCount: minimumCount, maximumSize: maximumSize)
        }
    }

    /// The `.train` rule: counts on the training images' tag lists only.
    public static func build(train: [[String]], minimumCount: Int = 25, maximumSize: Int = .max) throws -> TagVocabulary {
        guard minimumCount >= 1 else {
            throw ClassifierError.invalidOption(name: "minimumCount", value: "\(minimumCount)", requirement: "≥ 1")
        }
        guard maximumSize >= 0 else {
            throw ClassifierError.invalidOption(name: "maximumSize", value: "\(maximumSize)", requirement: "≥ 0")
        }
        var counts: [String: Int] = [:]
        for image in train { for tag in Set(image) { counts[tag, default: 0] += 1 } }
        let kept = counts.filter { $0.value >= minimumCount }.sorted { a, b in
            a.value > b.value || (a.value == b.value && a.key.utf8.lexicographicallyPrecedes(b.key.utf8))
        }.prefix(maximumSize)
        return TagVocabulary(tags: kept.map(\.key), counts: kept.map(\.value))
    }

    /// The `.trainAndTest` rule (the paper's): from the tag lists of the training and test images.
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
