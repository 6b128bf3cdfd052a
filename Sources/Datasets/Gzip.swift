import CZlib
import Foundation

/// Reading gzip files (RFC 1952) through zlib's `inflate`, for datasets shipped compressed: the Fashion-MNIST
/// idx files of `dataset-fashion-mnist` and the `.tar.gz` text corpora.
///
/// `Gzip.decompress` inflates a whole file into memory; multi-member files (concatenated gzip streams, as
/// `pigz` and `cat a.gz b.gz` produce) are read to the end. A file that ends before its stream does is
/// reported as truncated, never returned short.
public enum Gzip {
    /// The uncompressed bytes of the gzip (or zlib) file at `path`.
    public static func decompress(contentsOfFile path: String) throws(GzipError) -> [UInt8] {
        try decompress(try readFile(path), name: path)
    }

    /// The raw bytes of the file at `path`.
    public static func readFile(_ path: String) throws(GzipError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else { throw GzipError.unreadable(path: path) }
        return [UInt8](data)
    }

    /// The uncompressed bytes of `compressed`; `name` is used in error messages.
    public static func decompress(_ compressed: [UInt8], name: String = "<memory>") throws(GzipError) -> [UInt8] {
        guard !compressed.isEmpty else { throw GzipError.empty(path: name) }
        var output: [UInt8] = []
        output.reserveCapacity(compressed.count * 4)
        var chunk = [UInt8](repeating: 0, count: 1 << 18)
        var offset = 0
        while offset < compressed.count {
            var stream = z_stream()
            guard tributary_inflate_init_gzip(&stream) == Z_OK else { throw GzipError.corrupt(path: name, message: "inflateInit failed") }
            defer { inflateEnd(&stream) }
            var status = Z_OK
            let consumed: Int = try compressed.withUnsafeBufferPointer { (input) throws(GzipError) -> Int in
                // zlib counts input in `uInt` (32 bits): feed at most 4 GiB − 1 at a time, so a larger file is
                // read in slices instead of trapping in the conversion.
                var fed = offset
                repeat {
                    if stream.avail_in == 0 && fed < input.count {
                        let slice = min(input.count - fed, Int(uInt.max))
                        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress! + fed)
                        stream.avail_in = uInt(slice)
                        fed += slice
                    }
                    status = chunk.withUnsafeMutableBufferPointer { out in
                        stream.next_out = out.baseAddress
                        stream.avail_out = uInt(out.count)
                        return inflate(&stream, Z_NO_FLUSH)
                    }
                    let produced = chunk.count - Int(stream.avail_out)
                    output.append(contentsOf: chunk[0 ..< produced])
                    if status == Z_BUF_ERROR && stream.avail_in == 0 {
                        guard fed < input.count else { throw GzipError.truncated(path: name) }
                        continue  // the slice is used up: feed the next one
                    }
                    guard status == Z_OK || status == Z_STREAM_END else {
                        let message = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                        throw GzipError.corrupt(path: name, message: message)
                    }
                } while status != Z_STREAM_END
                return fed - offset - Int(stream.avail_in)
            }
            offset += consumed
            // Trailing zero padding after the last member is allowed (tape-style writers add it).
            if compressed[offset...].allSatisfy({ $0 == 0 }) { break }
        }
        return output
    }
}

/// Errors reading gzip data; each names the file and the fix.
public enum GzipError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String)
    case empty(path: String)
    case truncated(path: String)
    case corrupt(path: String, message: String)

    public var description: String {
        switch self {
        case let .unreadable(path):
            return "cannot read \(path): check that it exists and is readable"
        case let .empty(path):
            return "\(path) is empty: re-download it (or reinstall the package that ships it)"
        case let .truncated(path):
            return "\(path) is truncated (the gzip stream ends early): re-download it"
        case let .corrupt(path, message):
            return "\(path) is not valid gzip data (\(message)): re-download it"
        }
    }
}
