import Core

/// One document of a text corpus.
public struct TextDocument: Sendable, Equatable {
    /// A stable identifier: the path inside the archive/folder (`bbc/business/001.txt`), the CSV line
    /// (`line 7`), or the Debian package name.
    public var id: String
    public var text: String
    /// One label for single-label corpora (the class); several for multi-label ones (debtags).
    public var labels: [String]
    /// The predefined split the document belongs to (`"train"` / `"test"`, from 20 Newsgroups' bydate
    /// folders), or nil when the corpus has none.
    public var subset: String?

    public init(id: String, text: String, labels: [String], subset: String? = nil) {
        self.id = id
        self.text = text
        self.labels = labels
        self.subset = subset
    }
}

/// What to do with a document that has no letter or digit.
///
/// | policy | effect |
/// | --- | --- |
/// | `.drop` (default) | the document is left out and counted in `TextCorpus.droppedEmpty`, which stages print |
/// | `.fail` | loading stops with `CorpusError.emptyText` naming the file |
///
/// Under either policy a corpus with no non-empty document fails (`CorpusError.noDocuments`), and so does a
/// class left without documents (`CorpusError.emptyClass`).
public enum EmptyTextPolicy: String, Sendable, CaseIterable {
    case drop, fail
}

/// A labelled text corpus: documents in a deterministic order (sorted by id for folder corpora, file order
/// for CSV and dumpavail), the same on every rank.
///
/// Loaders: `TextCorpus.classFolders(path:…)` (BBC, BBC Sport, 20 Newsgroups, from the `.tar.gz` or an
/// unpacked folder), `TextCorpus.csv(path:…)`, `TextCorpus.debian(…)` (`apt-cache dumpavail`). Splits are
/// in `CorpusSplit`.
public struct TextCorpus: Sendable {
    /// Where the corpus came from (for messages and artifact headers).
    public var source: String
    public var documents: [TextDocument]
    /// The number of empty documents left out under `EmptyTextPolicy.drop`.
    public var droppedEmpty: Int
    /// The number of document bodies that were not valid UTF-8 and were read as Latin-1 (`decodeDocument`);
    /// stages print it when it is not zero. Always 0 for CSV and Debian corpora, which must be UTF-8.
    public var latin1Documents = 0

    /// Applies `policy` to the empty documents and checks that something is left.
    public init(source: String, documents: [TextDocument], emptyTexts policy: EmptyTextPolicy) throws(CorpusError) {
        var kept: [TextDocument] = []
        kept.reserveCapacity(documents.count)
        var dropped = 0
        for document in documents {
            if TextTokenizer.hasAlphanumeric(document.text) {
                kept.append(document)
            } else if policy == .fail {
                throw .emptyText(path: document.id)
            } else {
                dropped += 1
            }
        }
        guard !kept.isEmpty else { throw .noDocuments(path: source, dropped: dropped) }
        self.source = source
        self.documents = kept
        droppedEmpty = dropped
    }

    /// N.
    public var count: Int { documents.count }

    /// The distinct first labels, sorted: the classes of a single-label corpus (C = `classNames.count`).
    public var classNames: [String] {
        Array(Set(documents.compactMap(\.labels.first))).sorted()
    }

    /// The class index of every document's first label in `classes` (default: `classNames`).
    /// - Throws: `CorpusError.unknownLabel` naming the first document whose label is not in `classes`.
    public func labelIndices(classes: [String]? = nil) throws(CorpusError) -> [Int] {
        let classes = classes ?? classNames
        let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        var labels: [Int] = []
        labels.reserveCapacity(count)
        for document in documents {
            let label = document.labels.first ?? ""
            guard let k = index[label] else { throw .unknownLabel(path: document.id, label: label, known: classes) }
            labels.append(k)
        }
        return labels
    }

    /// The indices of the documents in predefined subset `name` (e.g. `"train"`).
    public func indices(inSubset name: String) -> [Int] {
        documents.indices.filter { documents[$0].subset == name }
    }

    /// True when every document has a predefined subset (20 Newsgroups bydate).
    public var hasPredefinedSplit: Bool { documents.allSatisfy { $0.subset != nil } }

    /// Decodes a document BODY of a folder or archive corpus (`file` names it in errors): UTF-8 when valid,
    /// otherwise Latin-1 (ISO 8859-1: byte b is U+00b), as the BBC and 20 Newsgroups files that hold a lone 0xA3
    /// (`£`) need. This is the one deliberate exception to `StrictText`: news text is not a name, Latin-1 maps
    /// distinct bytes to distinct characters (nothing merges, nothing becomes U+FFFD), and `latin1` tells the
    /// caller to count it (`TextCorpus.latin1Documents`). A NUL byte is still an error: no news text holds one.
    public static func decodeDocument<Bytes: Collection>(_ bytes: Bytes, file: String) throws(CorpusError)
        -> (text: String, latin1: Bool) where Bytes.Element == UInt8 {
        if let zero = bytes.firstIndex(of: 0) {
            let offset = bytes.distance(from: bytes.startIndex, to: zero)
            let line = 1 + bytes[..<zero].lazy.filter { $0 == UInt8(ascii: "\n") }.count
            throw .invalidText(TextDecodingError(file: file, line: line, byteOffset: offset, problem: .nul))
        }
        if let text = String(validating: bytes, as: UTF8.self) { return (text, false) }
        return (decodeText(bytes), true)
    }

    /// Decodes document bytes: UTF-8 when valid, otherwise Latin-1 (see `decodeDocument`, which loaders use).
    public static func decodeText<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        var scalars = String.UnicodeScalarView()
        for byte in bytes { scalars.append(Unicode.Scalar(byte)) }
        return String(scalars)
    }
}
