/// A decoded colour image: 32-bit float RGB in [0, 1], the input every feature extractor reads.
///
/// Storage convention (the project's image rule): `pixels` is (H, W, 3) row-major, interleaved RGB, so the
/// value of channel c at row y, column x is `pixels[(y · W + x) · 3 + c]`. H = `height`, W = `width`.
///
/// Decoders produce it by v / 255 from 8-bit samples (exact for every v), gray expanded to R = G = B, and any
/// alpha channel **dropped**, not composited: compositing onto black (or any colour) invents edges along the
/// transparency mask that a descriptor would then describe. See `ImageDecoder`.
///
/// ```swift
/// let image = try ImageDecoder.decode(contentsOfFile: "jpg/image_0001.jpg")
/// let small = image.resized(width: 128, height: 96)
/// let luma = small.grayscale()
/// ```
public struct RGBImage: Sendable, Equatable {
    /// W, in pixels (> 0).
    public let width: Int
    /// H, in pixels (> 0).
    public let height: Int
    /// (H, W, 3) row-major interleaved RGB, values in [0, 1].
    public var pixels: [Float]

    /// The largest image a decoder accepts: 2²⁸ pixels (16384 × 16384), 3 GiB as floats. A header declaring
    /// more is treated as hostile or broken (`ImageError.tooLarge`) before anything is allocated.
    public static let maxPixelCount = 1 << 28

    /// Wraps an existing (H, W, 3) buffer. Precondition: `pixels.count == height · width · 3`, both sides > 0.
    public init(width: Int, height: Int, pixels: [Float]) {
        precondition(width > 0 && height > 0, "RGBImage: size must be positive, got \(width)×\(height)")
        precondition(pixels.count == width * height * 3,
                     "RGBImage: \(pixels.count) values for \(width)×\(height)×3 = \(width * height * 3)")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// A constant image, every pixel (r, g, b).
    public init(width: Int, height: Int, red: Float, green: Float, blue: Float) {
        var pixels = [Float](repeating: 0, count: width * height * 3)
        for i in stride(from: 0, to: pixels.count, by: 3) {
            pixels[i] = red
            pixels[i + 1] = green
            pixels[i + 2] = blue
        }
        self.init(width: width, height: height, pixels: pixels)
    }

    /// The (r, g, b) triple at row `y`, column `x`.
    public subscript(x: Int, y: Int) -> (red: Float, green: Float, blue: Float) {
        let i = (y * width + x) * 3
        return (pixels[i], pixels[i + 1], pixels[i + 2])
    }
}
