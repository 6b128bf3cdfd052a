import LinearAlgebra

/// Brute-force k-nearest-neighbour search: the exact yardstick every approximate index is measured against
/// (FAISS `IndexFlat`).
///
/// Model: for each query q and every stored x, with s = q·x from one GEMM per (query block, base block):
///
///     innerProduct:  score = s
///     cosine:        score = s · (1/‖q‖) · (1/‖x‖)           (0 for a zero vector)
///     l2:            score = −(‖q‖² − 2s + ‖x‖²) = −‖q − x‖²
///
/// and the k best under `Neighbor.precedes` are kept by a bounded selection per query.
///
/// Shapes: base (N, D); queries (B, D); scores scratch (`queryBlock`, `baseBlock`) = 256 × 4096 floats (4 MiB),
/// whatever N and B, so memory stays bounded; results B lists of min(k, N) neighbours (fewer with exclusion).
///
/// Numerical notes: the L2 score goes through the expansion above, so for near-identical vectors it can round to
/// a tiny positive value; ranks are unaffected beyond rounding. The plain-loop twin `searchNaive` computes
/// −Σ(q_j − x_j)² directly and sorts all N scores; tests compare the two.
public struct ExactSearch: Sendable {
    /// The score to rank by.
    public let metric: Metric
    /// D.
    public let dimension: Int
    /// N, the number of stored points.
    public private(set) var count: Int = 0
    var vectors: [Float] = []
    var ids: [Int] = []
    /// ‖x‖² (l2) or 1/‖x‖ (cosine) per point; unused for inner product.
    var pointTerms: [Float] = []

    /// Queries per GEMM block.
    static let queryBlock = 128
    /// Stored points per GEMM block.
    static let baseBlock = 1024

    public init(dimension: Int, metric: Metric) throws {
        guard dimension >= 1 else {
            throw RetrievalError.invalidParameter(name: "dimension", value: "\(dimension)", rule: "must be ≥ 1")
        }
        self.dimension = dimension
        self.metric = metric
    }

    /// An index over `base` (N, D) with ids `ids` (default 0 ..< N).
    public init(_ base: Matrix<Float>, ids: [Int]? = nil, metric: Metric) throws {
        try self.init(dimension: base.columns, metric: metric)
        try add(base, ids: ids)
    }

    /// Appends the rows of `x` (n, D) with ids `ids` (default count ..< count + n).
    public mutating func add(_ x: Matrix<Float>, ids newIDs: [Int]? = nil) throws {
        guard x.columns == dimension else {
            throw RetrievalError.dimensionMismatch(what: "ExactSearch.add vectors", expected: dimension, got: x.columns)
        }
        if let newIDs, newIDs.count != x.rows {
            throw RetrievalError.countMismatch(what: "ExactSearch.add ids", expected: x.rows, got: newIDs.count)
        }
        let inverse = SimilarityKernels.inverseNorms(x.values, rows: x.rows, dimension: dimension)
        switch metric {
        case .cosine: pointTerms += inverse
        case .l2: pointTerms += inverse.map { $0 > 0 ? 1 / ($0 * $0) : 0 }
        case .innerProduct: pointTerms += [Float](repeating: 0, count: x.rows)
        }
        vectors += x.values
        ids += newIDs ?? Array(count ..< count + x.rows)
        count += x.rows
    }

    /// The k best stored points for each query row (B, D), best first; `excluding[b]` is never returned for b.
    public func search(queries: Matrix<Float>, k: Int, excluding: [Int]? = nil) throws -> [[Neighbor]] {
        try search(queries: queries, k: k, excluding: excluding, queryBlock: Self.queryBlock, baseBlock: Self.baseBlock)
    }

