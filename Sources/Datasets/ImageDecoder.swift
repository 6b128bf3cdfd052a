import Core
import Foundation

/// Decodes PNG and JPEG files (or bytes) into `RGBImage`s: (H, W, 3) row-major float RGB in [0, 1].
///
/// The format comes from the magic bytes (`ImageFormat.detect`), never from the extension. What is read:
///
/// | input | result |
/// | --- | --- |
/// | PNG gray, gray+alpha, palette (± tRNS), RGB, RGBA; 1–16 bits | R, G, B = v / 255; gray → R = G = B; 16-bit → 8-bit first |
/// | JPEG gray or YCbCr, baseline or progressive | R, G, B = v / 255 as TurboJPEG decodes them |
///
/// **Alpha is dropped, not composited**: a transparent pixel keeps its stored colour. Compositing onto black
/// would put a synthetic edge along every transparency boundary, which the gradient descriptors would describe.
/// Bad files throw `ImageError` naming the file; see `PNGDecoder` and `JPEGDecoder` for the library details.
///
/// **Memory**: after reading the header and before allocating, the decoders check W × H × (decoded bytes per
/// pixel + 12 for the float RGB + `extraBytesPerPixel`, what the caller will allocate per pixel next: the
/// feature planes, `ImagePlanes.workingBytesPerPixel`) against `MemoryBudget.current`, and throw
/// `.overMemoryBudget` instead: a 783 KB PNG of 16384² pixels would otherwise take more than 3 GiB.
///
/// ```swift
/// let image = try ImageDecoder.decode(contentsOfFile: "/data/flowers17/jpg/image_0001.jpg")
/// let fromMemory = try ImageDecoder.decode(bytes, name: "upload-17.png")
/// ```
public enum ImageDecoder {
    /// Reads and decodes the image at `path`; errors name `path`.
    public static func decode(contentsOfFile path: String, extraBytesPerPixel: Int = 0) throws(ImageError) -> RGBImage {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .unreadable(path: path, reason: "no such file")
        }
        guard !isDirectory.boolValue else { throw .unreadable(path: path, reason: "it is a folder") }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadable(path: path, reason: (error as NSError).localizedDescription)
        }
        return try decode(data, name: path, extraBytesPerPixel: extraBytesPerPixel)
    }

    /// Decodes an in-memory PNG or JPEG (`[UInt8]`, `Data`, …); errors name `name`.
    public static func decode(
        _ bytes: some ContiguousBytes, name: String = "<memory>", extraBytesPerPixel: Int = 0
    ) throws(ImageError) -> RGBImage {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(ImageError) -> RGBImage in try decode(raw, name: name, extraBytesPerPixel: extraBytesPerPixel) }
        }
        return try result.get()
    }

    static func decode(_ raw: UnsafeRawBufferPointer, name: String, extraBytesPerPixel: Int = 0) throws(ImageError) -> RGBImage {
        guard !raw.isEmpty else { throw .empty(path: name) }
        switch ImageFormat.detect(raw) {
        case .png: return try PNGDecoder.decode(raw, name: name, extraBytesPerPixel: extraBytesPerPixel)
        case .jpeg: return try JPEGDecoder.decode(raw, name: name, extraBytesPerPixel: extraBytesPerPixel)
        case nil: throw .unsupportedFormat(path: name, magic: Array(raw.prefix(8)))
        }
    }

    /// Throws `.overMemoryBudget` unless W × H × (`decodedBytesPerPixel` + 12 + `extraBytesPerPixel`) fits
    /// `MemoryBudget.current` (see the type's doc). Called by the decoders between the header and the decode.
    static func reserveMemory(
        width: Int, height: Int, decodedBytesPerPixel: Int, extraBytesPerPixel: Int, name: String
    ) throws(ImageError) {
        let perPixel = MemoryBudget.sum([decodedBytesPerPixel, 3 * MemoryLayout<Float>.size, max(0, extraBytesPerPixel)])
        do {
            try MemoryBudget.current.reserve(
                bytes: MemoryBudget.product([width, height, perPixel]), for: name,
                purpose: "decoding \(width)×\(height) pixels and their feature planes",
                fix: "downscale it, or remove it from the manifest")
        } catch {
            throw .overMemoryBudget(path: name, error: error)
        }
    }
}
