import CZlib
import Core
import Foundation

/// Reading a `.tar` or `.tar.gz` archive member by member in bounded memory.
///
/// `TarArchive(contentsOfFile:)` holds the whole uncompressed archive: a 4 MB `.tar.gz` of one 4 GiB member
/// (zeros compress 1000:1) takes 4 GiB on every rank. `TarReader` instead inflates in fixed chunks
/// (`ArchiveByteSource`, 64 KiB in and out) and parses one 512-byte header at a time with `TarArchive`'s
/// header functions, so the members, their paths and their byte ranges are exactly those of
/// `TarArchive(bytes:)` on the same archive. A member's bytes are materialised only by `contents(of:)`, which
/// first asks `MemoryBudget.current` (`reserve`) for the member's declared size and throws
/// `TarError.overMemoryBudget` (naming the archive, the member, its size and the fix) before allocating.
/// Skipping a member costs time, never memory.
///
/// ```swift
/// let reader = try TarReader(contentsOfFile: "bbc.tar.gz")
/// while let entry = try reader.next() {
///     if entry.path.hasSuffix(".txt") { use(try reader.contents(of: entry)) }
/// }
/// ```
///
/// The reader is forward only: `contents(of:)` takes the entry `next()` returned last. `TarMemberCursor`
/// reads entries in any order (reopening the archive when asked for one behind it).
///
/// Memory: two 64 KiB buffers, zlib's 32 KiB window, one 512-byte header, and GNU long names / pax headers
/// (budget-checked like members), plus whatever `contents(of:)` returns.
public final class TarReader {
    /// The archive's path (used in messages).
    public let name: String
    private let source: ArchiveByteSource
    /// Bytes of the uncompressed stream consumed so far.
    public private(set) var position = 0
    /// Where the next header starts (after the current entry's data and padding).
    private var nextHeader = 0
    private var ended = false
    private var header = [UInt8](repeating: 0, count: 512)

    /// Opens `path`: a `.tar`, or a `.tar.gz` / `.tgz` (detected by the gzip magic bytes).
    public init(contentsOfFile path: String) throws(GzipError) {
        name = path
        source = try ArchiveByteSource(path: path)
    }

    /// The next regular file, or nil at the end of the archive. Unread data of the previous entry is skipped.
    public func next() throws -> TarArchive.Entry? {
        var pendingName: String?
        while !ended {
            let offset = nextHeader
            try skip(to: offset, entry: "the header at byte \(offset)")
            let got = try read(into: &header, count: 512)
            if got == 0 { ended = true; break }  // no end marker, as `TarArchive(bytes:)` allows
            guard got == 512 else { throw TarError.truncated(archive: name, entry: "the header at byte \(offset)") }
            let block = header[0 ..< 512]
            if block.allSatisfy({ $0 == 0 }) { ended = true; break }
            guard TarArchive.checksumMatches(block) else { throw TarError.corrupt(archive: name, offset: offset) }
            let size = try TarArchive.size(block, archive: name, offset: offset)
            let type = block[156]
            let dataStart = offset + 512
            // The data and its padding must fit in the file (when its size is known, as for `.tar`) and in `Int`.
            let room = source.totalBytes.map { $0 - dataStart } ?? (Int.max - dataStart - 1024)
            guard size <= room else {
                throw TarError.truncated(archive: name, entry: try TarArchive.path(block, archive: name, offset: offset))
            }
            let entry = TarArchive.Entry(path: "", range: dataStart ..< dataStart + size)
            nextHeader = dataStart + (size + 511) / 512 * 512
            switch type {
            case UInt8(ascii: "L"):
                let data = try contents(of: entry, member: "the GNU long name at byte \(offset)")
                pendingName = try TarArchive.text(data[...], archive: name, offset: dataStart)
            case UInt8(ascii: "x"):
                let data = try contents(of: entry, member: "the pax header at byte \(offset)")
                pendingName = try TarArchive.paxPath(data[...], archive: name, offset: dataStart) ?? pendingName
            case UInt8(ascii: "0"), 0, UInt8(ascii: "7"):
                let path = try pendingName ?? TarArchive.path(block, archive: name, offset: offset)
                return TarArchive.Entry(path: path, range: entry.range)
            default:
                pendingName = nil  // directories, links, global pax headers: nothing to read
            }
        }
        return nil
    }

    /// The bytes of `entry` (the one `next()` returned last), after checking its size against
    /// `MemoryBudget.current`: a member larger than the budget throws `TarError.overMemoryBudget` unallocated.
    public func contents(of entry: TarArchive.Entry) throws -> [UInt8] {
        try contents(of: entry, member: entry.path)
    }

    private func contents(of entry: TarArchive.Entry, member: String) throws -> [UInt8] {
        precondition(entry.range.lowerBound >= position, "TarReader is forward only; use TarMemberCursor")
        let size = entry.range.count
        do {
            try MemoryBudget.current.reserve(
                bytes: size, for: "\(name):\(member)", purpose: "reading this archive member (\(size) bytes)",
                fix: "unpack the archive (tar -xf) and remove or shrink the member")
        } catch {
            throw TarError.overMemoryBudget(archive: name, entry: member, size: size, error: error)
        }
        try skip(to: entry.range.lowerBound, entry: member)
        var bytes = [UInt8](repeating: 0, count: size)
        guard try read(into: &bytes, count: size) == size else { throw TarError.truncated(archive: name, entry: member) }
        return bytes
    }

    /// Reads up to `count` bytes into `buffer` (fewer only at the end of the stream).
    private func read(into buffer: inout [UInt8], count: Int) throws -> Int {
        let got = try buffer.withUnsafeMutableBytes { raw in try source.read(into: raw.baseAddress!, count: count) }
        position += got
        return got
    }

