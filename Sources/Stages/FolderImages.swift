import Datasets
import Features
import Foundation

/// PNG/JPEG files on disk as an `ImageCollection`.
///
/// Two layouts:
/// - `labelsCSV` given: the CSV lists the images (`LabelsTable` columns: path ← `path|filename|file|image`,
///   label ← `labels|class_name|label|class`, optional `split`); relative paths are relative to `root`
///   (the `--data` folder) and must stay under it (`DatasetPath`) unless `allowOutsidePaths`. Rows are kept in
///   file order; with `split`, only rows whose split column equals it.
/// - `labelsCSV` nil: one subfolder of images per class (`ImageManifest.fromClassFolders`), sorted.
///
/// Every listed file must exist when the collection is opened (`PipelineError.missingImage` names the CSV
/// line); a file that exists but does not decode fails later, in `image(at:)`, with an `ImageError` naming it.
/// Class names are the sorted distinct labels; ids are the paths as listed (relative to `root`).
public struct FolderImages: ImageCollection {
    public let root: String
    /// Absolute paths, one per image.
    public let paths: [String]
    /// Paths as listed (the ids).
    public let listed: [String]
    public let classNames: [String]
    public let labels: [Int]

    public init(root: String, labelsCSV: String?, split: String?, allowOutsidePaths: Bool = false) throws {
        self.root = root
        let rootURL = URL(fileURLWithPath: root).standardizedFileURL
        var rows: [(listed: String, path: String, label: String)] = []
        if let labelsCSV {
            guard regularFileExists(labelsCSV) else { throw ManifestError.missingCSV(path: labelsCSV) }
            guard let data = FileManager.default.contents(atPath: labelsCSV) else {
                throw ManifestError.unreadable(path: labelsCSV, reason: "permission denied or not a file")
            }
            let table = try LabelsTable.parse([UInt8](data), name: labelsCSV)
            try Self.checkSplit(split, table: table, name: labelsCSV)
            for row in table.rows where split == nil || row.split == split {
                // Checked under the root first: a CSV naming `/etc/passwd` or `../../x` stops here, before any read.
                // The path kept is spelled as before (absolute as written, else root + path), so ids are unchanged.
                _ = try DatasetPath.resolve(row.path, under: rootURL, allowOutside: allowOutsidePaths, listing: labelsCSV,
                                            line: row.line)
                let path = row.path.hasPrefix("/") ? row.path : rootURL.appendingPathComponent(row.path).path
                guard regularFileExists(path) else {
                    throw PipelineError.missingImage(listing: labelsCSV, line: row.line, image: path)
                }
                rows.append((row.path, path, row.label))
            }
        } else {
            let manifest = try ImageManifest.fromClassFolders(root: root)
            let prefix = rootURL.path + "/"
            for entry in manifest.entries {
                let relative = entry.path.hasPrefix(prefix) ? String(entry.path.dropFirst(prefix.count)) : entry.path
                rows.append((relative, entry.path, entry.labels.first ?? ""))
            }
        }
        let classes = Array(Set(rows.map(\.label))).sorted()
        let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })  // lookup only
        self.paths = rows.map(\.path)
        self.listed = rows.map(\.listed)
        self.classNames = classes
        self.labels = rows.map { index[$0.label]! }
    }

    /// Throws when `split` is asked for but the CSV has no split column.
    static func checkSplit(_ split: String?, table: LabelsTable, name: String) throws {
        guard let split, !table.hasSplit else { return }
        throw PipelineError.invalidParameter(
            name: "--split", value: split, rule: "\(name) has no `split` column; leave --split out to use every row")
    }

    public var count: Int { paths.count }
    public func label(at index: Int) -> Int { labels[index] }
    public func id(at index: Int) -> String { listed[index] }

    public func image(at index: Int) throws -> ImagePlanes {
        let image = try ImageDecoder.decode(contentsOfFile: paths[index], extraBytesPerPixel: ImagePlanes.workingBytesPerPixel)
        return try ImagePlanes(width: image.width, height: image.height, rgb: image.pixels)
    }
}

