import Datasets
import Foundation
import Storage
#if canImport(Glibc)
import Glibc
#endif

/// The items of an annotation dataset, one row per image: its path, its concepts (ground truth, any number),
/// its tags (an independent text source, possibly none) and its split. This is what `tributary annotate`
/// joins with the Fisher vectors of `fv.h5`.
///
/// File `images.csv` (written by `tributary annotate manifest`, or by hand for any other dataset):
///
/// | column | meaning |
/// | --- | --- |
/// | `path` | the image, relative to the `--data` folder given to `tributary fisher` (= the `ids` of `fv.h5`) |
/// | `labels` | the concepts joined by `;` (`none` when there is none): what `fisher` stores as a class name |
/// | `split` | `train` or `test` |
/// | `concepts` | the concepts, separated by `|` (empty: no concept) |
/// | `tags` | the tags, separated by `|` (empty: no tag) |
///
/// The file has the columns `LabelsTable` looks for (`path`, `labels`, `split`), so the same file drives
/// `tributary fisher --dataset folder --labels-csv images.csv`. A **single-label** dataset (Flowers17) is
/// the case where every item has exactly one concept; `annotate eval` then also reports accuracy and macro-F1.
public struct AnnotationTable: Sendable, Equatable {
    public struct Item: Sendable, Equatable {
        public var path: String
        public var concepts: [String]
        public var tags: [String]
        public var split: String

        public init(path: String, concepts: [String], tags: [String], split: String) {
            self.path = path
            self.concepts = concepts
            self.tags = tags
            self.split = split
        }
    }

    public static let columns = ["path", "labels", "split", "concepts", "tags"]
    public static let splits = ["train", "test"]

    /// The file it was read from (for messages), or a description of its source.
    public var source: String
    public var items: [Item]

    public init(source: String, items: [Item]) {
        self.source = source
        self.items = items
    }

    /// Every concept of any item, sorted by byte order.
    public var conceptNames: [String] {
        Array(Set(items.flatMap(\.concepts))).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// The concepts in one order for every file of a run: those of `classNames` (a dataset's class order, e.g.
    /// `fv.h5`'s `class_names`) first, in that order, then any others sorted by byte order.
    public func conceptNames(orderedLike classNames: [String]) -> [String] {
        let present = Set(conceptNames)
        var seen = Set<String>()
        let first = classNames.filter { present.contains($0) && seen.insert($0).inserted }
        return first + conceptNames.filter { !seen.contains($0) }
    }

    /// True when every item has exactly one concept.
    public var isSingleLabel: Bool { !items.isEmpty && items.allSatisfy { $0.concepts.count == 1 } }

    /// Reads `images.csv`; every row needs a non-empty path and a split of `train` or `test`.
    public static func read(_ path: String) throws -> AnnotationTable {
        guard regularFileExists(path) else {
            throw PipelineError.missingInput(path: path, producer: "`tributary annotate manifest` (or write it by hand: "
                + columns.joined(separator: ",") + ")")
        }
        let table = try CSVTable.parse([UInt8](FileManager.default.contents(atPath: path) ?? Data()), name: path)
        let c = try ["path", "split", "concepts", "tags"].map { try table.requireColumn($0) }
        var items: [Item] = []
        items.reserveCapacity(table.rows.count)
        for row in table.rows {
            let f = row.fields
            guard !f[c[0]].isEmpty else { throw ManifestError.malformedCSV(path: path, line: row.line, reason: "empty path") }
            guard splits.contains(f[c[1]]) else {
                throw ManifestError.malformedCSV(path: path, line: row.line,
                                                 reason: "split is '\(f[c[1]])'; it must be train or test")
            }
            items.append(Item(path: f[c[0]], concepts: splitList(f[c[2]]), tags: splitList(f[c[3]]), split: f[c[1]]))
        }
        guard !items.isEmpty else { throw ManifestError.noImages(path: path) }
        return AnnotationTable(source: path, items: items)
    }

    /// Writes the table as `images.csv` at `path` (a temporary file renamed into place).
    public func write(to path: String) throws {
        var text = CSVTable.line(Self.columns)
        for item in items {
            let labels = item.concepts.isEmpty ? "none" : item.concepts.joined(separator: ";")
            text += CSVTable.line([item.path, labels, item.split, item.concepts.joined(separator: "|"),
                                   item.tags.joined(separator: "|")])
        }
        try ShardedOutput.makeDirectory(containing: path)
        TemporaryFiles.removeStale(in: TemporaryFiles.folder(of: path))
        let temporary = TemporaryFiles.path(for: path)
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
            guard rename(temporary, path) == 0 else { throw CocoaError(.fileWriteUnknown) }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw PipelineError.invalidParameter(name: "--out", value: path, rule: "cannot be written (\(error))")
        }
    }

    /// `a|b|c` → ["a", "b", "c"]; the empty field → [].
    public static func splitList(_ field: String) -> [String] {
        field.isEmpty ? [] : field.split(separator: "|", omittingEmptySubsequences: true).map(String.init)
    }
}
