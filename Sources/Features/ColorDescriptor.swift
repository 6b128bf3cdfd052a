/// COL: the 96-D colour descriptor of a square patch (Mensink et al., 2010, ImageCLEF, §4.1): the patch is split into
/// 4×4 sub-regions (the SIFT cells) and each contributes the mean and standard deviation of R, G and B.
///
/// For cell (l, k) of a P×P patch (c = P/4 pixels per side, hard, non-overlapping cells: pixel (i, j) of the
/// patch is in cell (⌊j/c⌋, ⌊i/c⌋)), with n = c² pixels and channel values z ∈ {R, G, B}:
///
///     μ_z = (1/n) Σ z,     s_z = √( (1/n) Σ (z − μ_z)² )      (population standard deviation)
///
/// **Layout** (96 = 16 cells × 6): cells in row-major order (l = cell row, k = cell column), and per cell
///
///     d[(l·4 + k)·6 + 0 … 5] = μ_R, μ_G, μ_B, s_R, s_G, s_B
///
/// No normalisation: values stay in the units of the image ([0, 1]), so PCA sees absolute colour.
///
/// **Shapes**: rgb (H_s, W_s, 3) row-major interleaved; one descriptor (96).
///
/// **Numerical notes**: sums run in Double over values shifted by the cell's first pixel z₀,
/// Σ(z − z₀) and Σ(z − z₀)², so the one-pass variance (1/n)Σ(z − z₀)² − ((1/n)Σ(z − z₀))² suffers no
/// cancellation; a constant cell gives exactly μ = z₀ and s = 0. A variance rounded below 0 is clamped to 0.
public enum ColorDescriptor {
    /// Values per cell: μ_R, μ_G, μ_B, s_R, s_G, s_B.
    public static let valuesPerCell = 6
    /// Descriptor length: 4 × 4 cells × 6.
    public static let dimension = DenseGrid.cellsPerSide * DenseGrid.cellsPerSide * valuesPerCell

    /// Writes [μ_R, μ_G, μ_B, s_R, s_G, s_B] of the c×c cell at (x0, y0) of an interleaved RGB image of width W.
    @inline(__always)
    static func describeCell(rgb: UnsafeBufferPointer<Float>, width: Int, x0: Int, y0: Int, cellSize c: Int,
                             into d: UnsafeMutablePointer<Float>) {
        let n = Double(c * c)
        let first = (y0 * width + x0) * 3
        let r0 = Double(rgb[first]), g0 = Double(rgb[first + 1]), b0 = Double(rgb[first + 2])
        var sr = 0.0, sg = 0.0, sb = 0.0, qr = 0.0, qg = 0.0, qb = 0.0
        for j in 0 ..< c {
            var q = ((y0 + j) * width + x0) * 3
            for _ in 0 ..< c {
                let dr = Double(rgb[q]) - r0, dg = Double(rgb[q + 1]) - g0, db = Double(rgb[q + 2]) - b0
                sr += dr; sg += dg; sb += db
                qr += dr * dr; qg += dg * dg; qb += db * db
                q += 3
            }
        }
        let mr = sr / n, mg = sg / n, mb = sb / n
        d[0] = Float(r0 + mr)
        d[1] = Float(g0 + mg)
        d[2] = Float(b0 + mb)
        d[3] = Float(max(0, qr / n - mr * mr).squareRoot())
        d[4] = Float(max(0, qg / n - mg * mg).squareRoot())
        d[5] = Float(max(0, qb / n - mb * mb).squareRoot())
    }

    /// Writes the 96-D descriptor of the P×P patch at (x0, y0) of an interleaved RGB image of width W to `out`.
    static func describe(rgb: UnsafeBufferPointer<Float>, width: Int, x0: Int, y0: Int, patchSize p: Int,
                         into out: UnsafeMutablePointer<Float>) {
        let cells = DenseGrid.cellsPerSide, c = p / cells
        for l in 0 ..< cells {
            for k in 0 ..< cells {
                describeCell(rgb: rgb, width: width, x0: x0 + k * c, y0: y0 + l * c, cellSize: c,
                             into: out + (l * cells + k) * valuesPerCell)
            }
        }
    }

    /// Writes the descriptors of every patch of `level` (rows of patches outer, columns inner) to `out`.
    ///
    /// When the step is a multiple of the cell size c, the cells of all patches lie on one lattice of pitch c, and
    /// neighbouring patches share cells (4× in the paper geometry, step = 2c): each lattice cell is then computed
    /// once and copied into every patch that contains it. The values are identical to `describe` per patch.
    @inline(never)  // keeps COL apart from ORH in profiles
    static func describe(rgb: UnsafeBufferPointer<Float>, level: DenseGrid.Level,
                         into out: UnsafeMutablePointer<Float>) {
        let p = level.patchSize, cells = DenseGrid.cellsPerSide, c = p / cells
        var d = out
        guard level.step % c == 0 else {
            for ky in 0 ..< level.rows {
                for kx in 0 ..< level.columns {
                    describe(rgb: rgb, width: level.width, x0: level.originX(kx), y0: level.originY(ky),
                             patchSize: p, into: d)
                    d += dimension
                }
            }
            return
        }
        let stride = level.step / c
        let latticeX = (level.columns - 1) * stride + cells, latticeY = (level.rows - 1) * stride + cells
        let lattice = UnsafeMutablePointer<Float>.allocate(capacity: latticeX * latticeY * valuesPerCell)
        defer { lattice.deallocate() }
        for my in 0 ..< latticeY {
            for mx in 0 ..< latticeX {
                describeCell(rgb: rgb, width: level.width, x0: level.offsetX + mx * c, y0: level.offsetY + my * c,
                             cellSize: c, into: lattice + (my * latticeX + mx) * valuesPerCell)
            }
        }
        for ky in 0 ..< level.rows {
            for kx in 0 ..< level.columns {
                for l in 0 ..< cells {
                    // The 4 cells of patch row l are contiguous in the lattice: one copy of 4·6 values.
                    let source = lattice + ((ky * stride + l) * latticeX + kx * stride) * valuesPerCell
                    (d + l * cells * valuesPerCell).update(from: source, count: cells * valuesPerCell)
                }
                d += dimension
            }
        }
    }

    /// The 96-D descriptor of the P×P patch at (x0, y0) of `image` (single patch; `DenseExtractor` does all).
    public static func descriptor(of image: ImagePlanes, x0: Int, y0: Int, patchSize p: Int) -> [Float] {
        precondition(p % DenseGrid.cellsPerSide == 0 && p > 0, "patch size must be a positive multiple of 4")
        precondition(x0 >= 0 && y0 >= 0 && x0 + p <= image.width && y0 + p <= image.height, "patch outside the image")
        var out = [Float](repeating: 0, count: dimension)
        image.rgb.withUnsafeBufferPointer { rgb in
            out.withUnsafeMutableBufferPointer { describe(rgb: rgb, width: image.width, x0: x0, y0: y0, patchSize: p,
                                                          into: $0.baseAddress!) }
        }
        return out
    }
}
