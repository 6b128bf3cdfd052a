#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LinearAlgebra

/// ORH's per-scale gradients (`OrientationHistogram`): each pixel's orientation bin b₀ and its magnitude m split
/// between bins b₀ and b₀ + 1 by r, with the polynomial `angle` (atan2 without libm) they are computed by.
extension OrientationHistogram {
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
                            let g = g.baseAddress!, b = b.baseAddress!, lo = lo.baseAddress!, hi = hi.baseAddress!
                            for y in 0 ..< height {
                                // Rows above/below and the divisor of the y difference (1 at the border, 2 inside).
                                let up = max(y - 1, 0), down = min(y + 1, height - 1)
                                let yScale: Float = down - up == 2 ? 0.5 : 1
                                let row = y * width
                                // One pixel, any x (border columns use one-sided differences).
                                func pixel(_ x: Int) {
                                    let left = max(x - 1, 0), right = min(x + 1, width - 1)
                                    let xScale: Float = right - left == 2 ? 0.5 : 1
                                    let gx = (g[row + right] - g[row + left]) * xScale
                                    let gy = (g[down * width + x] - g[up * width + x]) * yScale
                                    let m = (gx * gx + gy * gy).squareRoot()
                                    var t = OrientationHistogram.angle(gy, gx) * binsPerRadian
                                    if t >= bins { t = 0 }  // 2π by round-off
                                    let b0 = Int32(t)       // t ≥ 0: truncation is ⌊t⌋
                                    let r = t - Float(b0)
                                    b[row + x] = b0
                                    lo[row + x] = m * (1 - r)
                                    hi[row + x] = m * r
                                }
                                pixel(0)
                                // Interior columns 8 at a time: the same formulas, lane-wise.
                                var x = 1
                                while x + 8 <= width - 1 {
                                    let gx = (Gradients.load(g + row + x + 1) - Gradients.load(g + row + x - 1)) * 0.5
                                    let gy = (Gradients.load(g + down * width + x) - Gradients.load(g + up * width + x)) * yScale
                                    let m = (gx * gx + gy * gy).squareRoot()
                                    var t = OrientationHistogram.angle(gy, gx) * binsPerRadian
                                    t.replace(with: 0, where: t .>= bins)
                                    // Lane by lane: the generic SIMD Float → Int conversion is not vectorised.
                                    for lane in 0 ..< 8 {
                                        let b0 = Int32(t[lane])
                                        let r = t[lane] - Float(b0)
                                        b[row + x + lane] = b0
                                        lo[row + x + lane] = m[lane] * (1 - r)
                                        hi[row + x + lane] = m[lane] * r
                                    }
                                    x += 8
                                }
                                while x < width { pixel(x); x += 1 }
                            }
                        }
                    }
                }
            }
        }

        @inline(__always)
        private static func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
            UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
        }
    }

    /// θ = atan2(y, x) in [0, 2π] (2π only by round-off), without libm: fold into the first octant
    /// (a = min(|x|, |y|) / max(|x|, |y|) ∈ [0, 1]), reduce a > tan(π/8) by atan(a) = π/4 + atan((a − 1)/(a + 1)),
    /// evaluate atan on [−tan(π/8), tan(π/8)] by the odd minimax polynomial of Cephes' `atanf`
    /// (a + a·z·(c₁ + c₂z + c₃z² + c₄z³), z = a², relative error ~2·10⁻⁷), then unfold the octant.
    /// Four times faster than glibc's atan2f here; the naive twin uses Double `atan2`, and they agree to ~10⁻⁶.
    @inline(__always)
    static func angle(_ y: Float, _ x: Float) -> Float {
        let ax = abs(x), ay = abs(y)
        let largest = max(ax, ay), smallest = min(ax, ay)
        if largest == 0 { return 0 }
        var a = smallest / largest
        var base: Float = 0
        if a > atanReductionThreshold {
            a = (a - 1) / (a + 1)
            base = Float.pi / 4
        }
        let z = a * a
        let polynomial = ((atanC4 * z + atanC3) * z + atanC2) * z + atanC1
        var phi = base + (a + a * z * polynomial)
        if ay > ax { phi = Float.pi / 2 - phi }
        if x < 0 { phi = Float.pi - phi }
        if y < 0 { phi = 2 * Float.pi - phi }
        return phi
    }

    /// `angle` lane-wise (the same operations, branches replaced by masks).
    @inline(__always)
    static func angle(_ y: SIMD8<Float>, _ x: SIMD8<Float>) -> SIMD8<Float> {
        let zero = SIMD8<Float>(repeating: 0)
        let ax = x.replacing(with: zero - x, where: x .< 0), ay = y.replacing(with: zero - y, where: y .< 0)
        let yLarger = ay .> ax
        let largest = ax.replacing(with: ay, where: yLarger), smallest = ay.replacing(with: ax, where: yLarger)
        var a = smallest / largest.replacing(with: 1, where: largest .== 0)
        let reduce = a .> atanReductionThreshold
        a.replace(with: (a - 1) / (a + 1), where: reduce)
        let base = zero.replacing(with: Float.pi / 4, where: reduce)
        let z = a * a
        let polynomial = ((atanC4 * z + atanC3) * z + atanC2) * z + atanC1
        var phi = base + (a + a * z * polynomial)
        phi.replace(with: Float.pi / 2 - phi, where: yLarger)
        phi.replace(with: Float.pi - phi, where: x .< 0)
        phi.replace(with: 2 * Float.pi - phi, where: y .< 0)
        return phi
    }

    /// tan(π/8): above it, `angle` reduces the argument around π/4.
    static let atanReductionThreshold: Float = 0.414_213_56
    /// Minimax coefficients of (atan(a) − a) / a³ in z = a² on |a| ≤ tan(π/8) (Cephes `atanf`).
    static let atanC1: Float = -3.333_294_915_39e-1
    static let atanC2: Float = 1.997_771_064_78e-1
    static let atanC3: Float = -1.387_768_560_32e-1
    static let atanC4: Float = 8.053_744_495_38e-2
}
