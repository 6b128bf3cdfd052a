import Datasets
import Foundation

/// The interpretability figure (Label-graph dataset joining, Figure 4 analog): one row per chosen augmented
/// node, holding test images whose decoded path passes through that node, each framed blue when the decoded
/// path is deterministic and green when it is nondeterministic (Definitions 3.2 / 3.3), as in the paper.
///
///     row k   = node k of `nodes`;  up to `perRow` predictions p with node k ∈ p.path, in input order,
///               deterministic and nondeterministic ones interleaved so both kinds show when both occur
///     tile    = the gray image scaled ×`scale`, a `border`-pixel frame (blue 0,90,255 / green 0,170,60), 2 px gap
///
/// The PNG is 8-bit RGB written by libpng (`png(width:height:rgb:)` → `PNGEncoder`).
public enum PathFigure {
    public struct Gray: Sendable {
        public var width: Int
        public var height: Int
        /// (height, width) row-major, 0 … 255.
        public var pixels: [UInt8]
        public init(width: Int, height: Int, pixels: [UInt8]) {
            precondition(pixels.count == width * height, "PathFigure.Gray: \(pixels.count) pixels for \(width)×\(height)")
            self.width = width
            self.height = height
            self.pixels = pixels
        }

        /// From intensities in [0, 1] (clamped, rounded to 0 … 255).
        public init(width: Int, height: Int, intensities: [Float]) {
            self.init(width: width, height: height, pixels: intensities.map { UInt8(max(0, min(255, ($0 * 255).rounded()))) })
        }
    }

    /// Up to `count` items taking one from `first` and one from `second` in turn while both last, then the rest
    /// of the longer one, each in input order (so both kinds show when both occur).
    public static func alternating<T>(_ first: [T], _ second: [T], count: Int) -> [T] {
        var chosen: [T] = []
        var i = 0
        while chosen.count < count && (i < first.count || i < second.count) {
            if i < first.count { chosen.append(first[i]) }
            if i < second.count && chosen.count < count { chosen.append(second[i]) }
            i += 1
        }
        return chosen
    }

    /// What each row shows: its node and the chosen predictions.
    public struct Row: Sendable {
        public var node: String
        public var predictions: [PathDecodeStage.Prediction]
    }

    /// The rows of the figure (see the type's notes).
    public static func rows(_ predictions: [PathDecodeStage.Prediction], nodes: [String], perRow: Int) -> [Row] {
        nodes.map { node in
            let through = predictions.filter { $0.path.contains(node) }
            let det = through.filter { $0.deterministic == true }, nondet = through.filter { $0.deterministic != true }
            return Row(node: node, predictions: alternating(det, nondet, count: perRow))
        }
    }

    /// The figure as an RGB canvas (height, width, 3) and its size.
    public static func render(_ rows: [Row], perRow: Int, scale: Int = 2, border: Int = 3,
                              image: (PathDecodeStage.Prediction) throws -> Gray) throws -> (width: Int, height: Int, rgb: [UInt8]) {
        var tiles: [[(Gray, Bool)]] = []
        for row in rows { tiles.append(try row.predictions.map { (try image($0), $0.deterministic == true) }) }
        let cell = tiles.flatMap { $0 }.map { max($0.0.width, $0.0.height) }.max() ?? 28
        let side = cell * scale + 2 * border, gap = 2
        let width = max(1, perRow * (side + gap) + gap), height = max(1, rows.count * (side + gap) + gap)
        var rgb = [UInt8](repeating: 255, count: width * height * 3)
        for (r, row) in tiles.enumerated() {
            for (c, (gray, deterministic)) in row.enumerated() {
                let x0 = gap + c * (side + gap), y0 = gap + r * (side + gap)
                let frame: (UInt8, UInt8, UInt8) = deterministic ? (0, 90, 255) : (0, 170, 60)
                for y in 0 ..< side {
                    for x in 0 ..< side {
                        let o = ((y0 + y) * width + x0 + x) * 3
                        let inside = x >= border && x < side - border && y >= border && y < side - border
                        if !inside {
                            (rgb[o], rgb[o + 1], rgb[o + 2]) = frame
                            continue
                        }
                        let sx = (x - border) / scale, sy = (y - border) / scale
                        let v: UInt8 = sx < gray.width && sy < gray.height ? gray.pixels[sy * gray.width + sx] : 255
                        (rgb[o], rgb[o + 1], rgb[o + 2]) = (v, v, v)
                    }
                }
            }
        }
        return (width, height, rgb)
    }

    /// A PNG file of 8-bit RGB pixels (height, width, 3) row-major (libpng, compressed: `PNGEncoder`).
    public static func png(width: Int, height: Int, rgb: [UInt8]) throws -> [UInt8] {
        try PNGEncoder.encode(rgb: rgb, width: width, height: height, name: "the path figure")
    }
}
