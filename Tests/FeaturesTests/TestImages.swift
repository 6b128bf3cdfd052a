import Core
import Features
import Foundation
import LinearAlgebra

/// Small synthetic images for the Features tests.
enum TestImages {
    /// Gray W×H image g(x, y) = offset + slope·((x + ½ − W/2)·cos θ + (y + ½ − H/2)·sin θ): a ramp whose gradient
    /// has magnitude `slope` and direction θ everywhere.
    static func ramp(width: Int, height: Int, degrees: Double, slope: Float, offset: Float = 0.5) -> ImagePlanes {
        let theta = degrees * Double.pi / 180
        let c = Float(cos(theta)), s = Float(sin(theta))
        var gray = [Float](repeating: 0, count: width * height)
        for y in 0 ..< height {
            for x in 0 ..< width {
                let u = Float(x) + 0.5 - Float(width) / 2, v = Float(y) + 0.5 - Float(height) / 2
                gray[y * width + x] = offset + slope * (u * c + v * s)
            }
        }
        return try! ImagePlanes(width: width, height: height, gray: gray)
    }

    /// Seeded smooth-ish random texture in [0.2, 0.8]: uniform noise box-blurred by 3×3.
    static func texture(width: Int, height: Int, seed: UInt64) -> ImagePlanes {
        var rng = SeededRandom(seed: seed)
        let noise = rng.uniformFloats(width * height * 3)
        var rgb = [Float](repeating: 0, count: width * height * 3)
        for y in 0 ..< height {
            for x in 0 ..< width {
                for c in 0 ..< 3 {
                    var sum: Float = 0, n: Float = 0
                    for dy in -1 ... 1 {
                        for dx in -1 ... 1 {
                            let xx = x + dx, yy = y + dy
                            if xx >= 0 && xx < width && yy >= 0 && yy < height {
                                sum += noise[(yy * width + xx) * 3 + c]; n += 1
                            }
                        }
                    }
                    rgb[(y * width + x) * 3 + c] = 0.2 + 0.6 * sum / n
                }
            }
        }
        return try! ImagePlanes(width: width, height: height, rgb: rgb)
    }

    /// `image` with every value mapped by `f` (RGB and gray alike).
    static func map(_ image: ImagePlanes, _ f: (Float) -> Float) -> ImagePlanes {
        try! ImagePlanes(width: image.width, height: image.height, rgb: image.rgb.map(f))
    }

    /// A constant-colour W×H image.
    static func constant(width: Int, height: Int, r: Float, g: Float, b: Float) -> ImagePlanes {
        var rgb = [Float](repeating: 0, count: width * height * 3)
        for i in 0 ..< width * height { rgb[3 * i] = r; rgb[3 * i + 1] = g; rgb[3 * i + 2] = b }
        return try! ImagePlanes(width: width, height: height, rgb: rgb)
    }

    /// One scale, patches of P every `step`.
    static func singleScale(patch: Int, step: Int) -> DenseExtractor {
        DenseExtractor(grid: try! DenseGrid(patchSize: patch, step: step, scales: 1))
    }
}

/// ‖v‖₂.
func l2(_ v: some Collection<Float>) -> Float { v.reduce(0) { $0 + $1 * $1 }.squareRoot() }

/// Σ over the 16 cells of each of the 8 orientation bins of a 128-D ORH layout.
func orientationTotals(_ d: some Collection<Float>) -> [Float] {
    var totals = [Float](repeating: 0, count: 8)
    for (i, v) in d.enumerated() { totals[i % 8] += v }
    return totals
}
