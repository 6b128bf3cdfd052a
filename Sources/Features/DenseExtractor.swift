import Core

/// Dense multi-scale ORH + COL extraction (Mensink et al., 2010, ImageCLEF, §4.1): for every scale s of a
/// `DenseGrid`, the image is area-resampled (`AreaRescale`), ORH gradients are computed once on its gray plane,
/// and every patch of the grid yields a 128-D `OrientationHistogram` and a 96-D `ColorDescriptor`.
///
/// Built once per geometry (the per-pixel spatial/window tables are precomputed in `init`) and reused for any
/// number of images; `extract` is a pure function of the image, safe to call from several threads at once.
///
/// Usage:
///
///     let extractor = DenseExtractor()                               // paper: P = 32, step 16, 5 scales
///     let set = try extractor.extract(image)                         // DescriptorSet: orh (N, 128), col (N, 96)
///     let small = DenseExtractor(grid: try DenseGrid(patchSize: 12, step: 4, scales: 2))  // 28×28 images
///
/// Shapes: see `DescriptorSet`. Numerical notes: see `OrientationHistogram` and `ColorDescriptor`.
public struct DenseExtractor: Sendable {
    /// Which descriptors to compute.
    public struct Kinds: OptionSet, Sendable, Hashable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        /// ORH, 128-D.
        public static let orientationHistogram = Kinds(rawValue: 1 << 0)
        /// COL, 96-D.
        public static let color = Kinds(rawValue: 1 << 1)
        /// Both.
        public static let all: Kinds = [.orientationHistogram, .color]
    }

    /// The sampling geometry.
    public let grid: DenseGrid
    /// The descriptors computed by `extract`.
    public let kinds: Kinds
    /// Per-geometry tables of the ORH fast path.
    let tables: OrientationHistogram.PatchTables

    public init(grid: DenseGrid = .paper, kinds: Kinds = .all) {
        self.grid = grid
        self.kinds = kinds
        self.tables = OrientationHistogram.PatchTables(patchSize: grid.patchSize)
    }

    /// The descriptors of `image` at every scale of the grid.
    /// - Throws: `FeatureError.imageTooSmall` when the image is smaller than one patch at scale 0.
    public func extract(_ image: ImagePlanes) throws -> DescriptorSet {
        let p = grid.patchSize
        guard image.width >= p, image.height >= p else {
            throw FeatureError.imageTooSmall(width: image.width, height: image.height, patch: p)
        }
        let levels = grid.levels(width: image.width, height: image.height)
        let n = levels.reduce(0) { $0 + $1.count }
        let wantORH = kinds.contains(.orientationHistogram), wantCOL = kinds.contains(.color)
        // The descriptor planes (and their x, y, scale) are sized by the image: checked before allocating.
        let perDescriptor = (wantORH ? OrientationHistogram.dimension : 0) + (wantCOL ? ColorDescriptor.dimension : 0) + 3
        try MemoryBudget.current.reserve(
            bytes: MemoryBudget.product([n, perDescriptor, MemoryLayout<Float>.size]),
            for: "image \(image.width)×\(image.height)", purpose: "its \(n) dense descriptors",
            fix: "use a larger --step or fewer --scales, or downscale the image")
        var orh = [Float](repeating: 0, count: wantORH ? n * OrientationHistogram.dimension : 0)
        var col = [Float](repeating: 0, count: wantCOL ? n * ColorDescriptor.dimension : 0)
        var xs = [Float](), ys = [Float](), scales = [Int32]()
        xs.reserveCapacity(n); ys.reserveCapacity(n); scales.reserveCapacity(n)

        var first = 0  // index of the first descriptor of the current level
        for level in levels where level.count > 0 {
            let scaled = AreaRescale.rescale(image, width: level.width, height: level.height)
            for ky in 0 ..< level.rows {
                for kx in 0 ..< level.columns {
                    xs.append(Float(level.centreX(kx)))
                    ys.append(Float(level.centreY(ky)))
                    scales.append(Int32(level.scale))
                }
            }
            if wantORH {
                let gradients = OrientationHistogram.Gradients(gray: scaled.gray, width: level.width,
                                                               height: level.height)
                orh.withUnsafeMutableBufferPointer { out in
                    OrientationHistogram.describe(gradients, level: level, tables: tables,
                                                  into: out.baseAddress! + first * OrientationHistogram.dimension)
                }
            }
            if wantCOL {
                scaled.rgb.withUnsafeBufferPointer { rgb in
                    col.withUnsafeMutableBufferPointer { out in
                        ColorDescriptor.describe(rgb: rgb, level: level,
                                                 into: out.baseAddress! + first * ColorDescriptor.dimension)
                    }
                }
            }
            first += level.count
        }
        return DescriptorSet(count: n, imageWidth: image.width, imageHeight: image.height,
                             orh: orh, col: col, x: xs, y: ys, scale: scales)
    }
}
