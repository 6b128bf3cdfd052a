import Foundation

/// The geometry of dense multi-scale sampling: square P×P patches every `step` pixels on a regular grid, at S
/// scales of the image (Mensink, Csurka, Perronnin, Sánchez, Verbeek, 2010, "LEAR and XRCE's participation to
/// Visual Concept Detection Task — ImageCLEF 2010", §4.1: 32×32 patches every 16 px at 5 scales).
///
/// Scale s ∈ 0 ..< S resamples the W×H image by f_s = scaleFactor^s (area averaging, `AreaRescale`) to
///
///     W_s = max(1, round(W·f_s)),   H_s = max(1, round(H·f_s))       (paper: scaleFactor = 2^(−1/2))
///
/// and places n_x(s) × n_y(s) patches on it, with
///
///     n_x(s) = ⌊(W_s − P) / step⌋ + 1   if W_s ≥ P, else 0      (n_y likewise with H_s)
///
/// The grid is centred: the leftover o_x = ⌊(W_s − P − (n_x − 1)·step) / 2⌋ is split between both borders, so
/// patch (k_x, k_y) covers pixels [o_x + k_x·step, o_x + k_x·step + P) × [o_y + k_y·step, …) of the scale image.
/// Its centre, in the continuous coordinates of the ORIGINAL image (pixel (x, y) covers [x, x+1) × [y, y+1)), is
///
///     x = (o_x + k_x·step + P/2) · W / W_s,     y = (o_y + k_y·step + P/2) · H / H_s.
///
/// Each patch is split into C×C cells (C = `cellsPerSide` = 4) of P/C pixels, so P must be a multiple of C.
/// A scale whose image is smaller than one patch contributes no descriptors.
///
/// Usage:
///
///     let grid = try DenseGrid(patchSize: 12, step: 4, scales: 2)   // e.g. 28×28 Fashion-MNIST
///     let levels = grid.levels(width: 28, height: 28)               // [Level]: sizes, counts, offsets
public struct DenseGrid: Sendable, Hashable {
    /// C: cells per patch side, for both ORH (4×4×8 = 128-D) and COL (4×4×6 = 96-D).
    public static let cellsPerSide = 4
    /// The paper's patch size P = 32 px.
    public static let paperPatchSize = 32
    /// The paper's grid step = 16 px.
    public static let paperStep = 16
    /// The paper's number of scales S = 5.
    public static let paperScales = 5
    /// The paper's scale factor between consecutive scales, 2^(−1/2).
    public static let paperScaleFactor = 0.5.squareRoot()

    /// The paper's geometry: P = 32, step 16, S = 5, factor 2^(−1/2).
    public static let paper = DenseGrid(unchecked: paperPatchSize, step: paperStep, scales: paperScales,
                                        scaleFactor: paperScaleFactor)

    /// P: patch side in pixels of the scale image (a multiple of `cellsPerSide`).
    public let patchSize: Int
    /// Grid step in pixels of the scale image (≥ 1).
    public let step: Int
    /// S: number of scales (≥ 1); scale 0 is the image itself.
    public let scales: Int
    /// Ratio between the sizes of consecutive scales, in (0, 1].
    public let scaleFactor: Double

    /// A validated geometry.
    /// - Throws: `FeatureError.invalidGeometry` naming the bad parameter.
    public init(patchSize: Int = paperPatchSize, step: Int = paperStep, scales: Int = paperScales,
                scaleFactor: Double = paperScaleFactor) throws {
        let c = DenseGrid.cellsPerSide
        guard patchSize >= c, patchSize % c == 0 else {
            throw FeatureError.invalidGeometry("patch size must be a positive multiple of \(c), got \(patchSize)")
        }
        guard step >= 1 else { throw FeatureError.invalidGeometry("step must be ≥ 1, got \(step)") }
        guard scales >= 1 else { throw FeatureError.invalidGeometry("scales must be ≥ 1, got \(scales)") }
        guard scaleFactor > 0, scaleFactor <= 1 else {
            throw FeatureError.invalidGeometry("scale factor must be in (0, 1], got \(scaleFactor)")
        }
        self.init(unchecked: patchSize, step: step, scales: scales, scaleFactor: scaleFactor)
    }

    private init(unchecked patchSize: Int, step: Int, scales: Int, scaleFactor: Double) {
        self.patchSize = patchSize
        self.step = step
        self.scales = scales
        self.scaleFactor = scaleFactor
    }

    /// P / C: side of one cell in pixels.
    public var cellSize: Int { patchSize / DenseGrid.cellsPerSide }

    /// f_s = scaleFactor^s.
    public func factor(scale s: Int) -> Double { pow(scaleFactor, Double(s)) }

    /// n(s) along one axis of length `length` (pixels of the scale image).
    public func patchCount(length: Int) -> Int { length >= patchSize ? (length - patchSize) / step + 1 : 0 }

    /// o: the offset of the first patch along an axis of `length` pixels (the grid is centred).
    public func gridOffset(length: Int) -> Int {
        let n = patchCount(length: length)
        return n == 0 ? 0 : (length - patchSize - (n - 1) * step) / 2
    }

    /// One scale of the grid on a given image.
    public struct Level: Sendable, Hashable {
        /// s.
        public let scale: Int
        /// W_s, H_s: size of the scale image.
        public let width: Int, height: Int
        /// n_x(s), n_y(s): patches per row and per column.
        public let columns: Int, rows: Int
        /// o_x, o_y: origin of patch (0, 0) in the scale image.
        public let offsetX: Int, offsetY: Int
        /// W / W_s and H / H_s: scale-image → original-image coordinates.
        public let ratioX: Double, ratioY: Double
        /// P and step, repeated for convenience.
        public let patchSize: Int, step: Int

        /// n_x·n_y descriptors at this scale.
        public var count: Int { columns * rows }
        /// Left edge of patch column k_x in the scale image.
        public func originX(_ kx: Int) -> Int { offsetX + kx * step }
        /// Top edge of patch row k_y in the scale image.
        public func originY(_ ky: Int) -> Int { offsetY + ky * step }
        /// Patch centre x in original-image coordinates: (o_x + k_x·step + P/2)·W/W_s.
        public func centreX(_ kx: Int) -> Double { (Double(originX(kx)) + Double(patchSize) / 2) * ratioX }
        /// Patch centre y in original-image coordinates: (o_y + k_y·step + P/2)·H/H_s.
        public func centreY(_ ky: Int) -> Double { (Double(originY(ky)) + Double(patchSize) / 2) * ratioY }
    }

    /// The S levels of the grid on a W×H image (levels with no patch have `count == 0`).
    public func levels(width: Int, height: Int) -> [Level] {
        (0 ..< scales).map { s in
            let (ws, hs) = AreaRescale.size(width: width, height: height, factor: factor(scale: s))
            return Level(scale: s, width: ws, height: hs,
                         columns: patchCount(length: ws), rows: patchCount(length: hs),
                         offsetX: gridOffset(length: ws), offsetY: gridOffset(length: hs),
                         ratioX: Double(width) / Double(ws), ratioY: Double(height) / Double(hs),
                         patchSize: patchSize, step: step)
        }
    }

    /// N: total descriptors on a W×H image, Σ_s n_x(s)·n_y(s).
    public func descriptorCount(width: Int, height: Int) -> Int {
        levels(width: width, height: height).reduce(0) { $0 + $1.count }
    }
}
