/// Reading tar archives (POSIX ustar and GNU), so datasets can be used straight from the `.tar` / `.tar.gz`
/// files they ship as (Flowers17/102 tarballs, the BBC and 20 Newsgroups corpora), without unpacking.
///
/// Format: a sequence of 512-byte headers, each followed by the file's bytes padded to a multiple of 512; two
/// zero blocks end the archive. Header fields used here: name (0..<100), size (124..<136, octal, or base-256
/// when the top bit is set), type flag (156: '0' or NUL = regular file, '5' = directory, 'L' = GNU long name
/// for the next entry, 'x'/'g' = pax headers whose `path=` record overrides the next name), checksum (148..<156),
/// and the ustar prefix (345..<500) joined to the name with '/'.
///
/// Only regular files are returned, in archive order. A header with a bad checksum or an entry running past
/// the end of the data is reported as a corrupt or truncated archive, naming the archive and the entry.
public struct TarArchive: Sendable {
    /// One regular file in the archive.
    public struct Entry: Sendable, Equatable {
        /// The path inside the archive (as stored, e.g. `bbc/business/001.txt`).
        public let path: String
        /// The file's byte range inside `TarArchive.bytes`.
        public let range: Range<Int>
    }

    /// The archive's raw bytes (uncompressed).
    public let bytes: [UInt8]
    /// Regular files, in archive order.
    public let entries: [Entry]

    /// Parses `bytes` (an uncompressed tar archive); `name` is used in error messages.
    public init(bytes: [UInt8], name: String) throws(TarError) {
        self.bytes = bytes
        var entries: [Entry] = []
        var offset = 0
        var pendingName: String?
        var ended = false
        while offset + 512 <= bytes.count {
            let header = bytes[offset ..< offset + 512]
            if header.allSatisfy({ $0 == 0 }) {  // end-of-archive marker
                ended = true
                break
            }
            guard TarArchive.checksumMatches(header) else { throw TarError.corrupt(archive: name, offset: offset) }
            let size = try TarArchive.size(header, archive: name, offset: offset)
            let type = header[header.startIndex + 156]
            let dataStart = offset + 512
            guard dataStart + size <= bytes.count else {
                throw TarError.truncated(archive: name, entry: TarArchive.path(header))
            }
            let data = dataStart ..< dataStart + size
            switch type {
            case UInt8(ascii: "L"):
                pendingName = TarArchive.cString(bytes[data])
            case UInt8(ascii: "x"):
                pendingName = TarArchive.paxPath(bytes[data]) ?? pendingName
            case UInt8(ascii: "0"), 0, UInt8(ascii: "7"):
                entries.append(Entry(path: pendingName ?? TarArchive.path(header), range: data))
                pendingName = nil
            default:
                pendingName = nil  // directories, links, global pax headers: nothing to read
            }
            offset = dataStart + (size + 511) / 512 * 512
        }
        if !ended && offset < bytes.count {  // a partial header block: the archive was cut
            throw TarError.truncated(archive: name, entry: "the header at byte \(offset)")
        }
        self.entries = entries
    }

    /// Reads a `.tar`, or a `.tar.gz` / `.tgz` (detected by the gzip magic bytes), from `path`.
    public init(contentsOfFile path: String) throws {
        var raw = try Gzip.readFile(path)
        if raw.count >= 2 && raw[0] == 0x1f && raw[1] == 0x8b { raw = try Gzip.decompress(raw, name: path) }
        try self.init(bytes: raw, name: path)
    }

    /// The bytes of `entry`.
    public func contents(of entry: Entry) -> ArraySlice<UInt8> { bytes[entry.range] }

    // MARK: - Header fields

    private static func cString(_ field: ArraySlice<UInt8>) -> String {
        let end = field.firstIndex(of: 0) ?? field.endIndex
        return String(decoding: field[field.startIndex ..< end], as: UTF8.self)
    }

    private static func path(_ header: ArraySlice<UInt8>) -> String {
        let base = header.startIndex
        let name = cString(header[base ..< base + 100])
        let isUstar = cString(header[base + 257 ..< base + 262]) == "ustar"
        let prefix = isUstar ? cString(header[base + 345 ..< base + 500]) : ""
        return prefix.isEmpty ? name : prefix + "/" + name
    }

    private static func size(_ header: ArraySlice<UInt8>, archive: String, offset: Int) throws(TarError) -> Int {
        let field = header[header.startIndex + 124 ..< header.startIndex + 136]
        if let first = field.first, first & 0x80 != 0 {  // GNU base-256 for sizes ≥ 8 GiB
            return field.dropFirst().reduce(Int(first & 0x7f)) { $0 << 8 | Int($1) }
        }
        let text = cString(field).trimmingCharacters(in: " ")
        guard let size = Int(text.isEmpty ? "0" : text, radix: 8) else { throw TarError.corrupt(archive: archive, offset: offset) }
        return size
    }

    /// The unsigned sum of the header bytes with the checksum field read as spaces.
    private static func checksumMatches(_ header: ArraySlice<UInt8>) -> Bool {
        let base = header.startIndex
        var sum = 0
        for i in 0 ..< 512 { sum += (148 ..< 156).contains(i) ? 32 : Int(header[base + i]) }
        let stored = cString(header[base + 148 ..< base + 156]).trimmingCharacters(in: " ")
        return Int(stored, radix: 8) == sum
    }

    /// The `path=` record of a pax extended header ("<length> path=<value>\n" records).
    private static func paxPath(_ data: ArraySlice<UInt8>) -> String? {
        for record in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            guard let space = record.firstIndex(of: " ") else { continue }
            let keyValue = record[record.index(after: space)...]
            if keyValue.hasPrefix("path=") { return String(keyValue.dropFirst(5)) }
        }
        return nil
    }
}

extension String {
    fileprivate func trimmingCharacters(in character: Character) -> String {
        var s = Substring(self)
        while s.first == character { s = s.dropFirst() }
        while s.last == character { s = s.dropLast() }
        return String(s)
    }
}

/// Errors reading tar archives; each names the archive and the fix.
public enum TarError: Error, Equatable, CustomStringConvertible {
    case corrupt(archive: String, offset: Int)
    case truncated(archive: String, entry: String)

    public var description: String {
        switch self {
        case let .corrupt(archive, offset):
            return "\(archive) is not a valid tar archive (bad header at byte \(offset)): re-download it"
        case let .truncated(archive, entry):
            return "\(archive) is truncated inside '\(entry)': re-download it"
        }
    }
}
