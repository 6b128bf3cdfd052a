#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LinearAlgebra

/// ORH: the 128-D SIFT-like orientation histogram of a square patch (Lowe, 2004, "Distinctive image features from
/// scale-invariant keypoints", §6.1), as used for dense descriptors by Mensink et al. (2010, ImageCLEF, §4.1).
///
/// **Gradients** (once per scale image g, size W_s × H_s), central differences, one-sided at the border:
///
///     g_x(x, y) = (g(x+1, y) − g(x−1, y)) / 2      (g(1, y) − g(0, y) at x = 0, g(W−1, y) − g(W−2, y) at x = W−1)
///     g_y(x, y) = (g(x, y+1) − g(x, y−1)) / 2      (likewise; a 1-pixel-wide axis has zero gradient)
///     m = √(g_x² + g_y²),   θ = atan2(g_y, g_x),   t = (8·θ / 2π) mod 8 ∈ [0, 8)
///
/// θ is measured from +x towards +y, i.e. clockwise on screen because y grows downwards. Orientation bin b is
/// centred at θ_b = 2π·b/8 (b = 0: +x, b = 2: +y). Linear binning between the two nearest bins:
///
///     b₀ = ⌊t⌋,  r = t − b₀:   o_b₀ = 1 − r,   o_(b₀+1 mod 8) = r,   o_b = 0 otherwise.
///
/// **Spatial binning** (per patch). Pixel (i, j) of the P×P patch has centre u = i + ½, v = j + ½ ∈ (0, P). With
/// C = 4 cells of c = P/C pixels per side, its cell coordinates are ξ = u/c − ½ and η = v/c − ½ (cell k is
/// centred at ξ = k), and bilinear weights a_k(ξ) = max(0, 1 − |ξ − k|) spread it over the ≤ 2×2 nearest
/// cells; weight that would land outside the patch is dropped (as in SIFT).
///
/// **Window**: Gaussian, centred on the patch, σ = P/2 (`windowSigmaFraction`·P, like SIFT's half-width):
///
///     w(u, v) = exp(−((u − P/2)² + (v − P/2)²) / (2σ²)),      M = Σ_(i,j) w(u, v)
///
/// **Histogram** (trilinear: 2 spatial axes × orientation):
///
///     h[l, k, b] = Σ_(i,j) w(u, v) · a_l(η) · a_k(ξ) · m(i, j) · o_b(t(i, j))
///
/// **Normalisation** with the contrast ρ = ‖h‖₂ / M (the window-weighted gradient energy, independent of P):
///
///     ρ < τ_low:  d = 0                              (low contrast: no direction to normalise)
///     else:       d̂ = h / ‖h‖₂,   d̃ = min(d̂, τ_clip),   d = d̃ / ‖d̃‖₂
///
/// so every descriptor is unit-norm or exactly zero. ORH is invariant to a brightness offset (gradients ignore
/// constants) and to contrast scaling above τ_low (the L2 normalisation removes the factor).
///
/// **Shapes**: gray (H_s, W_s) row-major; per-pixel planes b₀ (Int32), m·(1 − r), m·r each (H_s, W_s); one
/// descriptor d (128) = [l][k][b] row-major: d[(l·4 + k)·8 + b], l = cell row (y), k = cell column (x).
///
/// **Numerical notes**: `lowContrastThreshold` τ_low = 5·10⁻⁴ on ρ: a patch of uniform gradient magnitude m in one
/// direction has ρ ≈ 0.24·m, so τ_low corresponds to m ≈ 0.002 per pixel (half an 8-bit gray level): flat or
/// nearly flat patches (sky, quantisation noise) give the zero descriptor instead of amplified noise.
/// `clipThreshold` τ_clip = 0.2 (Lowe). Accumulation is in Float in the fast path and in Double in the naive
/// twin; they agree to ~2·10⁻⁷ after normalisation (tests allow 10⁻⁵).
///
/// **Implementation**: the fast path (`DenseExtractor`) computes b₀, m·(1 − r), m·r once per scale image (8 pixels
/// at a time, θ by a polynomial `angle` instead of libm's atan2f) and the separable tables ⌊ξ⌋, w_x·(1 − frac ξ),
/// w_x·frac ξ once per geometry (w(u, v) = w_x(u)·w_y(v)). Each patch row is accumulated run by run (pixels sharing
/// their lower cell) into 8-wide orientation vectors held in registers, then spread over the two cell rows with
/// w_y; that binning runs in C (orh.c, one 8-lane vector per cell, dispatched by `KernelISA`), with its Swift twin
/// `describeLanes`. `naiveDescriptor` is the plain per-patch reference (Double, every cell × every bin per pixel).
public enum OrientationHistogram {
    /// Orientation bins per cell.
    public static let orientationBins = 8
    /// Descriptor length: 4 × 4 cells × 8 orientations.
    public static let dimension = DenseGrid.cellsPerSide * DenseGrid.cellsPerSide * orientationBins
    /// τ_clip: the largest entry of the unit descriptor before renormalisation (Lowe, 2004).
    public static let clipThreshold: Float = 0.2
    /// τ_low: below this contrast ρ = ‖h‖₂ / M the descriptor is the zero vector (see Numerical notes).
    public static let lowContrastThreshold: Float = 5e-4
    /// σ / P of the Gaussian window.
    public static let windowSigmaFraction: Double = 0.5

    // MARK: - Normalisation

