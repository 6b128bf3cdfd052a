import Core
#if canImport(Glibc)
import Glibc
#endif
import LinearAlgebra

/// The W6 nearest-neighbour workload of `bench/ANCHORS.md`: 50-d points from 20 Gaussian clusters (centres
/// ~ N(0, 2² I), unit-variance clusters, cluster drawn uniformly), 100,000 base points and 10,000 queries.
public struct KNNDataset: Sendable {
    /// The indexed points (N, D).
    public var base: Matrix<Float>
    /// The queries (B, D).
    public var queries: Matrix<Float>
    /// Where the data came from (file paths, or the synthetic recipe and seed).
    public var source: String

    public init(base: Matrix<Float>, queries: Matrix<Float>, source: String) {
        self.base = base
        self.queries = queries
        self.source = source
    }

    /// The anchors' own files, `knn50_base.f32` (100,000 × 50) and `knn50_query.f32` (10,000 × 50), raw
    /// little-endian float32 row-major, from `directory` ($ANCHOR_DATA, written by `gen_data.py knn`), so that
    /// Tributary and FAISS run on identical data.
    public static func anchorW6(directory: String) throws -> KNNDataset {
        let basePath = directory + "/knn50_base.f32", queryPath = directory + "/knn50_query.f32"
        let base = try readFloat32(basePath, rows: 100_000, columns: 50)
        let queries = try readFloat32(queryPath, rows: 10_000, columns: 50)
        return KNNDataset(base: base, queries: queries, source: "\(basePath), \(queryPath)")
    }

    /// The W6 recipe drawn with `SeededRandom` (not numpy's PCG64, so not the anchors' exact points): for
    /// benchmarks and tests where the anchor files are absent. `spread` is the clusters' standard deviation.
    public static func clustered(baseCount: Int = 100_000, queryCount: Int = 10_000, dimension: Int = 50,
                                 clusters: Int = 20, centerScale: Float = 2, spread: Float = 1,
                                 seed: UInt64 = 601) -> KNNDataset {
        var rng = SeededRandom(seed: seed)
        let centers = rng.normalFloats(clusters * dimension).map { $0 * centerScale }
        func draw(_ n: Int, stream: UInt64) -> Matrix<Float> {
            var r = SeededRandom(seed: seed, stream: stream)
            var values = [Float](repeating: 0, count: n * dimension)
            for i in 0 ..< n {
                let c = r.bounded(clusters)
                for j in 0 ..< dimension {
                    values[i * dimension + j] = centers[c * dimension + j] + spread * Float(r.normal())
                }
            }
            return Matrix(rows: n, columns: dimension, values: values)
        }
        return KNNDataset(base: draw(baseCount, stream: 1), queries: draw(queryCount, stream: 2),
                          source: "clustered(N \(baseCount), B \(queryCount), D \(dimension), \(clusters) clusters, "
                              + "centres N(0, \(centerScale)²), spread \(spread), seed \(seed))")
    }

    static func readFloat32(_ path: String, rows: Int, columns: Int) throws -> Matrix<Float> {
        guard let file = fopen(path, "rb") else {
            throw BenchError.dataFile(path: path, reason: "cannot be opened")
        }
        defer { fclose(file) }
        var values = [Float](repeating: 0, count: rows * columns)
        let read = values.withUnsafeMutableBytes { fread($0.baseAddress, 4, rows * columns, file) }
        guard read == rows * columns, fgetc(file) == EOF else {
            throw BenchError.dataFile(path: path, reason: "expected exactly \(rows)×\(columns) float32 values "
                + "(\(4 * rows * columns) bytes)")
        }
        return Matrix(rows: rows, columns: columns, values: values)
    }
}
