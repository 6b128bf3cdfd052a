import Core
import Features
import LinearAlgebra
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension DenseExtractor {
    /// The outcome of `benchmark`.
    public struct BenchmarkResult: Sendable, CustomStringConvertible {
        /// Images per second (single thread, rescaling included).
        public let imagesPerSecond: Double
        /// N per image.
        public let descriptorsPerImage: Int
        /// Wall time of the timed repeats.
        public let seconds: Double
        /// CPU time of the calling thread over the timed repeats (robust to other processes on a shared machine).
        public let cpuSeconds: Double
        /// Images per CPU second of the calling thread: the single-thread rate on an otherwise idle core.
        public var imagesPerCPUSecond: Double { Double(repeats) / cpuSeconds }
        /// Timed repeats.
        public let repeats: Int

        public var description: String {
            func r2(_ v: Double) -> Double { (v * 100).rounded() / 100 }
            return "dense ORH+COL: \(r2(imagesPerSecond)) images/s wall, \(r2(imagesPerCPUSecond)) images/s per CPU "
                + "second, \(descriptorsPerImage) descriptors/image, \(repeats) images"
        }
    }

    /// The W3 benchmark image: a seeded W×H RGB image in [0, 1], a sum of random sinusoids plus rectangles plus
    /// noise (like `bench/anchors` W3), so gradients are present at every scale.
    public static func benchmarkImage(width: Int, height: Int, seed: UInt64 = 301) -> ImagePlanes {
        var rng = SeededRandom(seed: seed)
        var rgb = [Float](repeating: 0, count: width * height * 3)
        for c in 0 ..< 3 {
            var plane = [Float](repeating: 0, count: width * height)
            for _ in 0 ..< 6 {
                let fx = Float(rng.uniform(-0.2, 0.2)), fy = Float(rng.uniform(-0.2, 0.2))
                let phase = Float(rng.uniform(0, 2 * Double.pi)), amplitude = Float(rng.uniform(0.05, 0.15))
                for y in 0 ..< height {
                    for x in 0 ..< width { plane[y * width + x] += amplitude * sinf(fx * Float(x) + fy * Float(y) + phase) }
                }
            }
            for _ in 0 ..< 8 {
                let x0 = rng.bounded(width), y0 = rng.bounded(height)
                let x1 = min(width, x0 + 1 + rng.bounded(width / 3 + 1)), y1 = min(height, y0 + 1 + rng.bounded(height / 3 + 1))
                let v = Float(rng.uniform(-0.2, 0.2))
                for y in y0 ..< y1 { for x in x0 ..< x1 { plane[y * width + x] += v } }
            }
            for i in 0 ..< width * height {
                let noisy = 0.5 + plane[i] + 0.02 * Float(rng.normal())
                rgb[i * 3 + c] = min(1, max(0, noisy))
            }
        }
        return try! ImagePlanes(width: width, height: height, rgb: rgb)  // the shape holds by construction
    }

    /// Times `extract` on the W3 benchmark image (`benchmarkImage`) of W×H, on the calling thread: one warm-up,
    /// then `repeats` timed extractions. Compare with `bench/ANCHORS.md` W3 (VLFeat vl_dsift pyr5) in the same run.
    /// - Throws: `FeatureError.imageTooSmall` when W×H is smaller than one patch.
    public func benchmark(width: Int = 500, height: Int = 375, repeats: Int = 20) throws -> BenchmarkResult {
        let image = DenseExtractor.benchmarkImage(width: width, height: height)
        let warmUp = try extract(image)
        let clock = ContinuousClock()
        let cpuStart = DenseExtractor.threadCPUSeconds()
        var checksum: Float = 0
        let elapsed = try clock.measure {
            for _ in 0 ..< max(1, repeats) {
                let set = try extract(image)
                checksum += set.x.first ?? 0  // keeps the work observable
            }
        }
        let cpuSeconds = DenseExtractor.threadCPUSeconds() - cpuStart
        precondition(checksum.isFinite)
        let seconds = elapsed.inSeconds
        return BenchmarkResult(imagesPerSecond: Double(max(1, repeats)) / seconds,
                               descriptorsPerImage: warmUp.count, seconds: seconds, cpuSeconds: cpuSeconds,
                               repeats: max(1, repeats))
    }

    /// CPU time of the calling thread, in seconds.
    static func threadCPUSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}
