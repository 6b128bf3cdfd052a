/// Turning an image upright: a transpose and/or a flip, as `EXIFOrientation` lists them.
///
/// For output pixel (x', y') of D (W' × H'), with a = flipX ? W' − 1 − x' : x' and b = flipY ? H' − 1 − y' : y',
/// the source pixel of S (W × H) is (x, y) = (b, a) when transposing, else (a, b). Along an output row only a
/// moves, so the source index is linear in x': start + x' · step, with
///
/// | transposes | start of row y' (in pixels) | step (in pixels) |
/// | --- | --- | --- |
/// | no  | b · W + (flipX ? W − 1 : 0)     | flipX ? −1 : +1 |
/// | yes | (flipX ? H − 1 : 0) · W + b     | flipX ? −W : +W |
///
/// Pixels are moved, never recomputed: every value is copied bit for bit, and `.identity` returns the image as
/// it is. The JPEG decoder applies the same move to its 8-bit samples, before v / 255, so the decoded floats
/// equal `decode-as-stored.oriented(o)` exactly.
extension RGBImage {
    /// This image turned by `orientation` (W' × H' = H × W when it transposes). See the table above.
    public func oriented(_ orientation: EXIFOrientation) -> RGBImage {
        if orientation == .identity { return self }
        let (pixels, w, h) = orientedInterleaved(pixels, width: width, height: height, channels: 3, orientation)
        return RGBImage(width: w, height: h, pixels: pixels)
    }
}

/// The (H, W, `channels`) row-major buffer `source` moved by `orientation`: the buffer and its new W', H'.
func orientedInterleaved<Sample>(
    _ source: [Sample], width: Int, height: Int, channels: Int, _ orientation: EXIFOrientation
) -> (pixels: [Sample], width: Int, height: Int) {
    precondition(source.count == width * height * channels, "oriented: \(source.count) values for \(width)×\(height)×\(channels)")
    if orientation == .identity { return (source, width, height) }
    let (outWidth, outHeight) = orientation.transposes ? (height, width) : (width, height)
    let flipX = orientation.flipsX, flipY = orientation.flipsY
    let step = (orientation.transposes ? width : 1) * (flipX ? -1 : 1) * channels
    let out = [Sample](unsafeUninitializedCapacity: source.count) { out, initialized in
        source.withUnsafeBufferPointer { src in
            var o = 0
            for y in 0 ..< outHeight {
                let b = flipY ? outHeight - 1 - y : y
                var s = (orientation.transposes ? (flipX ? height - 1 : 0) * width + b
                                                : b * width + (flipX ? width - 1 : 0)) * channels
                for _ in 0 ..< outWidth {
                    for c in 0 ..< channels { (out.baseAddress! + o + c).initialize(to: src[s + c]) }
                    o += channels
                    s += step
                }
            }
        }
        initialized = source.count
    }
    return (out, outWidth, outHeight)
}
