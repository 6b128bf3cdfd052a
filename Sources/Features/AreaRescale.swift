/// Area-averaging (box) resampling of an `ImagePlanes` to a new size: every output pixel is the mean of the input
/// image over the output pixel's footprint, partial input pixels weighted by their covered fraction.
///
/// Along one axis of input length n and output length n′, the ratio is r = n / n′ (r > 1 shrinks). Output pixel
/// i covers the input interval [i·r, (i+1)·r); input pixel j covers [j, j+1). Its weight is
///
///     a_ij = |[i·r, (i+1)·r) ∩ [j, j+1)| / r,        Σ_j a_ij = 1,
///
/// and the 2-D resampling is separable: out(y′, x′, c) = Σ_x a_x′x · Σ_y a_y′y · in(y, x, c) (whole rows are
/// combined along y first, which vectorises and leaves fewer rows for the gather along x). Because the weights of
/// each output pixel sum to one, a constant image stays constant; an integer ratio r = 2 gives plain 2×2 block
/// means. The gray plane of the result is the luma of its RGB (luma is linear, so this equals resampling the gray
/// plane).
///
/// Shapes: in (H, W, 3) → out (H′, W′, 3) row-major; taps per output pixel ≤ ⌈r⌉ + 1.
///
/// Numerical notes: the weights are computed in Double, renormalised to sum to exactly 1 in Double, then rounded to
/// Float; overlaps below `AreaRescale.minimumOverlap` (round-off at coinciding edges) are dropped.
public enum AreaRescale {
    /// Overlaps shorter than this (in input pixels) are round-off at coinciding pixel edges, not real taps.
    public static let minimumOverlap = 1e-9

    /// The rescaled size round(W·f) × round(H·f) (at least 1×1) for a scale factor f.
    public static func size(width: Int, height: Int, factor: Double) -> (width: Int, height: Int) {
        (max(1, Int((Double(width) * factor).rounded())), max(1, Int((Double(height) * factor).rounded())))
    }

    /// `image` resampled to `width`×`height` by area averaging (the identity when the size is unchanged).
    public static func rescale(_ image: ImagePlanes, width: Int, height: Int) -> ImagePlanes {
        precondition(width > 0 && height > 0, "AreaRescale: output size must be positive, got \(width)×\(height)")
        if width == image.width && height == image.height { return image }
        let tapsX = Taps(input: image.width, output: width)
        let tapsY = Taps(input: image.height, output: height)
        let inW = image.width
        // Pass 1 (y): output row y′ = Σ_y a_y′y · input row y, whole interleaved rows at once → (height, inW, 3).
        let inRow = inW * 3
        var columns = [Float](repeating: 0, count: height * inRow)
        image.rgb.withUnsafeBufferPointer { src in
            columns.withUnsafeMutableBufferPointer { dst in
                tapsY.withBuffers { start, index, weight in
                    for y in 0 ..< height {
                        let dstRow = dst.baseAddress! + y * inRow
                        for k in Int(start[y]) ..< Int(start[y + 1]) {
                            let srcRow = src.baseAddress! + Int(index[k]) * inRow, w = weight[k]
                            for i in 0 ..< inRow { dstRow[i] += w * srcRow[i] }
                        }
                    }
                }
            }
        }
        // Pass 2 (x): each of the `height` rows resampled along x → (height, width, 3).
        var out = [Float](repeating: 0, count: height * width * 3)
        columns.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                tapsX.withBuffers { start, index, weight in
                    for y in 0 ..< height {
                        let srcRow = y * inRow, dstRow = y * width * 3
                        for x in 0 ..< width {
                            var r: Float = 0, g: Float = 0, b: Float = 0
                            for k in Int(start[x]) ..< Int(start[x + 1]) {
                                let p = srcRow + Int(index[k]) * 3, w = weight[k]
                                r += w * src[p]; g += w * src[p + 1]; b += w * src[p + 2]
                            }
                            let q = dstRow + x * 3
                            dst[q] = r; dst[q + 1] = g; dst[q + 2] = b
                        }
                    }
                }
            }
        }
        return ImagePlanes(uncheckedWidth: width, height: height, rgb: out)
    }

    /// The sparse weights a_ij of one axis, in compressed-row form: output i uses taps start[i] ..< start[i+1].
    struct Taps {
        var start: [Int32] = [0]
        var index: [Int32] = []
        var weight: [Float] = []

        init(input n: Int, output m: Int) {
            let r = Double(n) / Double(m)
            for i in 0 ..< m {
                let a = Double(i) * r, b = Double(i + 1) * r
                var taps: [(Int, Double)] = []
                var j = max(0, Int(a.rounded(.down)))
                while j < n && Double(j) < b {
                    let overlap = min(b, Double(j + 1)) - max(a, Double(j))
                    if overlap > AreaRescale.minimumOverlap { taps.append((j, overlap)) }
                    j += 1
                }
                let total = taps.reduce(0) { $0 + $1.1 }
                for (j, w) in taps {
                    index.append(Int32(j))
                    weight.append(Float(w / total))
                }
                start.append(Int32(index.count))
            }
        }

        func withBuffers<R>(_ body: (UnsafeBufferPointer<Int32>, UnsafeBufferPointer<Int32>,
                                     UnsafeBufferPointer<Float>) -> R) -> R {
            start.withUnsafeBufferPointer { s in
                index.withUnsafeBufferPointer { i in weight.withUnsafeBufferPointer { w in body(s, i, w) } }
            }
        }
    }
}
