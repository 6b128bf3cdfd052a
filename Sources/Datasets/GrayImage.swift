/// A single-channel float image (luma or any other plane), values in [0, 1] when made from an `RGBImage`.
///
/// Shapes: `pixels` is (H, W) row-major: the value at row y, column x is `pixels[y · W + x]`.
/// Made by `RGBImage.grayscale()`; the gradient-based descriptors (ORH / dense SIFT) read this.
public struct GrayImage: Sendable, Equatable {
    /// W, in pixels (> 0).
    public let width: Int
    /// H, in pixels (> 0).
    public let height: Int
    /// (H, W) row-major.
    public var pixels: [Float]

    /// Wraps an existing (H, W) buffer. Precondition: `pixels.count == height · width`, both sides > 0.
    public init(width: Int, height: Int, pixels: [Float]) {
        precondition(width > 0 && height > 0, "GrayImage: size must be positive, got \(width)×\(height)")
        precondition(pixels.count == width * height,
                     "GrayImage: \(pixels.count) values for \(width)×\(height) = \(width * height)")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// The value at row `y`, column `x`.
    public subscript(x: Int, y: Int) -> Float { pixels[y * width + x] }
}