/// The PNG/JPEG entries of a `.tar` / `.tar.gz` archive as an `ImageCollection`, listed by a labels CSV
/// inside the same archive (Flowers17: `labels.csv` with `filename,label,class_name`; Flowers102 adds `split`).
///
/// The archive is never unpacked nor held in memory: `init` lists its entries in one streamed pass (`TarReader`,
/// reading only the CSV), and `image(at:)` reads one entry through a `TarMemberCursor` (one pass when images are
/// asked for in archive order) and decodes it. An entry larger than the memory budget is refused before it is
/// read (`TarError.overMemoryBudget`); errors name `archive:entry`. The CSV entry is found by exact path, else by its last
/// path component (`labels.csv` matches `flowers17/labels.csv`).
public struct TarImages: ImageCollection {
    public let archivePath: String
    /// The archive's regular files, in archive order.
    public let archiveEntries: [TarArchive.Entry]
    private let cursor: TarMemberCursor
    /// Entry index in `archiveEntries`, one per image.
    public let entries: [Int]
    public let classNames: [String]
    public let labels: [Int]

    public init(archive archivePath: String, labelsEntry: String, split: String?) throws {
        guard regularFileExists(archivePath) else {
            throw PipelineError.missingInput(path: archivePath, producer: "a download of the dataset (see --data)")
        }
        // One pass: every entry's path and range, and the CSV's bytes (an exact match beats a suffix match).
        let reader = try TarReader(contentsOfFile: archivePath)
        var archiveEntries: [TarArchive.Entry] = []
        var csv: (entry: TarArchive.Entry, bytes: [UInt8], exact: Bool)?
        while let entry = try reader.next() {
            archiveEntries.append(entry)
            let exact = entry.path == labelsEntry
            if exact && csv?.exact != true || csv == nil && entry.path.hasSuffix("/" + labelsEntry) {
                csv = (entry, try reader.contents(of: entry), exact)
            }
        }
        guard let (csvEntry, csvBytes, _) = csv else {
            throw PipelineError.invalidParameter(
                name: "--labels-csv", value: labelsEntry,
                rule: "\(archivePath) has no entry named \(labelsEntry); name the labels CSV inside the archive")
        }
        let name = archivePath + ":" + csvEntry.path
        let table = try LabelsTable.parse(csvBytes, name: name)
        try FolderImages.checkSplit(split, table: table, name: name)
        var byPath: [String: Int] = [:]  // lookup only, never iterated
        for (i, entry) in archiveEntries.enumerated() { byPath[entry.path] = i }
        let folder = csvEntry.path.contains("/") ? String(csvEntry.path[..<csvEntry.path.lastIndex(of: "/")!]) + "/" : ""
        var entries: [Int] = [], names: [String] = []
        for row in table.rows where split == nil || row.split == split {
            guard let i = byPath[row.path] ?? byPath[folder + row.path] else {
                throw PipelineError.missingImage(listing: name, line: row.line, image: row.path)
            }
            entries.append(i)
            names.append(row.label)
        }
        let classes = Array(Set(names)).sorted()
        let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })  // lookup only
        self.archivePath = archivePath
        self.archiveEntries = archiveEntries
        self.cursor = TarMemberCursor(path: archivePath)
        self.entries = entries
        self.classNames = classes
        self.labels = names.map { index[$0]! }
    }

    public var count: Int { entries.count }
    public func label(at index: Int) -> Int { labels[index] }
    public func id(at index: Int) -> String { archiveEntries[entries[index]].path }

    public func image(at index: Int) throws -> ImagePlanes {
        let entry = archiveEntries[entries[index]]
        let image = try ImageDecoder.decode(try cursor.contents(of: entry), name: archivePath + ":" + entry.path,
                                            extraBytesPerPixel: ImagePlanes.workingBytesPerPixel)
        return try ImagePlanes(width: image.width, height: image.height, rgb: image.pixels)
    }
}