    /// In place: h → 0 if ‖h‖₂ / M < τ_low, else normalise, clip at τ_clip, renormalise. Returns ρ = ‖h‖₂ / M.
    @discardableResult
    static func normalize(_ h: UnsafeMutableBufferPointer<Float>, windowMass: Float) -> Float {
        var sumSquares: Float = 0
        for v in h { sumSquares += v * v }
        let norm = sumSquares.squareRoot()
        let contrast = norm / windowMass
        guard contrast >= lowContrastThreshold, norm > 0 else {
            for i in h.indices { h[i] = 0 }
            return contrast
        }
        let inverse = 1 / norm
        var clippedSquares: Float = 0
        for i in h.indices {
            let v = min(h[i] * inverse, clipThreshold)
            h[i] = v
            clippedSquares += v * v
        }
        let renorm = 1 / clippedSquares.squareRoot()
        for i in h.indices { h[i] *= renorm }
        return contrast
    }

    /// `normalize` on an array (tests, small callers).
    public static func normalized(_ h: [Float], windowMass: Float) -> [Float] {
        var out = h
        out.withUnsafeMutableBufferPointer { _ = normalize($0, windowMass: windowMass) }
        return out
    }

    // MARK: - Per-geometry tables

    /// The separable spatial × window weights of one patch axis (the same for x and y: patches are square).
    struct PatchTables: Sendable {
        let patchSize: Int
        /// ⌊ξ⌋ + 1 ∈ 0 … 4: the lower cell in a histogram padded by one cell on each side.
        let cell: [Int32]
        /// w_x(u)·(1 − (ξ − ⌊ξ⌋)) → cell ⌊ξ⌋.
        let lower: [Float]
        /// w_x(u)·(ξ − ⌊ξ⌋) → cell ⌊ξ⌋ + 1.
        let upper: [Float]
        /// M = (Σ_u w_x(u))².
        let windowMass: Float
        /// Runs of pixels with the same lower cell: pixels segmentStart[r] ..< segmentStart[r + 1] have cell[i] ==
        /// segmentCell[r], so a patch row accumulates each run in registers before touching memory.
        let segmentStart: [Int32]
        let segmentCell: [Int32]

        init(patchSize p: Int) {
            patchSize = p
            let c = Double(p) / Double(DenseGrid.cellsPerSide)
            let sigma = OrientationHistogram.windowSigmaFraction * Double(p)
            var cell: [Int32] = [], lower: [Float] = [], upper: [Float] = []
            var mass1D = 0.0
            for i in 0 ..< p {
                let u = Double(i) + 0.5
                let window = exp(-(u - Double(p) / 2) * (u - Double(p) / 2) / (2 * sigma * sigma))
                let xi = u / c - 0.5
                let k = xi.rounded(.down)
                let frac = xi - k
                cell.append(Int32(k) + 1)
                lower.append(Float(window * (1 - frac)))
                upper.append(Float(window * frac))
                mass1D += window
            }
            self.cell = cell
            self.lower = lower
            self.upper = upper
            windowMass = Float(mass1D * mass1D)
            var segmentStart: [Int32] = [0], segmentCell: [Int32] = [cell[0]]
            for i in 1 ..< p where cell[i] != cell[i - 1] {
                segmentStart.append(Int32(i))
                segmentCell.append(cell[i])
            }
            segmentStart.append(Int32(p))
            self.segmentStart = segmentStart
            self.segmentCell = segmentCell
        }
    }

    // MARK: - Fast path

    /// Writes the 128-D descriptors of every patch of `level` (rows of patches outer, columns inner) to `out`:
    /// the histogram binning in C (`WideKernels.orientationHistograms`, orh.c, on the `KernelISA.active` level
    /// or `isa`), then `normalize` per patch. `describeLanes` is the Swift twin of the binning; every level gives
    /// its bits.
    @inline(never)  // keeps ORH apart from COL in profiles
    static func describe(_ gradients: Gradients, level: DenseGrid.Level, tables: PatchTables,
                         into out: UnsafeMutablePointer<Float>, isa: KernelISA = .active) {
        gradients.bin.withUnsafeBufferPointer { bin in
        gradients.lower.withUnsafeBufferPointer { mLower in
        gradients.upper.withUnsafeBufferPointer { mUpper in
        tables.cell.withUnsafeBufferPointer { cell in
        tables.lower.withUnsafeBufferPointer { wLower in
        tables.upper.withUnsafeBufferPointer { wUpper in
        tables.segmentStart.withUnsafeBufferPointer { segmentStart in
        tables.segmentCell.withUnsafeBufferPointer { segmentCell in
            WideKernels.orientationHistograms(
                bins: bin.baseAddress!, lowerMagnitudes: mLower.baseAddress!, upperMagnitudes: mUpper.baseAddress!,
                width: gradients.width, patchSize: tables.patchSize, cells: cell.baseAddress!,
                lowerWeights: wLower.baseAddress!, upperWeights: wUpper.baseAddress!,
                segmentStarts: segmentStart.baseAddress!, segmentCells: segmentCell.baseAddress!,
                segments: segmentCell.count, offsetX: level.offsetX, offsetY: level.offsetY, step: level.step,
                columns: level.columns, rows: level.rows, into: out, isa: isa)
        }}}}}}}}
        for patch in 0 ..< level.count {
            normalize(UnsafeMutableBufferPointer(start: out + patch * dimension, count: dimension),
                      windowMass: tables.windowMass)
        }
    }
}
