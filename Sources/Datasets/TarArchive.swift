import Core

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
///
/// Every number read from a header is range-checked before it is used (hostile input must throw, never trap):
/// an octal field must be octal digits (a `-` sign is refused), a base-256 size must be positive and fit in
/// `Int`, and every size must fit in the bytes left after its header (`TarError.badSize` otherwise). Names are
/// decoded strictly (`StrictText`): a name that is not UTF-8 or holds a NUL before its end is `TarError.badName`.
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
            let dataStart = offset + 512  // ≤ bytes.count (loop condition), so the subtraction below cannot wrap
            guard size <= bytes.count - dataStart else {
                throw TarError.truncated(archive: name, entry: try TarArchive.path(header, archive: name, offset: offset))
            }
            let data = dataStart ..< dataStart + size
            switch type {
            case UInt8(ascii: "L"):
                pendingName = try TarArchive.text(bytes[data], archive: name, offset: dataStart)
            case UInt8(ascii: "x"):
                pendingName = try TarArchive.paxPath(bytes[data], archive: name, offset: dataStart) ?? pendingName
            case UInt8(ascii: "0"), 0, UInt8(ascii: "7"):
                let path: String
                if let pendingName { path = pendingName } else { path = try TarArchive.path(header, archive: name, offset: offset) }
                entries.append(Entry(path: path, range: data))
                pendingName = nil
            default:
                pendingName = nil  // directories, links, global pax headers: nothing to read
            }
            offset = dataStart + (size + 511) / 512 * 512  // size ≤ bytes.count: no overflow
        }
        if !ended && offset < bytes.count {  // a partial header block: the archive was cut
            throw TarError.truncated(archive: name, entry: "the header at byte \(offset)")
        }
        self.entries = entries
    }

    /// Reads a `.tar`, or a `.tar.gz` / `.tgz` (detected by the gzip magic bytes), from `path`, all in memory.
    /// Datasets read archives with `TarReader` instead (member by member, in bounded memory); this is the
    /// reference its tests compare against.
    public init(contentsOfFile path: String) throws {
        var raw = try Gzip.readFile(path)
        if raw.count >= 2 && raw[0] == 0x1f && raw[1] == 0x8b { raw = try Gzip.decompress(raw, name: path) }
        try self.init(bytes: raw, name: path)
    }

    /// The bytes of `entry`.
    public func contents(of entry: Entry) -> ArraySlice<UInt8> { bytes[entry.range] }

    // MARK: - Header fields

    /// A NUL-terminated name field (or GNU long-name data starting at byte `offset`), decoded strictly.
    static func text(_ field: ArraySlice<UInt8>, archive: String, offset: Int) throws(TarError) -> String {
        let end = field.firstIndex(of: 0) ?? field.endIndex
        do {
            return try StrictText.decode(field[field.startIndex ..< end], file: archive, firstOffset: offset)
        } catch {
            throw .badName(archive: archive, offset: offset, problem: error)
        }
    }

    static func path(_ header: ArraySlice<UInt8>, archive: String, offset: Int) throws(TarError) -> String {
        let base = header.startIndex
        let name = try text(header[base ..< base + 100], archive: archive, offset: offset)
        let isUstar = header[base + 257 ..< base + 262].elementsEqual("ustar".utf8)
        let prefix = isUstar ? try text(header[base + 345 ..< base + 500], archive: archive, offset: offset + 345) : ""
        return prefix.isEmpty ? name : prefix + "/" + name
    }

    /// The size field (124..<136): octal digits, or GNU base-256 (top bit set) for sizes ≥ 8 GiB; range-checked.
    static func size(_ header: ArraySlice<UInt8>, archive: String, offset: Int) throws(TarError) -> Int {
        let field = header[header.startIndex + 124 ..< header.startIndex + 136]
        let first = field[field.startIndex]
        if first & 0x80 != 0 {
            // Base-256: big-endian two's complement over the 12 bytes with the marker bit cleared. 0xFF starts a
            // negative number, which is never a size; a value above Int.max cannot be a size here either.
            guard first != 0xFF else { throw .badSize(archive: archive, offset: offset, reason: "a negative base-256 size") }
            var value = UInt64(first & 0x7f)
            for byte in field.dropFirst() {
                guard value <= UInt64(Int.max) >> 8 else {
                    throw .badSize(archive: archive, offset: offset, reason: "a base-256 size above \(Int.max) bytes")
                }
                value = value << 8 | UInt64(byte)
            }
            return Int(value)  // ≤ Int.max: checked before each shift
        }
        guard let size = octal(field) else {
            throw .badSize(archive: archive, offset: offset, reason: "the size field is not an octal number")
        }
        return size
    }

    /// An octal header number: optional spaces, octal digits, then spaces, or a NUL (after which the field is
    /// ignored, as before); nil for anything else (signs, other bytes) or a value that does not fit in `Int`.
    /// An empty field is 0.
    static func octal(_ field: ArraySlice<UInt8>) -> Int? {
        var value = 0
        var i = field.startIndex
        while i < field.endIndex && field[i] == 32 { i += 1 }
        while i < field.endIndex, field[i] >= UInt8(ascii: "0") && field[i] <= UInt8(ascii: "7") {
            let (shifted, overflow) = value.multipliedReportingOverflow(by: 8)
            let (sum, carry) = shifted.addingReportingOverflow(Int(field[i] - UInt8(ascii: "0")))
            guard !overflow && !carry else { return nil }
            value = sum
            i += 1
        }
        while i < field.endIndex && field[i] == 32 { i += 1 }
        return i == field.endIndex || field[i] == 0 ? value : nil
    }

    /// The unsigned sum of the header bytes with the checksum field read as spaces.
    static func checksumMatches(_ header: ArraySlice<UInt8>) -> Bool {
        let base = header.startIndex
        var sum = 0
        for i in 0 ..< 512 { sum += (148 ..< 156).contains(i) ? 32 : Int(header[base + i]) }
        return octal(header[base + 148 ..< base + 156]) == sum
    }

    /// The `path=` record of a pax extended header ("<length> path=<value>\n" records) starting at byte `offset`.
    static func paxPath(_ data: ArraySlice<UInt8>, archive: String, offset: Int) throws(TarError) -> String? {
        let records: String
        do { records = try StrictText.decode(data, file: archive, firstOffset: offset) } catch {
            throw .badName(archive: archive, offset: offset, problem: error)
        }
        for record in records.split(separator: "\n") {
            guard let space = record.firstIndex(of: " ") else { continue }
            let keyValue = record[record.index(after: space)...]
            if keyValue.hasPrefix("path=") { return String(keyValue.dropFirst(5)) }
        }
        return nil
    }
}