    /// `search` with explicit block sizes (tests use small blocks to exercise ragged edges cheaply).
    func search(queries: Matrix<Float>, k: Int, excluding: [Int]?, queryBlock: Int,
                baseBlock: Int) throws -> [[Neighbor]] {
        try validate(queries: queries, k: k, excluding: excluding)
        let b = queries.rows, d = dimension, n = count, metric = metric
        guard k > 0, n > 0 else { return Array(repeating: [], count: b) }
        let queryTerms = SimilarityKernels.inverseNorms(queries.values, rows: b, dimension: d).map { inv in
            metric == .l2 ? (inv > 0 ? 1 / (inv * inv) : 0) : inv
        }
        var results: [[Neighbor]] = []
        results.reserveCapacity(b)
        var scores = [Float](repeating: 0, count: queryBlock * baseBlock)
        let storage = UnsafeMutablePointer<Neighbor>.allocate(capacity: queryBlock * k)
        defer { storage.deallocate() }
        queries.values.withUnsafeBufferPointer { qv in
            vectors.withUnsafeBufferPointer { xv in
                pointTerms.withUnsafeBufferPointer { xt in
                    ids.withUnsafeBufferPointer { idv in
                        scores.withUnsafeMutableBufferPointer { s in
                            for q0 in stride(from: 0, to: b, by: queryBlock) {
                                let qn = Swift.min(queryBlock, b - q0)
                                var selectors = (0 ..< qn).map { TopKSelector(k: k, storage: storage + $0 * k) }
                                for x0 in stride(from: 0, to: n, by: baseBlock) {
                                    let xn = Swift.min(baseBlock, n - x0)
                                    Float.gemm(transposeA: false, transposeB: true, m: qn, n: xn, k: d, alpha: 1,
                                               a: qv.baseAddress! + q0 * d, lda: d, b: xv.baseAddress! + x0 * d, ldb: d,
                                               beta: 0, c: s.baseAddress!, ldc: xn)
                                    for i in 0 ..< qn {
                                        let row = s.baseAddress! + i * xn, terms = xt.baseAddress! + x0
                                        let qt = queryTerms[q0 + i], excluded = excluding?[q0 + i] ?? -1
                                        // Scores in place (branch-free, vectorisable), then one thresholded scan.
                                        switch metric {
                                        case .innerProduct: break
                                        case .cosine: for j in 0 ..< xn { row[j] = row[j] * qt * terms[j] }
                                        case .l2: for j in 0 ..< xn { row[j] = 2 * row[j] - qt - terms[j] }
                                        }
                                        var threshold = selectors[i].threshold
                                        for j in 0 ..< xn where row[j] >= threshold && idv[x0 + j] != excluded {
                                            selectors[i].offer(id: idv[x0 + j], score: row[j])
                                            threshold = selectors[i].threshold
                                        }
                                    }
                                }
                                for selector in selectors { results.append(selector.sorted()) }
                            }
                        }
                    }
                }
            }
        }
        return results
    }

    /// The plain-loop twin of `search`: every score by its definition, all N sorted per query.
    func searchNaive(queries: Matrix<Float>, k: Int, excluding: [Int]? = nil) throws -> [[Neighbor]] {
        try validate(queries: queries, k: k, excluding: excluding)
        let d = dimension
        return (0 ..< queries.rows).map { b in
            var all: [Neighbor] = []
            for i in 0 ..< count where ids[i] != (excluding?[b] ?? -1) {
                var dot: Float = 0, qq: Float = 0, xx: Float = 0, dist: Float = 0
                for j in 0 ..< d {
                    let q = queries[b, j], x = vectors[i * d + j]
                    dot += q * x
                    qq += q * q
                    xx += x * x
                    dist += (q - x) * (q - x)
                }
                let score: Float
                switch metric {
                case .innerProduct: score = dot
                case .cosine: score = qq > 0 && xx > 0 ? dot / (qq.squareRoot() * xx.squareRoot()) : 0
                case .l2: score = -dist
                }
                all.append(Neighbor(id: ids[i], score: score))
            }
            return Array(all.sorted(by: Neighbor.precedes).prefix(k))
        }
    }

    func validate(queries: Matrix<Float>, k: Int, excluding: [Int]?) throws {
        try validateSearch(queries: queries, k: k, excluding: excluding, dimension: dimension)
    }
}
