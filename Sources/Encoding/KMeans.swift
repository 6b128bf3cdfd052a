import Core
import LinearAlgebra

/// k-means clustering (Lloyd's algorithm) with k-means++ or random seeding; used to initialise `GaussianMixture`.
///
/// Reference: Lloyd (1982), "Least squares quantization in PCM"; Arthur & Vassilvitskii (2007), "k-means++:
/// the advantages of careful seeding".
///
/// Model: M centres c_k minimising Σ_i min_k ‖x_i − c_k‖². Each Lloyd iteration
///
///     assign:  a_i = argmin_k ‖x_i − c_k‖² = argmin_k (‖c_k‖² − 2 x_i·c_k)   (one GEMM X·Cᵀ per block; ‖x_i‖² is
///              common to all k and only added back for the reported distance)
///     update:  c_k = mean of { x_i : a_i = k }                                (Double sums)
///
/// k-means++ seeding: c_0 = x_u with u uniform; then c_j = x_i with probability D²(x_i) / Σ D², where D² is the
/// squared distance to the nearest centre chosen so far.
///
/// Shapes: X (n, D); `centers` (M, D); labels (n).
///
/// Numerical notes: an empty cluster keeps its previous centre (deterministic; the GMM built on it gets prior 0
/// and is re-seeded by EM). If every D² is 0 (all rows identical) the next seed is drawn uniformly. Iterations
/// stop early once no assignment changes. Everything is a pure function of (X, M, iterations, seeding, seed).
public struct KMeans: Sendable, Equatable {
    /// How the first centres are chosen.
    public enum Seeding: Sendable, Equatable {
        /// k-means++ (D²-weighted sampling).
        case plusPlus
        /// M distinct rows chosen uniformly.
        case random
    }

    /// C, the centres (M, D).
    public let centers: Matrix<Float>
    /// Σ_i min_k ‖x_i − c_k‖² after the last assignment.
    public let inertia: Double
    /// The Lloyd iterations run.
    public let iterations: Int

    /// Clusters the rows of `x` into `clusters` groups.
    public static func fit(
        _ x: Matrix<Float>, clusters: Int, iterations: Int = 10, seeding: Seeding = .plusPlus, seed: UInt64 = 0
    ) throws -> KMeans {
        guard clusters >= 1 else {
            throw EncodingError.invalidParameter(name: "clusters", value: "\(clusters)", rule: "must be ≥ 1")
        }
        guard x.rows >= clusters else { throw EncodingError.tooFewRows(what: "k-means", rows: x.rows, needed: clusters) }
        var rng = SeededRandom(seed: seed)
        let seeds = seeding == .plusPlus ? plusPlusSeeds(x, clusters: clusters, rng: &rng)
                                         : rng.sample(clusters, from: x.rows)
        var centers = Matrix<Float>(rows: clusters, columns: x.columns)
        for (k, i) in seeds.enumerated() {
            for d in 0 ..< x.columns { centers[k, d] = x[i, d] }
        }
        var labels = [Int](repeating: -1, count: x.rows)
        var run = 0
        var (newLabels, distances) = assign(x, centers: centers)
        while run < iterations, newLabels != labels {
            labels = newLabels
            centers = update(x, labels: labels, previous: centers)
            run += 1
            (newLabels, distances) = assign(x, centers: centers)
        }
        return KMeans(centers: centers, inertia: distances.reduce(0) { $0 + Double($1) }, iterations: run)
    }

    init(centers: Matrix<Float>, inertia: Double, iterations: Int) {
        self.centers = centers
        self.inertia = inertia
        self.iterations = iterations
    }

    /// The nearest centre of each row and the squared distance to it (GEMM in blocks of 4096 rows).
    public func assign(_ x: Matrix<Float>) -> (labels: [Int], distances: [Float]) { Self.assign(x, centers: centers) }

