/// A labels CSV read as a table: a header of column names and rows of fields, with the columns an image
/// dataset needs found by name among common spellings.
///
/// Used where `ImageManifest.load(csv:)` does not fit: a labels CSV *inside* a tar archive (Flowers17/102 ship
/// `labels.csv` with `filename,label,class_name` and, for Flowers102, a `split` column), or a CSV whose columns
/// are named differently from `path,labels`.
///
/// Column lookup (first match wins): path ← `path`, `filename`, `file`, `image`; label ← `labels`, `class_name`,
/// `label`, `class`; split ← `split`. Parsing is `CSVReader`'s RFC 4180; every row must have as many fields as
/// the header. Errors are `ManifestError`s naming the CSV (and the line).
///
/// ```swift
/// let table = try LabelsTable.parse(bytes, name: "flowers17.tar:labels.csv")
/// for row in table.rows { print(row.path, row.label, row.split ?? "-") }
/// ```
public struct LabelsTable: Sendable, Equatable {
    /// One image row: its path as written, its label (the whole field, trimmed) and its split if the CSV has one.
    public struct Row: Sendable, Equatable {
        public let path: String
        public let label: String
        public let split: String?
        /// 1-based line in the CSV (the header is line 1).
        public let line: Int
    }

    public static let pathColumns = ["path", "filename", "file", "image"]
    public static let labelColumns = ["labels", "class_name", "label", "class"]

    /// The header's column names, trimmed.
    public let header: [String]
    /// The rows in file order.
    public let rows: [Row]

    /// Parses CSV `bytes`; `name` is used in error messages.
    public static func parse(_ bytes: [UInt8], name: String) throws(ManifestError) -> LabelsTable {
        let table = try CSVTable.parse(bytes, name: name)
        let header = table.header
        guard let pathIndex = pathColumns.lazy.compactMap({ header.firstIndex(of: $0) }).first else {
            throw .missingColumn(path: name, column: pathColumns.joined(separator: "|"), header: header)
        }
        guard let labelIndex = labelColumns.lazy.compactMap({ header.firstIndex(of: $0) }).first else {
            throw .missingColumn(path: name, column: labelColumns.joined(separator: "|"), header: header)
        }
        let splitIndex = header.firstIndex(of: "split")
        var rows: [Row] = []
        for record in table.rows {  // fields already trimmed, field counts already checked by CSVTable
            let path = record.fields[pathIndex]
            let label = record.fields[labelIndex]
            guard !path.isEmpty else { throw .malformedCSV(path: name, line: record.line, reason: "empty path") }
            guard !label.isEmpty else { throw .emptyLabel(path: name, line: record.line) }
            rows.append(Row(path: path, label: label, split: splitIndex.map { record.fields[$0] }, line: record.line))
        }
        guard !rows.isEmpty else { throw .noImages(path: name) }
        return LabelsTable(header: header, rows: rows)
    }

    /// True when the CSV has a `split` column.
    public var hasSplit: Bool { header.contains("split") }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\t" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\t" { s = s.dropLast() }
        return String(s)
    }
}
