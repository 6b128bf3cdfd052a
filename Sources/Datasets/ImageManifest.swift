/// A list of labelled images: which files, in which order, with which labels, and the label vocabulary.
///
/// Two sources (see `ImageManifest+CSV.swift` and `ImageManifest+ClassFolders.swift`):
/// - a labels CSV, `path,labels` with one image per row, several labels separated by `;`:
///   ```
///   path,labels
///   jpg/image_0001.jpg,Daffodil
///   "beach, sunset.png",sea;sky
///   ```
/// - a folder with one subfolder per class: `root/<class>/<image>.{png,jpg,jpeg}`.
///
/// Shapes: N entries. `entries[n]` is image n with its labels (in the order written, duplicates removed);
/// `vocabulary` is the sorted set of all labels (L of them); `labelIndices[n]` holds the positions of entry n's
/// labels in `vocabulary`, in the same order as `entries[n].labels`. Entry order is the file order (CSV) or the
/// sorted order (folders), so every rank of a job sees the same N images in the same order.
///
/// ```swift
/// let manifest = try ImageManifest.load(csv: "/data/tags/labels.csv")
/// for (entry, classes) in zip(manifest.entries, manifest.labelIndices) { … }
/// ```
public struct ImageManifest: Sendable, Equatable {
    /// One image: its absolute, standardised path and its labels.
    public struct Entry: Sendable, Hashable {
        public let path: String
        public let labels: [String]

        public init(path: String, labels: [String]) {
            self.path = path
            self.labels = labels
        }
    }

    /// The N images, in file (CSV) or sorted (folders) order.
    public let entries: [Entry]
    /// The L distinct labels, sorted (Swift `String` order: by Unicode scalars, so byte order for ASCII).
    public let vocabulary: [String]
    /// For each entry, the indices of its labels in `vocabulary`.
    public let labelIndices: [[Int]]

    /// N, the number of images.
    public var count: Int { entries.count }

    /// A manifest of `entries` as given; duplicate labels within an entry are removed (first one kept).
    public init(entries: [Entry]) {
        let cleaned = entries.map { entry in
            var seen = Set<String>()
            return Entry(path: entry.path, labels: entry.labels.filter { seen.insert($0).inserted })
        }
        let vocabulary = Set(cleaned.flatMap(\.labels)).sorted()
        let index = Dictionary(uniqueKeysWithValues: vocabulary.enumerated().map { ($1, $0) })  // lookup only
        self.entries = cleaned
        self.vocabulary = vocabulary
        self.labelIndices = cleaned.map { entry in entry.labels.map { index[$0]! } }
    }
}
