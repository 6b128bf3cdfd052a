/// The dense descriptors of one image, with the position and scale of each, ready for PCA and spatial pyramids.
///
/// Shape letters of the Features module: N descriptors; W×H the original image; W_s×H_s the image at scale s;
/// P the patch side; S the number of scales.
///
///     orh    (N, 128) row-major  ORH descriptors (`OrientationHistogram`), unit-norm or zero; empty if not extracted
///     col    (N, 96)  row-major  COL descriptors (`ColorDescriptor`); empty if not extracted
///     x, y   (N)                 patch centres in ORIGINAL image coordinates, in [0, W) × [0, H)
///     scale  (N)                 scale index s (the patch covers P / f_s original pixels, f_s = scaleFactor^s)
///
/// Order: scale 0 first, then scale 1, …; within a scale, patch rows top to bottom, each row left to right.
/// A spatial-pyramid cell (a, b) of an A×B layout holds the descriptors with ⌊x·A/W⌋ = a and ⌊y·B/H⌋ = b.
public struct DescriptorSet: Sendable, Equatable {
    /// N.
    public var count: Int
    /// W and H of the original image.
    public var imageWidth: Int
    public var imageHeight: Int
    /// (N, 128) row-major, or empty.
    public var orh: [Float]
    /// (N, 96) row-major, or empty.
    public var col: [Float]
    /// (N) centre x in the original image.
    public var x: [Float]
    /// (N) centre y in the original image.
    public var y: [Float]
    /// (N) scale index s.
    public var scale: [Int32]

    public init(count: Int, imageWidth: Int, imageHeight: Int, orh: [Float], col: [Float], x: [Float], y: [Float],
                scale: [Int32]) {
        self.count = count
        self.imageWidth = imageWidth
        self.imageHeight = imageHeight
        self.orh = orh
        self.col = col
        self.x = x
        self.y = y
        self.scale = scale
    }

    /// The ORH descriptor of descriptor n (128 values).
    public func orh(_ n: Int) -> ArraySlice<Float> {
        orh[n * OrientationHistogram.dimension ..< (n + 1) * OrientationHistogram.dimension]
    }

    /// The COL descriptor of descriptor n (96 values).
    public func col(_ n: Int) -> ArraySlice<Float> {
        col[n * ColorDescriptor.dimension ..< (n + 1) * ColorDescriptor.dimension]
    }
}
