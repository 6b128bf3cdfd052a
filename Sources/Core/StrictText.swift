import Foundation

/// Text read from a file, decoded strictly: the ONE place where bytes of a labels CSV, a class map, a label graph,
/// an outline, a tar entry name or a Debian stanza become `String`s.
///
/// Rules:
/// - the bytes must be valid UTF-8 (Unicode 6.3 § 3.9: no stray continuation byte, no overlong form, no
///   surrogate, nothing above U+10FFFF). Swift's `String(decoding:as:)` would replace each bad sequence with
///   U+FFFD, so `café` and `cafè` written in Latin-1 would both become `caf\u{FFFD}`: one class instead of two.
///   Here they are an error instead, naming the file, the line and the byte offset, and the fix (`iconv`);
/// - a NUL byte is an error too (C APIs and HDF5 strings stop at it, so `a\0x` and `a\0y` would be stored as `a`).
///
/// Document BODIES of the folder and archive corpora (news text) are not decoded here: they may hold a stray
/// Latin-1 byte and keep their documented fallback (`TextCorpus.decodeText`, counted in `TextCorpus.latin1Documents`).
///
/// ```swift
/// let text = try StrictText.decode(bytes, file: "labels.csv")    // throws TextDecodingError
/// let graph = try StrictText.contentsOfFile("a.graph")          // nil when the file cannot be read
/// ```
public enum StrictText {
    /// `bytes` as a `String`, or a `TextDecodingError` at the first invalid UTF-8 sequence or NUL byte.
    /// `firstLine` and `firstOffset` place `bytes` inside a larger file (for messages only).
    public static func decode<Bytes: Collection>(
        _ bytes: Bytes, file: String, firstLine: Int = 1, firstOffset: Int = 0
    ) throws(TextDecodingError) -> String where Bytes.Element == UInt8 {
        // Fast path: valid UTF-8 without NUL (every well-formed input) decodes once, bit for bit as before.
        if !bytes.contains(0), let text = String(validating: bytes, as: UTF8.self) { return text }
        var problem = firstProblem(in: bytes)!  // the fast path failed, so there is one
        problem.file = file
        problem.line += firstLine - 1
        problem.byteOffset += firstOffset
        throw problem
    }

    /// Throws a `TextDecodingError` at the first invalid UTF-8 sequence or NUL byte of `bytes` (the file `file`).
    public static func validate<Bytes: Collection>(_ bytes: Bytes, file: String) throws(TextDecodingError)
        where Bytes.Element == UInt8 {
        _ = try decode(bytes, file: file)
    }

    /// The first invalid UTF-8 sequence or NUL byte in `bytes` (file name left empty), or nil when there is none.
    public static func firstProblem<Bytes: Collection>(in bytes: Bytes) -> TextDecodingError? where Bytes.Element == UInt8 {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0, line = 1
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                if encoded.count == 1 {
                    if encoded.first == 0 { return TextDecodingError(file: "", line: line, byteOffset: offset, problem: .nul) }
                    if encoded.first == UInt8(ascii: "\n") { line += 1 }
                }
                offset += encoded.count
            case .error(let length):
                let bad = Array(bytes.dropFirst(offset).prefix(max(1, length)))
                return TextDecodingError(file: "", line: line, byteOffset: offset, problem: .invalidUTF8(bad))
            case .emptyInput:
                return nil
            }
        }
    }

    /// The strictly decoded contents of the file at `path`; nil when it cannot be read (missing, a folder, no
    /// permission), so the caller can name its own fix for that.
    public static func contentsOfFile(_ path: String) throws(TextDecodingError) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try decode(data, file: path)
    }
}

/// Text in a file that is not valid UTF-8, or holds a NUL byte: where (file, 1-based line, 0-based byte offset
/// from the start of the file) and the fix.
public struct TextDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Problem: Sendable, Equatable {
        /// An invalid UTF-8 sequence (its bytes: at most 4, never the text around it).
        case invalidUTF8([UInt8])
        /// A NUL byte (0x00).
        case nul
    }

    public var file: String
    public var line: Int
    public var byteOffset: Int
    public var problem: Problem

    public init(file: String, line: Int, byteOffset: Int, problem: Problem) {
        self.file = file
        self.line = line
        self.byteOffset = byteOffset
        self.problem = problem
    }

    public var description: String {
        switch problem {
        case .invalidUTF8(let bytes):
            let hex = bytes.map { b in (b < 16 ? "0" : "") + String(b, radix: 16, uppercase: true) }.joined(separator: " ")
            return "\(file):\(line): not valid UTF-8 at byte offset \(byteOffset) (byte\(bytes.count == 1 ? "" : "s") \(hex)); "
                + "text is never guessed or replaced, since two different names could become one: convert the file "
                + "to UTF-8, e.g. `iconv -f latin1 -t utf-8 in > out` (use the file's real encoding)"
        case .nul:
            return "\(file):\(line): a NUL byte (0x00) at byte offset \(byteOffset); names and labels cannot hold "
                + "NUL (it would cut them short): remove it, e.g. `tr -d '\\000' < in > out`, or fix the program "
                + "that wrote the file"
        }
    }
}