/// Errors reading tar archives; each names the archive and the fix.
public enum TarError: Error, Equatable, CustomStringConvertible {
    case corrupt(archive: String, offset: Int)
    case truncated(archive: String, entry: String)
    /// The header at byte `offset` declares a size that is not a valid non-negative number.
    case badSize(archive: String, offset: Int, reason: String)
    /// An entry name (header at byte `offset`) is not UTF-8 or holds a NUL byte.
    case badName(archive: String, offset: Int, problem: TextDecodingError)
    /// Member `entry` declares `size` bytes, more than `MemoryBudget.current` allows; refused before allocating.
    case overMemoryBudget(archive: String, entry: String, size: Int, error: MemoryBudgetError)

    public var description: String {
        switch self {
        case let .corrupt(archive, offset):
            return "\(archive) is not a valid tar archive (bad header at byte \(offset)): re-download it"
        case let .truncated(archive, entry):
            return "\(archive) is truncated inside '\(entry)': re-download it"
        case let .badSize(archive, offset, reason):
            return "\(archive) is not a valid tar archive (header at byte \(offset): \(reason)): re-download it, or "
                + "re-create it with `tar -cf`"
        case let .badName(archive, offset, problem):
            return "\(archive): the entry name in the header at byte \(offset) is unusable (\(problem)); rename the "
                + "file to a UTF-8 name and re-create the archive"
        case let .overMemoryBudget(archive, entry, size, error):
            guard case let .overBudget(_, _, _, allowed, origin, _) = error else { return "\(error)" }
            return "\(archive): the member '\(entry)' is \(MemoryBudget.format(size)) uncompressed, more than the memory "
                + "budget of \(MemoryBudget.format(allowed)) per rank (\(origin)); unpack the archive (tar -xf) and "
                + "remove or shrink that member, or raise the budget with --memory <size> (\"memory\" in a pipeline "
                + "config) if this host has the memory"
        }
    }
}
