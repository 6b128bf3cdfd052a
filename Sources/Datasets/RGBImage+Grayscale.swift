/// Luma from RGB, ITU-R BT.601 weights:
///
///     Y(y, x) = 0.299 · R(y, x) + 0.587 · G(y, x) + 0.114 · B(y, x)
///
/// applied to the stored (sRGB-encoded) values as they are, with no linearisation, as JPEG, OpenCV's
/// `cvtColor(…, COLOR_RGB2GRAY)` and Pillow's `convert("L")` do (minus their rounding to 8 bits). The weights
/// sum to 1, so a gray pixel (v, v, v) keeps its value v up to float rounding.
extension RGBImage {
    /// The BT.601 weights (R, G, B).
    public static let lumaWeights: (red: Float, green: Float, blue: Float) = (0.299, 0.587, 0.114)

    /// The luma plane, (H, W) row-major. See the formula above.
    public func grayscale() -> GrayImage {
        let (wr, wg, wb) = Self.lumaWeights
        let count = width * height
        let luma = [Float](unsafeUninitializedCapacity: count) { out, initialized in
            pixels.withUnsafeBufferPointer { rgb in
                for i in 0 ..< count {
                    out[i] = wr * rgb[3 * i] + wg * rgb[3 * i + 1] + wb * rgb[3 * i + 2]
                }
            }
            initialized = count
        }
        return GrayImage(width: width, height: height, pixels: luma)
    }
}
