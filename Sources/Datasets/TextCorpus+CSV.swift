import Foundation

/// A text corpus from a CSV file (RFC 4180, see `CSVReader`) with a header line naming its columns:
///
///     text,label
///     "Shares rose, then fell.",business
///     A quiet match at Lord's,cricket
///
/// Each row is a document with id `<path>:<N>` (N = the 1-based line the row starts on), text from `textColumn`
/// and one label from `labelColumn`; a label column holding `a;b` gives a multi-label document (`;`-separated,
/// empty items ignored). An optional `subset` column (`train` / `test`) gives a predefined split.
/// The file must be UTF-8 without NUL bytes (`StrictText`): its labels and ids live in the same file as the
/// texts, so a stray byte is an error naming the line and byte offset (`CorpusError.invalidText`), never guessed.
/// (Folder and archive corpora keep the Latin-1 fallback for document bodies: `TextCorpus.decodeText`.)
extension TextCorpus {
    public static func csv(path: String, textColumn: String = "text", labelColumn: String = "label",
                           emptyTexts policy: EmptyTextPolicy = .drop) throws(CorpusError) -> TextCorpus {
        guard FileManager.default.fileExists(atPath: path) else { throw .missingArchive(path: path) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(path: path, reason: "open failed")
        }
        let records = try CSVReader.records([UInt8](data), name: path,
                                            failure: { CorpusError.malformed(path: path, line: $0, reason: $1) },
                                            invalidText: { .invalidText($0) })
        guard let header = records.first else { throw .noDocuments(path: path, dropped: 0) }
        guard let textIndex = header.fields.firstIndex(of: textColumn) else {
            throw .missingColumn(path: path, column: textColumn, header: header.fields)
        }
        guard let labelIndex = header.fields.firstIndex(of: labelColumn) else {
            throw .missingColumn(path: path, column: labelColumn, header: header.fields)
        }
        let subsetIndex = header.fields.firstIndex(of: "subset")
        var documents: [TextDocument] = []
        for record in records.dropFirst() {
            guard record.fields.count == header.fields.count else {
                throw .malformed(path: path, line: record.line,
                                 reason: "\(record.fields.count) fields, the header has \(header.fields.count)")
            }
            let labels = record.fields[labelIndex].split(separator: ";").map {
                $0.trimmingCharacters(in: .whitespaces)
            }.filter { !$0.isEmpty }
            guard !labels.isEmpty else { throw .malformed(path: path, line: record.line, reason: "empty label") }
            let subset = subsetIndex.map { record.fields[$0] }.flatMap { $0.isEmpty ? nil : $0 }
            documents.append(TextDocument(id: "\(path):\(record.line)", text: record.fields[textIndex],
                                          labels: labels, subset: subset))
        }
        return try TextCorpus(source: path, documents: documents, emptyTexts: policy)
    }
}
