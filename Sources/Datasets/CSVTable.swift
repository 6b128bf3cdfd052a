import Foundation

/// A CSV file read as a header and rows of fields, with columns looked up by name, and the matching writer.
///
/// Parsing is `CSVReader`'s RFC 4180 (quoted fields, `""` escapes, CRLF, BOM); every row must have as many
/// fields as the header. Fields are trimmed of spaces and tabs. Used by the annotation datasets
/// (`concepts.csv`, `tags.csv`, `images.csv`), whose columns are found by name rather than by position.
///
/// ```swift
/// let table = try CSVTable.parse(bytes, name: "concepts.csv")
/// let id = try table.requireColumn("id")
/// for row in table.rows { print(row.fields[id]) }
/// ```
public struct CSVTable: Sendable, Equatable {
    /// One data row: its fields and its 1-based line (the header is line 1).
    public struct Row: Sendable, Equatable {
        public let fields: [String]
        public let line: Int
    }

    /// The file name used in messages.
    public let name: String
    /// The header's column names.
    public let header: [String]
    /// The data rows in file order.
    public let rows: [Row]

    /// Parses CSV `bytes` (a header line, then rows); `name` is used in error messages.
    public static func parse(_ bytes: [UInt8], name: String) throws(ManifestError) -> CSVTable {
        let records = try CSVReader.records(bytes, name: name, failure: { ManifestError.malformedCSV(path: name, line: $0, reason: $1) },
                                            invalidText: { .invalidText($0) })
        guard let first = records.first else { throw .missingHeader(path: name) }
        let header = first.fields.map { $0.trimmingWhitespace() }
        var rows: [Row] = []
        for record in records.dropFirst() {
            guard record.fields.count == header.count else {
                throw .malformedCSV(path: name, line: record.line,
                                    reason: "\(record.fields.count) fields, the header has \(header.count)")
            }
            rows.append(Row(fields: record.fields.map { $0.trimmingWhitespace() }, line: record.line))
        }
        return CSVTable(name: name, header: header, rows: rows)
    }

    /// The index of column `column`, or a `missingColumn` error naming the file and its header.
    public func requireColumn(_ column: String) throws(ManifestError) -> Int {
        guard let index = header.firstIndex(of: column) else {
            throw .missingColumn(path: name, column: column, header: header)
        }
        return index
    }

    /// One CSV line (with `\n`) of `fields`, quoting a field only when it holds `,`, `"`, CR or LF (as Python's
    /// `csv` module does).
    public static func line(_ fields: [String]) -> String {
        fields.map { field in
            guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
            return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }.joined(separator: ",") + "\n"
    }
}
