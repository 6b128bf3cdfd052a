import Core

/// A minimal RFC 4180 CSV reader: records of string fields, each with the line it starts on.
///
/// Rules (RFC 4180, plus what spreadsheets write):
/// - fields are separated by `,`; records end at LF or CRLF; a UTF-8 byte-order mark at the start is skipped;
/// - a field that starts with `"` is quoted: it may contain `,`, `"` written as `""`, and line breaks, and it
///   ends at the next lone `"`, which must be followed by `,`, a line end or the end of the file;
/// - a `"` inside an unquoted field is kept literally (as Python's `csv` does);
/// - blank lines are skipped; fields are not trimmed.
///
/// It works on UTF-8 bytes: the structural characters are ASCII, so multi-byte characters pass through intact.
/// The bytes are checked first by `StrictText` (Core): text that is not valid UTF-8, or a NUL byte, is an
/// `invalidText` failure naming the file, the line and the byte offset; nothing is ever replaced with U+FFFD.
struct CSVReader {
    /// One record and the 1-based line number its first field starts on (for error messages).
    struct Record: Equatable {
        let line: Int
        let fields: [String]
    }

    enum Failure: Error, Equatable {
        case unterminatedQuote(line: Int)
        case textAfterClosingQuote(line: Int)
        /// Not valid UTF-8, or a NUL byte (see `StrictText`).
        case invalidText(TextDecodingError)
    }

    /// `records(bytes, name:)` with a failure turned into the caller's error: `failure(line, reason)` for the CSV
    /// syntax (the reasons are worded here once for every CSV reader), `invalidText` for bytes that are not UTF-8.
    static func records<E: Error>(_ bytes: [UInt8], name: String, failure: (_ line: Int, _ reason: String) -> E,
                                  invalidText: (TextDecodingError) -> E) throws(E) -> [Record] {
        do {
            return try records(bytes, name: name)
        } catch {
            switch error {
            case .unterminatedQuote(let line): throw failure(line, "a quoted field is never closed")
            case .textAfterClosingQuote(let line): throw failure(line, "text after a closing quote")
            case .invalidText(let problem): throw invalidText(problem)
            }
        }
    }

    /// The records of `bytes`; `name` (the file) is used in `invalidText` failures.
    static func records(_ bytes: [UInt8], name: String = "<csv>") throws(Failure) -> [Record] {
        do { try StrictText.validate(bytes, file: name) } catch { throw .invalidText(error) }
        let comma = UInt8(ascii: ","), quote = UInt8(ascii: "\""), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        var records: [Record] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var line = 1, recordLine = 1
        var i = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0

        func endRecord() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            if !(fields.count == 1 && fields[0].isEmpty) { records.append(Record(line: recordLine, fields: fields)) }
            fields.removeAll(keepingCapacity: true)
        }

        var atFieldStart = true
        while i < bytes.count {
            let byte = bytes[i]
            if atFieldStart && byte == quote {
                // Quoted field: read to the closing quote.
                let openedOn = line
                i += 1
                while true {
                    guard i < bytes.count else { throw .unterminatedQuote(line: openedOn) }
                    if bytes[i] == quote {
                        if i + 1 < bytes.count && bytes[i + 1] == quote { field.append(quote); i += 2; continue }
                        i += 1
                        break
                    }
                    if bytes[i] == lf { line += 1 }
                    field.append(bytes[i])
                    i += 1
                }
                let isCRLF = i + 1 < bytes.count && bytes[i] == cr && bytes[i + 1] == lf
                guard i == bytes.count || bytes[i] == comma || bytes[i] == lf || isCRLF else {
                    throw .textAfterClosingQuote(line: line)
                }
                atFieldStart = false
                continue
            }
            atFieldStart = false
            if byte == comma {
                fields.append(String(decoding: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
                atFieldStart = true
            } else if byte == lf || (byte == cr && i + 1 < bytes.count && bytes[i + 1] == lf) {
                endRecord()
                if byte == cr { i += 1 }
                line += 1
                recordLine = line
                atFieldStart = true
            } else {
                field.append(byte)
            }
            i += 1
        }
        if !field.isEmpty || !fields.isEmpty { endRecord() }
        return records
    }
}
