/// Resizing: separable, bilinear when enlarging, area averaging when shrinking.
///
/// Each axis is resampled on its own (W_in → W_out, then H_in → H_out) with s = n_in / n_out source pixels per
/// output pixel, pixel centres at half-integers:
///
/// - **Enlarging or same size (s ≤ 1): bilinear.** Output j samples the source at u = (j + ½)·s − ½, clamped to
///   [0, n_in − 1]; with i = ⌊u⌋ and t = u − i, out[j] = (1 − t)·in[i] + t·in[min(i + 1, n_in − 1)].
/// - **Shrinking (s > 1): area averaging** (a box prefilter of width s, OpenCV's INTER_AREA). Output j covers
///   the source interval [j·s, (j + 1)·s); out[j] = Σ_i |[i, i + 1) ∩ [j·s, (j + 1)·s)| · in[i] / s.
///   Plain bilinear would read only 2 of every s pixels and alias; averaging uses all of them.
///
/// Weights are computed in Double and normalised to sum to 1, so a constant image stays constant (up to float
/// rounding), 2×2 → 1×1 gives the mean, and the same size returns the pixels unchanged.
extension RGBImage {
    /// This image resampled to `width` × `height` (both > 0). See the formulas above.
    public func resized(width newWidth: Int, height newHeight: Int) -> RGBImage {
        precondition(newWidth > 0 && newHeight > 0, "resized: size must be positive, got \(newWidth)×\(newHeight)")
        if newWidth == width && newHeight == height { return self }
        let horizontal = ResampleTaps(from: width, to: newWidth)
        let vertical = ResampleTaps(from: height, to: newHeight)

        // Pass 1, along rows: (H_in, W_in, 3) → (H_in, W_out, 3).
        let rowsDone = [Float](unsafeUninitializedCapacity: height * newWidth * 3) { out, initialized in
            pixels.withUnsafeBufferPointer { src in
                for y in 0 ..< height {
                    let srcRow = y * width * 3
                    let dstRow = y * newWidth * 3
                    for j in 0 ..< newWidth {
                        var r: Float = 0, g: Float = 0, b: Float = 0
                        for k in horizontal.start[j] ..< horizontal.start[j + 1] {
                            let s = srcRow + horizontal.source[k] * 3
                            let w = horizontal.weight[k]
                            r += w * src[s]
                            g += w * src[s + 1]
                            b += w * src[s + 2]
                        }
                        out[dstRow + j * 3] = r
                        out[dstRow + j * 3 + 1] = g
                        out[dstRow + j * 3 + 2] = b
                    }
                }
            }
            initialized = height * newWidth * 3
        }

        // Pass 2, along columns: (H_in, W_out, 3) → (H_out, W_out, 3), whole rows at a time.
        let rowLength = newWidth * 3
        let result = [Float](unsafeUninitializedCapacity: newHeight * rowLength) { out, initialized in
            out.initialize(repeating: 0)
            rowsDone.withUnsafeBufferPointer { src in
                for j in 0 ..< newHeight {
                    let dst = j * rowLength
                    for k in vertical.start[j] ..< vertical.start[j + 1] {
                        let s = vertical.source[k] * rowLength
                        let w = vertical.weight[k]
                        for c in 0 ..< rowLength { out[dst + c] += w * src[s + c] }
                    }
                }
            }
            initialized = newHeight * rowLength
        }
        return RGBImage(width: newWidth, height: newHeight, pixels: result)
    }
}

/// The source pixels and weights of every output pixel along one axis (n_in → n_out), per the formulas in
/// `RGBImage+Resize.swift`: output j reads `source[k]` with weight `weight[k]` for k in `start[j] ..< start[j + 1]`.
struct ResampleTaps {
    private(set) var start: [Int] = [0]  // n_out + 1 offsets
    private(set) var source: [Int] = []
    private(set) var weight: [Float] = []  // sums to 1 over each output's range

    init(from inCount: Int, to outCount: Int) {
        let scale = Double(inCount) / Double(outCount)
        for j in 0 ..< outCount {
            var taps: [(index: Int, weight: Double)] = []
            if scale <= 1 {
                let u = min(max((Double(j) + 0.5) * scale - 0.5, 0), Double(inCount - 1))
                let i = Int(u.rounded(.down))
                let t = u - Double(i)
                taps.append((i, 1 - t))
                if t > 0 && i + 1 < inCount { taps.append((i + 1, t)) }
            } else {
                let lower = Double(j) * scale, upper = Double(j + 1) * scale
                var i = Int(lower.rounded(.down))
                while i < inCount && Double(i) < upper {
                    let overlap = min(Double(i + 1), upper) - max(Double(i), lower)
                    if overlap > 0 { taps.append((i, overlap)) }
                    i += 1
                }
            }
            let total = taps.reduce(0) { $0 + $1.weight }
            for tap in taps {
                source.append(tap.index)
                weight.append(Float(tap.weight / total))
            }
            start.append(source.count)
        }
    }
}
