/// The image container formats the decoder reads, detected from the first bytes, never from the file name.
///
/// | format | signature (magic bytes) |
/// | --- | --- |
/// | PNG | 89 50 4E 47 0D 0A 1A 0A (`\x89PNG\r\n\x1a\n`) |
/// | JPEG | FF D8 FF (SOI marker, then the first marker's FF) |
public enum ImageFormat: String, Sendable, CaseIterable {
    case png
    case jpeg

    static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    static let jpegSignature: [UInt8] = [0xFF, 0xD8, 0xFF]

    /// The format whose signature starts `bytes`, or nil if none does.
    public static func detect(_ bytes: some Collection<UInt8>) -> ImageFormat? {
        if bytes.starts(with: pngSignature) { return .png }
        if bytes.starts(with: jpegSignature) { return .jpeg }
        return nil
    }
}
