#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - Naive twin

extension OrientationHistogram {
    /// The raw histogram h[l, k, b] and window mass M of the P×P patch at (x0, y0) of a gray image (H, W),
    /// straight from the formulas in `OrientationHistogram`'s documentation: per pixel, every cell and every
    /// orientation bin, weights as `max(0, 1 − distance)`, accumulated in Double. The reference for tests; slow.
    public static func naiveRawHistogram(gray: [Float], width: Int, height: Int, x0: Int, y0: Int,
                                         patchSize p: Int) -> (histogram: [Double], windowMass: Double) {
        precondition(x0 >= 0 && y0 >= 0 && x0 + p <= width && y0 + p <= height, "patch outside the image")
        func g(_ x: Int, _ y: Int) -> Double { Double(gray[y * width + x]) }
        let cells = DenseGrid.cellsPerSide, bins = orientationBins
        let c = Double(p) / Double(cells)
        let sigma = windowSigmaFraction * Double(p)
        var h = [Double](repeating: 0, count: dimension)
        var mass = 0.0
        for j in 0 ..< p {
            for i in 0 ..< p {
                let x = x0 + i, y = y0 + j
                // Central differences, one-sided at the image border.
                var gx = 0.0, gy = 0.0
                if width > 1 {
                    if x == 0 { gx = g(1, y) - g(0, y) }
                    else if x == width - 1 { gx = g(x, y) - g(x - 1, y) }
                    else { gx = (g(x + 1, y) - g(x - 1, y)) / 2 }
                }
                if height > 1 {
                    if y == 0 { gy = g(x, 1) - g(x, 0) }
                    else if y == height - 1 { gy = g(x, y) - g(x, y - 1) }
                    else { gy = (g(x, y + 1) - g(x, y - 1)) / 2 }
                }
                // The fast path works in Float; rounding the differences to Float keeps the twins comparable.
                gx = Double(Float(gx)); gy = Double(Float(gy))
                let m = (gx * gx + gy * gy).squareRoot()
                var t = atan2(gy, gx) * Double(bins) / (2 * Double.pi)
                if t < 0 { t += Double(bins) }
                let u = Double(i) + 0.5, v = Double(j) + 0.5
                let w = exp(-((u - Double(p) / 2) * (u - Double(p) / 2) + (v - Double(p) / 2) * (v - Double(p) / 2))
                            / (2 * sigma * sigma))
                mass += w
                let xi = u / c - 0.5, eta = v / c - 0.5
                for l in 0 ..< cells {
                    let al = max(0, 1 - abs(eta - Double(l)))
                    for k in 0 ..< cells {
                        let ak = max(0, 1 - abs(xi - Double(k)))
                        for b in 0 ..< bins {
                            var distance = abs(t - Double(b))
                            distance = min(distance, Double(bins) - distance)  // circular
                            let ob = max(0, 1 - distance)
                            h[(l * cells + k) * bins + b] += w * al * ak * m * ob
                        }
                    }
                }
            }
        }
        return (h, mass)
    }

    /// The 128-D ORH descriptor of the P×P patch at (x0, y0): `naiveRawHistogram`, then the low-contrast test,
    /// normalise, clip at τ_clip, renormalise, all in Double. The reference for tests; slow.
    public static func naiveDescriptor(gray: [Float], width: Int, height: Int, x0: Int, y0: Int,
                                       patchSize p: Int) -> [Float] {
        let (h, mass) = naiveRawHistogram(gray: gray, width: width, height: height, x0: x0, y0: y0, patchSize: p)
        let norm = h.reduce(0) { $0 + $1 * $1 }.squareRoot()
        if norm / mass < Double(lowContrastThreshold) || norm == 0 { return [Float](repeating: 0, count: dimension) }
        let clipped = h.map { min($0 / norm, Double(clipThreshold)) }
        let clippedNorm = clipped.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return clipped.map { Float($0 / clippedNorm) }
    }
}
