import Core

/// Why an image could not be decoded. Every case names the file (or the in-memory source name) and says what
/// to do about it; `description` is the message a stage prints before it stops.
///
/// | case | meaning |
/// | --- | --- |
/// | `unreadable` | the file could not be read at all (missing, a folder, no permission) |
/// | `empty` | the file has zero bytes |
/// | `unsupportedFormat` | the first bytes are neither a PNG nor a JPEG signature (format is never taken from the extension); the message names the kind of file it looks like, never its bytes |
/// | `truncated` | a PNG or JPEG that stops before its image data is complete (an interrupted download or copy) |
/// | `corrupt` | the decoder rejected the data; `message` is libpng's or TurboJPEG's own text |
/// | `tooLarge` | the header declares more than `RGBImage.maxPixelCount` pixels |
/// | `unsupportedColorSpace` | a CMYK / YCCK JPEG, which this decoder does not convert |
/// | `overMemoryBudget` | decoding it (and the feature planes after it) would take more than the per-rank `MemoryBudget` |
public enum ImageError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case empty(path: String)
    case unsupportedFormat(path: String, magic: [UInt8])
    case truncated(path: String)
    case corrupt(path: String, message: String)
    case tooLarge(path: String, width: Int, height: Int)
    case unsupportedColorSpace(path: String, colorSpace: String)
    case overMemoryBudget(path: String, error: MemoryBudgetError)

    /// The file (or in-memory source name) the error is about.
    public var path: String {
        switch self {
        case .unreadable(let path, _), .empty(let path), .unsupportedFormat(let path, _), .truncated(let path),
             .corrupt(let path, _), .tooLarge(let path, _, _), .unsupportedColorSpace(let path, _),
             .overMemoryBudget(let path, _):
            return path
        }
    }

    private static let drop = "re-download it, or remove it from the manifest"

    /// What the first bytes look like, by well-known signature only (never the bytes themselves).
    static func kind(of magic: [UInt8]) -> String {
        let signatures: [(prefix: [UInt8], kind: String)] = [
            (Array("GIF8".utf8), "it is a GIF"), (Array("BM".utf8), "it is a BMP"), ([0x49, 0x49, 0x2A, 0x00], "it is a TIFF"),
            ([0x4D, 0x4D, 0x00, 0x2A], "it is a TIFF"), (Array("RIFF".utf8), "it is a RIFF file (WebP?)"),
            (Array("%PDF".utf8), "it is a PDF"), ([0x1F, 0x8B], "it is gzip data"), (Array("PK".utf8), "it is a zip archive"),
            ([0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50], "it is a JPEG 2000"),
        ]
        if let match = signatures.first(where: { magic.starts(with: $0.prefix) }) { return match.kind }
        let printable = magic.allSatisfy { (0x20 ..< 0x7F).contains($0) || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        return printable ? "it starts like a text file" : "unknown signature"
    }

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            return "\(path): cannot read image (\(reason)); check the path and permissions, or remove it from the manifest"
        case .empty(let path):
            return "\(path): image file is empty (0 bytes); \(Self.drop)"
        case .unsupportedFormat(let path, let magic):
            // The bytes are never echoed: a labels CSV may name any file (`/etc/passwd` would print "root:x:0").
            return "\(path): not a PNG or JPEG (\(Self.kind(of: magic))); the format is detected from the content, not the "
                + "extension: convert it to PNG or JPEG, or remove it from the manifest"
        case .truncated(let path):
            return "\(path): image is truncated (the data stops before the image is complete); \(Self.drop)"
        case .corrupt(let path, let message):
            return "\(path): corrupt image (decoder says: \(message)); \(Self.drop)"
        case .tooLarge(let path, let width, let height):
            return "\(path): image declares \(width)×\(height) pixels, more than the limit of "
                + "\(RGBImage.maxPixelCount) (2^28); downscale it before use, or remove it from the manifest"
        case .overMemoryBudget(_, let error):
            return error.description
        case .unsupportedColorSpace(let path, let colorSpace):
            return "\(path): \(colorSpace) JPEG is not supported; convert it to RGB (e.g. "
                + "`convert in.jpg -colorspace sRGB out.jpg`), or remove it from the manifest"
        }
    }
}
