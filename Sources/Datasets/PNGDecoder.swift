import CImageCodecs

/// PNG → `RGBImage` through libpng's *simplified* API, which reports errors by return code and a message in
/// `png_image.message`, never by `longjmp` (the classic `png_read_*` API would unwind through Swift frames).
///
/// Recipe: `png_image_begin_read_from_memory` (header only) → size and memory-budget guards → `png_image_finish_read` into 8-bit
/// RGBA → drop A → v / 255. Every input colour type (gray, gray+alpha, palette with or without tRNS, RGB, RGBA;
/// 1–16 bits) is converted by libpng to 8-bit sRGB RGBA: gray becomes R = G = B, palettes are expanded.
///
/// Numerical notes:
/// - RGBA is requested, not RGB, so that libpng does not composite alpha onto a background; alpha is dropped.
///   (8-bit sRGB output is never premultiplied, so the colour of a transparent pixel is its stored colour.)
/// - 16-bit files without gAMA/sRGB chunks are read as sRGB-encoded (`PNG_IMAGE_FLAG_16BIT_sRGB`), i.e.
///   v16 → round(v16 / 257), as Pillow and OpenCV do; libpng's default would assume linear light and brighten
///   them (mid-gray 0x8080 → 188/255 instead of 128/255). Files with a gAMA chunk are still gamma-corrected.
/// - Truncation: libpng's memory reader fails with "read beyond end of data" when the file stops early; that
///   message maps to `ImageError.truncated`, every other failure to `.corrupt` with libpng's text.
enum PNGDecoder {
    static let truncationMessage = "read beyond end of data"

    static func decode(_ data: UnsafeRawBufferPointer, name: String, extraBytesPerPixel: Int = 0) throws(ImageError) -> RGBImage {
        var image = png_image()
        image.version = tributary_png_image_version()
        defer { png_image_free(&image) }  // no-op once libpng has freed it after an error

        guard png_image_begin_read_from_memory(&image, data.baseAddress, data.count) != 0 else {
            throw failure(&image, name: name)
        }
        let width = Int(image.width), height = Int(image.height)  // each < 2³², so the product cannot overflow Int64…
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)  // …but checked anyway: never trap
        guard !overflow, pixels <= RGBImage.maxPixelCount else {
            throw .tooLarge(path: name, width: width, height: height)
        }
        try ImageDecoder.reserveMemory(width: width, height: height, decodedBytesPerPixel: 4,
                                       extraBytesPerPixel: extraBytesPerPixel, name: name)
        image.format = tributary_png_format_rgba()
        image.flags |= tributary_png_flag_16bit_srgb()

        var rgba = [UInt8](repeating: 0, count: Int(tributary_png_image_size(&image)))
        let ok = rgba.withUnsafeMutableBytes { buffer in
            png_image_finish_read(&image, nil, buffer.baseAddress, 0, nil)
        }
        guard ok != 0 else { throw failure(&image, name: name) }
        return RGBImage(width: width, height: height, pixels: unitRGB(fromInterleaved: rgba, channels: 4))
    }

    private static func failure(_ image: inout png_image, name: String) -> ImageError {
        let message = String(cString: tributary_png_image_message(&image))
        return message.contains(truncationMessage) ? .truncated(path: name) : .corrupt(path: name, message: message)
    }
}

/// v / 255 for every byte value v, computed once (exact division, so decoders and tests agree bit for bit).
let unitFromByte: [Float] = (0 ... 255).map { Float($0) / 255 }

/// Interleaved 8-bit samples with `channels` per pixel (3 = RGB, 4 = RGBA) → (H, W, 3) floats in [0, 1],
/// keeping the first three channels and dropping the rest (alpha).
func unitRGB(fromInterleaved bytes: [UInt8], channels: Int) -> [Float] {
    let count = bytes.count / channels
    return [Float](unsafeUninitializedCapacity: count * 3) { out, initialized in
        bytes.withUnsafeBufferPointer { src in
            unitFromByte.withUnsafeBufferPointer { table in
                for p in 0 ..< count {
                    out[3 * p] = table[Int(src[channels * p])]
                    out[3 * p + 1] = table[Int(src[channels * p + 1])]
                    out[3 * p + 2] = table[Int(src[channels * p + 2])]
                }
            }
        }
        initialized = count * 3
    }
}
