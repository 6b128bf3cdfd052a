#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
/// twin; they agree to ~10⁻⁶ after normalisation.
///
/// **Implementation**: the fast path (`DenseExtractor`) computes b₀, m·(1 − r), m·r once per scale image and the
/// separable tables ⌊ξ⌋, w_x·(1 − frac ξ), w_x·frac ξ once per geometry (w(u, v) = w_x(u)·w_y(v)), then
/// accumulates each patch row into 8-wide orientation vectors. `naiveDescriptor` is the plain per-patch reference.
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
    public static func normalize(_ h: UnsafeMutableBufferPointer<Float>, windowMass: Float) -> Float {
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

    // MARK: - Per-scale gradients

    /// b₀, m·(1 − r) and m·r for every pixel of one scale image (H_s, W_s).
    struct Gradients {
        let width: Int
        let height: Int
        var bin: [Int32]
        var lower: [Float]
        var upper: [Float]

        init(gray: [Float], width: Int, height: Int) {
            self.width = width
            self.height = height
            let n = width * height
            bin = [Int32](repeating: 0, count: n)
            lower = [Float](repeating: 0, count: n)
            upper = [Float](repeating: 0, count: n)
            let binsPerRadian = Float(OrientationHistogram.orientationBins) / (2 * Float.pi)
            let bins = Float(OrientationHistogram.orientationBins)
            gray.withUnsafeBufferPointer { g in
                bin.withUnsafeMutableBufferPointer { b in
                    lower.withUnsafeMutableBufferPointer { lo in
                        upper.withUnsafeMutableBufferPointer { hi in
                            for y in 0 ..< height {
                                // Rows above/below and the divisor of the y difference (1 at the border, 2 inside).
                                let up = max(y - 1, 0), down = min(y + 1, height - 1)
                                let yScale: Float = down - up == 2 ? 0.5 : 1
                                for x in 0 ..< width {
                                    let left = max(x - 1, 0), right = min(x + 1, width - 1)
                                    let xScale: Float = right - left == 2 ? 0.5 : 1
                                    let gx = (g[y * width + right] - g[y * width + left]) * xScale
                                    let gy = (g[down * width + x] - g[up * width + x]) * yScale
                                    let m = (gx * gx + gy * gy).squareRoot()
                                    var t = atan2f(gy, gx) * binsPerRadian
                                    if t < 0 { t += bins }
                                    var b0 = Int32(t)          // t ≥ 0: truncation is ⌊t⌋
                                    if t >= bins { b0 = 0; t = 0 }  // t rounded up to exactly 8
                                    let r = t - Float(b0)
                                    let p = y * width + x
                                    b[p] = b0
                                    lo[p] = m * (1 - r)
                                    hi[p] = m * r
                                }
                            }
                        }
                    }
                }
            }
        }
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
        }
    }

    // MARK: - Fast path

    /// Writes the 128-D descriptors of every patch of `level` (rows of patches outer, columns inner) to `out`.
    static func describe(_ gradients: Gradients, level: DenseGrid.Level, tables: PatchTables,
                         into out: UnsafeMutablePointer<Float>) {
        let p = tables.patchSize, width = gradients.width
        let bins = orientationBins, cells = DenseGrid.cellsPerSide, padded = cells + 2
        // oneHot[b] = e_b (with e_8 = e_0, so b₀ + 1 needs no wrap-around).
        let oneHot = UnsafeMutablePointer<SIMD8<Float>>.allocate(capacity: bins + 1)
        for b in 0 ... bins {
            var e = SIMD8<Float>(repeating: 0)
            e[b % bins] = 1
            oneHot[b] = e
        }
        let histogram = UnsafeMutablePointer<SIMD8<Float>>.allocate(capacity: padded * padded)
        let row = UnsafeMutablePointer<SIMD8<Float>>.allocate(capacity: padded)
        defer { oneHot.deallocate(); histogram.deallocate(); row.deallocate() }

        gradients.bin.withUnsafeBufferPointer { bin in
        gradients.lower.withUnsafeBufferPointer { mLower in
        gradients.upper.withUnsafeBufferPointer { mUpper in
        tables.cell.withUnsafeBufferPointer { cell in
        tables.lower.withUnsafeBufferPointer { wLower in
        tables.upper.withUnsafeBufferPointer { wUpper in
            var descriptor = out
            for ky in 0 ..< level.rows {
                let y0 = level.originY(ky)
                for kx in 0 ..< level.columns {
                    let x0 = level.originX(kx)
                    histogram.update(repeating: .zero, count: padded * padded)
                    for j in 0 ..< p {
                        row.update(repeating: .zero, count: padded)
                        let base = (y0 + j) * width + x0
                        for i in 0 ..< p {
                            let q = base + i
                            let b = Int(bin[q])
                            let e = oneHot[b] * mLower[q] + oneHot[b + 1] * mUpper[q]
                            let k = Int(cell[i])
                            row[k] += wLower[i] * e
                            row[k + 1] += wUpper[i] * e
                        }
                        let l = Int(cell[j]) * padded
                        let a = wLower[j], c = wUpper[j]
                        for k in 0 ..< padded {
                            histogram[l + k] += a * row[k]
                            histogram[l + padded + k] += c * row[k]
                        }
                    }
                    // Inner 4×4 cells → d[(l·4 + k)·8 + b].
                    for l in 0 ..< cells {
                        for k in 0 ..< cells {
                            let v = histogram[(l + 1) * padded + k + 1]
                            let d = descriptor + (l * cells + k) * bins
                            for b in 0 ..< bins { d[b] = v[b] }
                        }
                    }
                    normalize(UnsafeMutableBufferPointer(start: descriptor, count: dimension),
                              windowMass: tables.windowMass)
                    descriptor += dimension
                }
            }
        }}}}}}
    }
}
