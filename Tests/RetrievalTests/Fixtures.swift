import Bench
import LinearAlgebra
import Retrieval

/// W6-like clustered data (centres ~ N(0, 2²), unit-variance clusters) at test sizes.
func clusteredData(base: Int, queries: Int, dimension: Int, clusters: Int = 20, spread: Float = 1,
                   seed: UInt64 = 7) -> KNNDataset {
    KNNDataset.clustered(baseCount: base, queryCount: queries, dimension: dimension, clusters: clusters,
                         spread: spread, seed: seed)
}

/// Bit-exact equality of two result sets (ids and score bit patterns).
func sameResults(_ a: [[Neighbor]], _ b: [[Neighbor]]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { x, y in
        x.count == y.count && zip(x, y).allSatisfy { $0.id == $1.id && $0.score.bitPattern == $1.score.bitPattern }
    }
}