    static func assign(_ x: Matrix<Float>, centers: Matrix<Float>) -> (labels: [Int], distances: [Float]) {
        let m = centers.rows, dim = x.columns, blockRows = 4096
        var norms = [Float](repeating: 0, count: m)
        for k in 0 ..< m { for d in 0 ..< dim { norms[k] += centers[k, d] * centers[k, d] } }
        var labels = [Int](repeating: 0, count: x.rows)
        var distances = [Float](repeating: 0, count: x.rows)
        // One block's products: sized by the rows there are, not by `blockRows` (a 4 MiB buffer zeroed on every call;
        // with `ProductQuantizer.cut`, about a fifth of a 300-row, 256-centre PQ fit's time on one rank).
        var products = [Float](repeating: 0, count: Swift.min(blockRows, x.rows) * m)
        x.values.withUnsafeBufferPointer { px in
            centers.values.withUnsafeBufferPointer { pc in
                products.withUnsafeMutableBufferPointer { pp in
                    for start in stride(from: 0, to: x.rows, by: blockRows) {
                        let n = Swift.min(blockRows, x.rows - start)
                        Float.gemm(transposeA: false, transposeB: true, m: n, n: m, k: dim, alpha: -2,
                                   a: px.baseAddress! + start * dim, lda: dim, b: pc.baseAddress!, ldb: dim,
                                   beta: 0, c: pp.baseAddress!, ldc: m)
                        for i in 0 ..< n {
                            var best = 0, bestValue = Float.infinity
                            for k in 0 ..< m where pp[i * m + k] + norms[k] < bestValue {
                                best = k
                                bestValue = pp[i * m + k] + norms[k]
                            }
                            var xx: Float = 0
                            for d in 0 ..< dim { xx += px[(start + i) * dim + d] * px[(start + i) * dim + d] }
                            labels[start + i] = best
                            distances[start + i] = Swift.max(bestValue + xx, 0)
                        }
                    }
                }
            }
        }
        return (labels, distances)
    }

    /// Plain-loop twin of `assign` (tests).
    static func assignNaive(_ x: Matrix<Float>, centers: Matrix<Float>) -> [Int] {
        (0 ..< x.rows).map { i in
            var best = 0, bestValue = Double.infinity
            for k in 0 ..< centers.rows {
                var s = 0.0
                for d in 0 ..< x.columns { let t = Double(x[i, d] - centers[k, d]); s += t * t }
                if s < bestValue { best = k; bestValue = s }
            }
            return best
        }
    }

    static func update(_ x: Matrix<Float>, labels: [Int], previous: Matrix<Float>) -> Matrix<Float> {
        let m = previous.rows, dim = x.columns
        var sums = [Double](repeating: 0, count: m * dim)
        var counts = [Int](repeating: 0, count: m)
        for i in 0 ..< x.rows {
            let k = labels[i]
            counts[k] += 1
            for d in 0 ..< dim { sums[k * dim + d] += Double(x.values[i * dim + d]) }
        }
        var centers = previous
        for k in 0 ..< m where counts[k] > 0 {
            for d in 0 ..< dim { centers[k, d] = Float(sums[k * dim + d] / Double(counts[k])) }
        }
        return centers
    }

    /// The k-means++ seed rows (M indices into x, in the order chosen).
    static func plusPlusSeeds(_ x: Matrix<Float>, clusters: Int, rng: inout SeededRandom) -> [Int] {
        let n = x.rows, dim = x.columns
        var chosen = [rng.bounded(n)]
        var nearest = [Double](repeating: .infinity, count: n)
        x.values.withUnsafeBufferPointer { px in
            while chosen.count < clusters {
                let c = chosen[chosen.count - 1] * dim
                var total = 0.0
                for i in 0 ..< n {
                    var s: Float = 0
                    for d in 0 ..< dim { let t = px[i * dim + d] - px[c + d]; s += t * t }
                    nearest[i] = Swift.min(nearest[i], Double(s))
                    total += nearest[i]
                }
                guard total > 0 else { chosen.append(rng.bounded(n)); continue }
                let target = rng.uniform() * total
                var cumulative = 0.0, pick = n - 1
                for i in 0 ..< n {
                    cumulative += nearest[i]
                    if cumulative > target { pick = i; break }
                }
                chosen.append(pick)
            }
        }
        return chosen
    }
}
