import Datasets
import Foundation
import Stages

/// `../shared/data/emoji-tags`: the MIRFlickr stand-in (1,849 emoji, 68 multi-label CLDR concepts, EmojiOne
/// keywords as an independent tag source, a train/test split by emoji), as an `AnnotationTable`.
///
/// Each emoji has up to two images, drawn by two vendors (Noto: all 1,849; EmojiOne: 1,369). An *item* of the
/// paper's runs is one image carrying its emoji's concepts, tags and split; `Rendering` says which images:
///
/// | rendering | train items | test items | what it measures |
/// | --- | --- | --- | --- |
/// | `both` (default) | both images of each train emoji (1,930) | both images of each test emoji (1,288) | MIRFlickr-like: every image is an item; both drawings of an emoji stay on one side |
/// | `noto` | Noto images of train emoji (1,109) | Noto images of test emoji (740) | one drawing style |
/// | `emojione` | EmojiOne images (821) | EmojiOne images (548) | one style, every item tagged |
/// | `cross` | Noto images of train emoji | EmojiOne images of test emoji | transfer across a style shift |
///
/// Tags exist only for emoji with an EmojiOne entry: a Noto-only emoji has an empty tag list (a zero tag vector),
/// like a Flickr photo without tags. Inputs: `emoji.csv` (`id`, `split`, `noto_file`, `emojione_file`),
/// `concepts.csv` and `tags.csv` (`id`, `|`-separated lists). Image paths are the archive's entry paths
/// (`noto/1f600.png`), so `extractImages` unpacks `emoji-tags.tar` into the folder `fisher --data` reads.
public enum EmojiTagsDataset {
    public enum Rendering: String, Sendable, CaseIterable {
        case both, noto, emojione, cross
    }

    /// The items of the dataset in `directory` (the folder holding `emoji.csv`), in `emoji.csv` order, Noto
    /// image before EmojiOne image.
    public static func load(directory: String, rendering: Rendering = .both) throws -> AnnotationTable {
        let emoji = try table(directory, "emoji.csv")
        let concepts = try listColumn(table(directory, "concepts.csv"), "concepts")
        let tags = try listColumn(table(directory, "tags.csv"), "tags")
        let id = try emoji.requireColumn("id"), split = try emoji.requireColumn("split")
        let noto = try emoji.requireColumn("noto_file"), emojione = try emoji.requireColumn("emojione_file")
        var items: [AnnotationTable.Item] = []
        for row in emoji.rows {
            let key = row.fields[id], side = row.fields[split]
            guard AnnotationTable.splits.contains(side) else {
                throw ManifestError.malformedCSV(path: emoji.name, line: row.line, reason: "split '\(side)' is not train/test")
            }
            var files: [String] = []
            switch rendering {
            case .both: files = [row.fields[noto], row.fields[emojione]]
            case .noto: files = [row.fields[noto]]
            case .emojione: files = [row.fields[emojione]]
            case .cross: files = [side == "train" ? row.fields[noto] : row.fields[emojione]]
            }
            for file in files where !file.isEmpty {
                items.append(.init(path: file, concepts: concepts[key] ?? [], tags: tags[key] ?? [], split: side))
            }
        }
        guard !items.isEmpty else { throw ManifestError.noImages(path: emoji.name) }
        return AnnotationTable(source: "emoji-tags (\(rendering.rawValue)) in \(directory)", items: items)
    }

    /// Unpacks the PNG entries of `archive` (`emoji-tags.tar`) under `folder`, keeping their paths.
    public static func extractImages(archive: String, to folder: String) throws -> Int {
        guard regularFileExists(archive) else {
            throw PipelineError.missingInput(path: archive, producer: "a copy of ../shared/data/emoji-tags (see --data)")
        }
        let tar = try TarReader(contentsOfFile: archive)  // member by member: one PNG in memory at a time
        var written = 0
        while let entry = try tar.next() {
            guard entry.path.hasSuffix(".png") else { continue }
            let target = URL(fileURLWithPath: folder).appendingPathComponent(entry.path)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(tar.contents(of: entry)).write(to: target)
            written += 1
        }
        return written
    }

    static func table(_ directory: String, _ file: String) throws -> CSVTable {
        let path = URL(fileURLWithPath: directory).appendingPathComponent(file).path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PipelineError.missingInput(path: path, producer: "a copy of ../shared/data/emoji-tags (--data names that folder)")
        }
        return try CSVTable.parse([UInt8](data), name: path)
    }

    /// id → `|`-separated list of `column` (lookup only, never iterated).
    static func listColumn(_ table: CSVTable, _ column: String) throws -> [String: [String]] {
        let id = try table.requireColumn("id"), values = try table.requireColumn(column)
        var out: [String: [String]] = [:]
        for row in table.rows { out[row.fields[id]] = AnnotationTable.splitList(row.fields[values]) }
        return out
    }
}
