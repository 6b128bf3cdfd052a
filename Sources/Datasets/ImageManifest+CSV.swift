import Foundation

/// Reading a manifest from a labels CSV.
///
/// Format: UTF-8 RFC 4180 CSV (`CSVReader`: quotes, `""`, commas inside quotes, LF or CRLF). The first line is
/// the header; it must contain the path column and the labels column (by default `path` and `labels`; other
/// columns are ignored, so `filename,label,split,class_name` works with `pathColumn: "filename",
/// labelsColumn: "class_name"`). Each row's labels field holds one label or several separated by `;`,
/// whitespace around each label trimmed. Relative paths are relative to the CSV's folder, and every path must
/// stay under that folder (`DatasetPath`: no `../` or absolute path out of it) unless `allowOutsidePaths`.
///
/// Checked, each failing with a `ManifestError` that names the file and line: the CSV exists and parses; header
/// and columns present; every row has as many fields as the header; no empty path or label; every image exists;
/// no image listed twice (compared after resolving `./` and `../`); at least one row.
extension ImageManifest {
    public static func load(
        csv path: String, pathColumn: String = "path", labelsColumn: String = "labels",
        labelSeparator: Character = ";", allowOutsidePaths: Bool = false
    ) throws(ManifestError) -> ImageManifest {
        let files = FileManager.default
        var isDirectory: ObjCBool = false
        guard files.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw .missingCSV(path: path)
        }
        let bytes: [UInt8]
        do {
            bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw .unreadable(path: path, reason: (error as NSError).localizedDescription)
        }
        let records = try CSVReader.records(bytes, name: path, failure: { ManifestError.malformedCSV(path: path, line: $0, reason: $1) },
                                            invalidText: { .invalidText($0) })

        guard let header = records.first else { throw .missingHeader(path: path) }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces) }
        guard let pathIndex = names.firstIndex(of: pathColumn) else {
            throw .missingColumn(path: path, column: pathColumn, header: names)
        }
        guard let labelsIndex = names.firstIndex(of: labelsColumn) else {
            throw .missingColumn(path: path, column: labelsColumn, header: names)
        }

        let folder = URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent()
        var entries: [Entry] = []
        var firstLine: [String: Int] = [:]  // resolved path → line; lookup only, never iterated
        for record in records.dropFirst() {
            guard record.fields.count == names.count else {
                throw .malformedCSV(path: path, line: record.line,
                                    reason: "\(record.fields.count) fields, the header has \(names.count)")
            }
            let image = record.fields[pathIndex]
            guard !image.isEmpty else { throw .malformedCSV(path: path, line: record.line, reason: "empty path") }
            let labels = record.fields[labelsIndex].split(separator: labelSeparator, omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard !labels.contains(where: \.isEmpty) else { throw .emptyLabel(path: path, line: record.line) }

            let resolved = try DatasetPath.resolve(image, under: folder, allowOutside: allowOutsidePaths, listing: path,
                                                   line: record.line)
            var imageIsDirectory: ObjCBool = false
            guard files.fileExists(atPath: resolved, isDirectory: &imageIsDirectory), !imageIsDirectory.boolValue else {
                throw .missingImage(path: path, line: record.line, image: image, resolved: resolved)
            }
            if let first = firstLine[resolved] {
                throw .duplicatePath(path: path, line: record.line, firstLine: first, image: image)
            }
            firstLine[resolved] = record.line
            entries.append(Entry(path: resolved, labels: labels))
        }
        guard !entries.isEmpty else { throw .noImages(path: path) }
        return ImageManifest(entries: entries)
    }
}