    /// Discards bytes up to stream offset `target`; the stream ending first means `entry` is truncated.
    private func skip(to target: Int, entry: String) throws {
        while position < target {
            let got = try source.discard(min(target - position, ArchiveByteSource.chunk))
            guard got > 0 else { throw TarError.truncated(archive: name, entry: entry) }
            position += got
        }
    }
}

/// Entries of one archive read in any order, one at a time: a `TarReader` kept open at the last entry read,
/// reopened when an entry behind it is asked for (images listed in archive order, the usual case, are read in
/// one pass). Safe to share between threads (a lock serialises reads).
public final class TarMemberCursor: @unchecked Sendable {
    public let path: String
    private var reader: TarReader?
    private let lock = NSLock()

    public init(path: String) { self.path = path }

    /// The bytes of `entry` (from `TarReader.next()` on the same archive), budget-checked as in `TarReader`.
    public func contents(of entry: TarArchive.Entry) throws -> [UInt8] {
        lock.lock()
        defer { lock.unlock() }
        if reader == nil || reader!.position > entry.range.lowerBound { reader = try TarReader(contentsOfFile: path) }
        return try reader!.contents(of: entry)
    }
}

/// The uncompressed bytes of a `.tar` (read as is) or gzip file (inflated 64 KiB at a time), in order.
/// Multi-member gzip files are read to the end; trailing zero padding after the last member is allowed, as in
/// `Gzip.decompress`. A stream that ends inside a gzip member is `GzipError.truncated`.
final class ArchiveByteSource {
    static let chunk = 1 << 16
    let path: String
    /// The uncompressed size when known without reading (a plain `.tar`: the file size); nil for gzip.
    let totalBytes: Int?
    private let file: UnsafeMutablePointer<FILE>
    private let gzip: Bool
    private var stream = z_stream()
    private let input = UnsafeMutablePointer<UInt8>.allocate(capacity: ArchiveByteSource.chunk)
    private let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: ArchiveByteSource.chunk)
    private var memberEnded = false
    private var finished = false

    init(path: String) throws(GzipError) {
        self.path = path
        guard let file = fopen(path, "rb") else { throw GzipError.unreadable(path: path) }
        var magic: [UInt8] = [0, 0]
        let got = fread(&magic, 1, 2, file)
        fseeko(file, 0, SEEK_END)
        let size = Int(ftello(file))
        fseeko(file, 0, SEEK_SET)
        self.file = file
        gzip = got == 2 && magic[0] == 0x1f && magic[1] == 0x8b
        totalBytes = gzip ? nil : size
        if gzip {
            guard tributary_inflate_init_gzip(&stream) == Z_OK else {
                throw GzipError.corrupt(path: path, message: "inflateInit failed")
            }
        }
    }

    deinit {
        if gzip { inflateEnd(&stream) }
        fclose(file)
        input.deallocate()
        scratch.deallocate()
    }

    /// Reads and drops up to `count` (≤ `chunk`) bytes; the number dropped, 0 at the end.
    func discard(_ count: Int) throws(GzipError) -> Int { try read(into: UnsafeMutableRawPointer(scratch), count: count) }

    /// Fills `count` bytes at `out`; fewer only at the end of the stream.
    func read(into out: UnsafeMutableRawPointer, count: Int) throws(GzipError) -> Int {
        var done = 0
        while done < count {
            let want = min(count - done, Self.chunk)
            let got = try gzip ? inflateSome(into: out + done, count: want) : fread(out + done, 1, want, file)
            if got == 0 {
                if !gzip && ferror(file) != 0 { throw GzipError.unreadable(path: path) }
                break
            }
            done += got
        }
        return done
    }

    /// Up to `count` inflated bytes (at least one unless the stream is over).
    private func inflateSome(into out: UnsafeMutableRawPointer, count: Int) throws(GzipError) -> Int {
        if finished { return 0 }
        stream.next_out = out.assumingMemoryBound(to: UInt8.self)
        stream.avail_out = uInt(count)
        while stream.avail_out == uInt(count) {
            if stream.avail_in == 0 {
                let got = fread(input, 1, Self.chunk, file)
                if got == 0 {
                    if ferror(file) != 0 { throw GzipError.unreadable(path: path) }
                    if memberEnded { finished = true; return 0 }
                    throw GzipError.truncated(path: path)
                }
                stream.next_in = input
                stream.avail_in = uInt(got)
            }
            if memberEnded {  // another gzip member, or the trailing zero padding
                if stream.next_in.pointee == 0 { try checkPadding(); finished = true; return 0 }
                guard inflateReset(&stream) == Z_OK else { throw GzipError.corrupt(path: path, message: "inflateReset failed") }
                memberEnded = false
            }
            let status = inflate(&stream, Z_NO_FLUSH)
            if status == Z_STREAM_END { memberEnded = true; continue }
            if status == Z_BUF_ERROR && stream.avail_in == 0 { continue }  // needs the next input chunk
            guard status == Z_OK else {
                let message = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                throw GzipError.corrupt(path: path, message: message)
            }
        }
        return count - Int(stream.avail_out)
    }

    /// After the last member: the rest of the file must be zero bytes.
    private func checkPadding() throws(GzipError) {
        while true {
            for i in 0 ..< Int(stream.avail_in) where stream.next_in[i] != 0 {
                throw GzipError.corrupt(path: path, message: "data after the trailing zero padding")
            }
            let got = fread(input, 1, Self.chunk, file)
            if got == 0 { return }
            stream.next_in = input
            stream.avail_in = uInt(got)
        }
    }
}
