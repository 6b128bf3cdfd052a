import Core
import Foundation

/// The noun hierarchy of a WordNet database (Princeton WordNet 3.0 "database files", Debian `wordnet-base`:
/// `/usr/share/wordnet/index.noun` and `data.noun`), read to derive label graphs from hypernyms.
///
///     index.noun:  lemma pos synset_cnt p_cnt [ptr_symbol]{p_cnt} sense_cnt tagsense_cnt synset_offset{synset_cnt}
///     data.noun:   synset_offset lex_filenum ss_type w_cnt(hex) [word lex_id]{w_cnt} p_cnt [symbol offset pos st]{p_cnt} … | gloss
///
/// A synset's `synset_offset` is the byte offset of its line in data.noun; senses in index.noun are ordered by
/// frequency, so the first offset is the first (most common) sense. Hypernyms are the pointers `@` (and `@i`,
/// instance hypernym) to a noun. Lines starting with two spaces are the licence header.
///
/// `labelGraph(classes:dataset:)` builds the union of the hypernym paths of each class's first noun sense, marks
/// the classes as label nodes and compresses chains of single-child nodes (see there).
public struct WordNet: Sendable {
    public struct Synset: Sendable, Equatable {
        /// The byte offset in data.noun, WordNet's synset id.
        public var offset: Int
        /// The synset's words, as written (underscores for spaces).
        public var words: [String]
        /// Offsets of the hypernym synsets (`@`, `@i`).
        public var hypernyms: [Int]
    }

    /// Where Debian's `wordnet-base` installs the database.
    public static let debianDirectory = "/usr/share/wordnet"

    let indexLines: [String: Substring]
    let data: [UInt8]
    let dataFile: String

    /// A database from the contents of index.noun and data.noun (names used in error messages).
    public init(indexNoun: String, dataNoun: [UInt8], indexFile: String = "index.noun", dataFile: String = "data.noun") {
        var lines: [String: Substring] = [:]
        for line in indexNoun.split(separator: "\n") where !line.hasPrefix(" ") {
            if let space = line.firstIndex(of: " ") { lines[String(line[..<space])] = line }
        }
        indexLines = lines
        data = dataNoun
        self.dataFile = dataFile
    }

    /// Reads `directory`/index.noun and data.noun.
    public init(directory: String = WordNet.debianDirectory) throws {
        let indexPath = directory + "/index.noun", dataPath = directory + "/data.noun"
        guard let index = FileManager.default.contents(atPath: indexPath),
              let dataBytes = FileManager.default.contents(atPath: dataPath) else {
            throw LabelGraphError.wordNet(file: directory,
                message: "no WordNet noun database (index.noun, data.noun) here. Fix: `apt-get install wordnet-base` or pass its directory.")
        }
        self.init(indexNoun: try StrictText.decode(index, file: indexPath), dataNoun: [UInt8](dataBytes),
                  indexFile: indexPath, dataFile: dataPath)
    }

    /// The lemma WordNet files a name under: lowercased, spaces and hyphens as `_`.
    public static func lemma(_ name: String) -> String {
        name.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: "_")
    }

    /// The noun senses of a name, most frequent first (empty when WordNet has no noun by that name).
    public func senses(of name: String) -> [Int] {
        let key = Self.lemma(name)
        let candidates = [key, key.replacingOccurrences(of: "-", with: "_"), key.replacingOccurrences(of: "-", with: "")]
        guard let line = candidates.lazy.compactMap({ indexLines[$0] }).first else { return [] }
        let fields = line.split(separator: " ")
        guard fields.count >= 4, let synsetCount = Int(fields[2]), fields.count >= synsetCount else { return [] }
        return fields.suffix(synsetCount).compactMap { Int($0) }
    }

    /// The synset whose line starts at byte `offset` of data.noun.
    public func synset(at offset: Int) throws -> Synset {
        guard offset >= 0 && offset < data.count else {
            throw LabelGraphError.wordNet(file: dataFile, message: "synset offset \(offset) is past the end of the file (\(data.count) bytes)")
        }
        var end = offset
        while end < data.count && data[end] != UInt8(ascii: "\n") { end += 1 }
        let line = try StrictText.decode(data[offset ..< end], file: dataFile, firstOffset: offset)  // lemmas: strict
        let body = line.split(separator: "|", maxSplits: 1).first ?? ""
        let f = body.split(separator: " ")
        func bad(_ why: String) -> LabelGraphError {
            .wordNet(file: dataFile, message: "synset line at offset \(offset) \(why); is this a WordNet 3.0 data.noun?")
        }
        guard f.count >= 4, Int(f[0]) == offset else { throw bad("does not start with its own offset") }
        guard let wordCount = Int(f[3], radix: 16), f.count > 4 + 2 * wordCount,
              let pointerCount = Int(f[4 + 2 * wordCount]) else { throw bad("has a malformed word list") }
        let words = (0 ..< wordCount).map { String(f[4 + 2 * $0]) }
        let first = 5 + 2 * wordCount
        guard f.count >= first + 4 * pointerCount else { throw bad("has fewer pointers than p_cnt = \(pointerCount)") }
        var hypernyms: [Int] = []
        for p in 0 ..< pointerCount {
            let symbol = f[first + 4 * p], pos = f[first + 4 * p + 2]
            if (symbol == "@" || symbol == "@i") && pos == "n", let target = Int(f[first + 4 * p + 1]) {
                hypernyms.append(target)
            }
        }
        return Synset(offset: offset, words: words, hypernyms: hypernyms)
    }
}
