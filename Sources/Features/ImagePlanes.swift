/// The input of the Features module: an RGB image as three interleaved float planes, plus its gray (luma) plane.
///
///     rgb  (H, W, 3) row-major, values in [0, 1]: rgb[(y·W + x)·3 + c], c = 0 (R), 1 (G), 2 (B)
///     gray (H, W)    row-major: gray[y·W + x] = 0.299·R + 0.587·G + 0.114·B   (ITU-R BT.601 luma)
///
/// Pixel (x, y) covers the square [x, x+1) × [y, y+1) of the continuous image plane, so the image spans
/// [0, W) × [0, H) and its centre is (W/2, H/2). Descriptor centres (`DescriptorSet.x`, `.y`) use these
/// coordinates.
///
/// ORH descriptors read `gray`; COL descriptors read `rgb`. Values outside [0, 1] are not rejected, but the
/// low-contrast threshold of ORH (`OrientationHistogram.lowContrastThreshold`) is calibrated for [0, 1].
public struct ImagePlanes: Sendable, Equatable {
    /// Luma weights (ITU-R BT.601) of the gray plane.
    public static let lumaRed: Float = 0.299
    public static let lumaGreen: Float = 0.587
    public static let lumaBlue: Float = 0.114

    /// Bytes per pixel that dense extraction allocates beyond the image's own float RGB: the gray plane (4),
    /// the scale-0 level's RGB + gray (16), `AreaRescale`'s column pass (12) and the ORH gradient planes
    /// (bin, lower, upper: 12). Image readers pass it to `ImageDecoder` so that the memory budget is checked
    /// for the whole pipeline before a pixel is decoded; the descriptor planes are checked in `DenseExtractor`.
    public static let workingBytesPerPixel = 44

    /// W, in pixels.
    public let width: Int
    /// H, in pixels.
    public let height: Int
    /// (H, W, 3) row-major, interleaved R, G, B.
    public let rgb: [Float]
    /// (H, W) row-major luma.
    public let gray: [Float]

    /// An image from interleaved RGB values; derives the gray plane.
    /// - Throws: `FeatureError.shapeMismatch` when `rgb.count != width·height·3`, `.invalidGeometry` for a
    ///   non-positive size.
    public init(width: Int, height: Int, rgb: [Float]) throws {
        guard width > 0, height > 0 else {
            throw FeatureError.invalidGeometry("image size must be positive, got \(width)×\(height)")
        }
        guard rgb.count == width * height * 3 else {
            throw FeatureError.shapeMismatch(what: "ImagePlanes rgb (H=\(height), W=\(width), 3)",
                                             expected: width * height * 3, got: rgb.count)
        }
        self.init(uncheckedWidth: width, height: height, rgb: rgb)
    }

    /// A gray image: R = G = B = `gray`, and the gray plane is `gray` itself (not recomputed).
    /// - Throws: `FeatureError.shapeMismatch` when `gray.count != width·height`.
    public init(width: Int, height: Int, gray: [Float]) throws {
        guard width > 0, height > 0 else {
            throw FeatureError.invalidGeometry("image size must be positive, got \(width)×\(height)")
        }
        guard gray.count == width * height else {
            throw FeatureError.shapeMismatch(what: "ImagePlanes gray (H=\(height), W=\(width))",
                                             expected: width * height, got: gray.count)
        }
        var rgb = [Float](repeating: 0, count: gray.count * 3)
        for i in gray.indices {
            rgb[3 * i] = gray[i]
            rgb[3 * i + 1] = gray[i]
            rgb[3 * i + 2] = gray[i]
        }
        self.width = width
        self.height = height
        self.rgb = rgb
        self.gray = gray
    }

    /// Trusted construction (sizes already checked by the caller).
    init(uncheckedWidth width: Int, height: Int, rgb: [Float]) {
        self.width = width
        self.height = height
        self.rgb = rgb
        self.gray = ImagePlanes.luma(rgb, count: width * height)
    }

    /// gray[i] = 0.299·R + 0.587·G + 0.114·B for each of `count` pixels.
    static func luma(_ rgb: [Float], count: Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { out, initialized in
            rgb.withUnsafeBufferPointer { src in
                for i in 0 ..< count {
                    out[i] = lumaRed * src[3 * i] + lumaGreen * src[3 * i + 1] + lumaBlue * src[3 * i + 2]
                }
            }
            initialized = count
        }
    }
}
