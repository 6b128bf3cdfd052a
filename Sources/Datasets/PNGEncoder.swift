import CImageCodecs

/// 8-bit RGB pixels → a PNG file in memory, by libpng's simplified write API (`png_image_write_to_memory`:
/// zlib-compressed rows with libpng's filter heuristics; errors by return code, never `longjmp`).
///
/// Shapes: `rgb` holds height·width·3 bytes, row-major, 3 channels per pixel (R, G, B).
///
/// ```swift
/// let bytes = try PNGEncoder.encode(rgb: pixels, width: 64, height: 32, name: "grid.png")
/// ```
public enum PNGEncoder {
    /// The PNG bytes of the image; `name` is used in errors only.
    public static func encode(rgb: [UInt8], width: Int, height: Int, name: String) throws -> [UInt8] {
        guard width > 0, height > 0, width <= Int(Int32.max) / 3, height <= Int(Int32.max),
              rgb.count == width * height * 3 else {
            throw ImageError.corrupt(path: name, message: "cannot write \(rgb.count) bytes as a \(width)×\(height) RGB PNG")
        }
        var image = png_image()
        image.version = tributary_png_image_version()
        image.width = UInt32(width)
        image.height = UInt32(height)
        image.format = tributary_png_format_rgb()
        defer { png_image_free(&image) }
        var size: png_alloc_size_t = 0
        let stride = Int32(width * 3)
        // First call: the size needed (memory nil); second: the bytes.
        guard rgb.withUnsafeBytes({ png_image_write_to_memory(&image, nil, &size, 0, $0.baseAddress, stride, nil) }) != 0,
              size > 0 else {
            throw ImageError.corrupt(path: name, message: "libpng could not size the PNG: " + message(&image))
        }
        var bytes = [UInt8](repeating: 0, count: Int(size))
        let written = bytes.withUnsafeMutableBytes { out in
            rgb.withUnsafeBytes { png_image_write_to_memory(&image, out.baseAddress, &size, 0, $0.baseAddress, stride, nil) }
        }
        guard written != 0 else { throw ImageError.corrupt(path: name, message: "libpng could not write the PNG: " + message(&image)) }
        return Array(bytes.prefix(Int(size)))
    }

    private static func message(_ image: inout png_image) -> String {
        String(cString: tributary_png_image_message(&image))
    }
}
