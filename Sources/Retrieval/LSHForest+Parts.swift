import LinearAlgebra

extension LSHForest {
    /// A forest as plain arrays, for saving (e.g. as HDF5 datasets plus the parameters as attributes) and
    /// loading back. `init(parts:)` of the `parts` of a forest gives a forest with identical search results.
    ///
    /// | field | shape | content |
    /// | --- | --- | --- |
    /// | `parameters` | — | L, K, c, metric, seed |
    /// | `normals` | (L·K, D) | hyperplane normals, row t·K + j = w_{t,j} |
    /// | `labels` | (L, N) | each tree's labels ascending (bit j of the label at position 63 − j) |
    /// | `rows` | (L, N) | the row of `vectors` each label belongs to; ties in label ordered by row |
    /// | `ids` | (N) | the id of each row (≥ 0) |
    /// | `vectors` | (N, D) | the stored vectors, needed for exact re-ranking |
    public struct Parts: Sendable, Equatable {
        public var parameters: Parameters
        public var normals: Matrix<Float>
        public var labels: [UInt64]
        public var rows: [UInt32]
        public var ids: [Int]
        public var vectors: Matrix<Float>

        public init(parameters: Parameters, normals: Matrix<Float>, labels: [UInt64], rows: [UInt32], ids: [Int],
                    vectors: Matrix<Float>) {
            self.parameters = parameters
            self.normals = normals
            self.labels = labels
            self.rows = rows
            self.ids = ids
            self.vectors = vectors
        }
    }

    /// The forest's arrays (copies on write of the stored buffers).
    public var parts: Parts {
        Parts(parameters: parameters, normals: hashing.normals, labels: labels, rows: rows, ids: ids,
              vectors: Matrix(rows: count, columns: dimension, values: vectors))
    }

    /// A forest from saved arrays. Checks every structural invariant (shapes, each tree's `rows` a permutation of
    /// 0 ..< N, labels sorted with ties by row, labels using only the top K bits, ids ≥ 0) and throws
    /// `RetrievalError.corruptParts` naming the first violation. Labels are trusted to be the hashes of the
    /// vectors (re-hash with `hashing.labels` to verify).
    public init(parts: Parts) throws {
        let p = parts.parameters, n = parts.ids.count, l = p.trees, kMax = p.maxDepth
        guard p.candidatesPerTree >= 1 else {
            throw RetrievalError.invalidParameter(name: "candidatesPerTree", value: "\(p.candidatesPerTree)",
                                                  rule: "must be ≥ 1")
        }
        let hashing = try RandomHyperplanes(normals: parts.normals, trees: l, bits: kMax)
        guard parts.vectors.rows == n, parts.vectors.columns == hashing.dimension else {
            throw RetrievalError.corruptParts(reason: "vectors are \(parts.vectors.rows)×\(parts.vectors.columns), "
                + "expected \(n)×\(hashing.dimension) (N from ids, D from normals)")
        }
        guard parts.labels.count == l * n, parts.rows.count == l * n else {
            throw RetrievalError.corruptParts(reason: "labels/rows have \(parts.labels.count)/\(parts.rows.count) "
                + "entries, expected L·N = \(l * n)")
        }
        if let bad = parts.ids.firstIndex(where: { $0 < 0 }) {
            throw RetrievalError.corruptParts(reason: "ids[\(bad)] = \(parts.ids[bad]) is negative")
        }
        let unused = ~PrefixDescent.mask(kMax)
        var seen = [Int](repeating: -1, count: n)
        for t in 0 ..< l {
            for s in 0 ..< n {
                let i = t * n + s, row = Int(parts.rows[i])
                guard row < n, seen[row] != t else {
                    throw RetrievalError.corruptParts(reason: "tree \(t) slot \(s): row \(row) is out of range "
                        + "or repeated (each tree's rows must be a permutation of 0..<\(n))")
                }
                seen[row] = t
                guard parts.labels[i] & unused == 0 else {
                    throw RetrievalError.corruptParts(reason: "tree \(t) slot \(s): label uses bits beyond K = \(kMax)")
                }
                if s > 0 {
                    let (a, b) = (parts.labels[i - 1], parts.labels[i])
                    guard a < b || (a == b && parts.rows[i - 1] < parts.rows[i]) else {
                        throw RetrievalError.corruptParts(
                            reason: "tree \(t) is not sorted by (label, row) at slot \(s)")
                    }
                }
            }
        }
        self.init(parameters: p, hashing: hashing, vectors: parts.vectors.values, ids: parts.ids,
                  labels: parts.labels, rows: parts.rows)
    }
}
