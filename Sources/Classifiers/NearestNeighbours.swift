import Core
import LinearAlgebra

/// The k most similar database items of each query, by dot-product similarity s(q, j) = x_q·x_j.
///
/// For L2-normalised rows (Fisher vectors, tag vectors) this is the cosine similarity, and ordering by it is
/// ordering by Euclidean distance. The similarities of a block of queries against the whole database are one
/// GEMM, S = X_Q X_Nᵀ (`blockSize` queries at a time to bound memory); each row of S then keeps its best k in a
/// bounded heap (O(N log k)). `searchNaive` is the plain-loop twin (full sort) used by the tests.
///
/// **Order.** Decreasing similarity; equal similarities by increasing database index (deterministic, and the
/// same in both twins). **Self exclusion** (TagProp's leave-one-out, π_ii = 0): `excluding[q]` names the
/// database index that query q may not return (its own row when the queries are training items).
///
/// **Distribution.** The queries can be any slice: rank r searches the rows `shard(count: Q, rank: r, size:)`
/// against the full database, and `leaveOneOut(database:count:communicator:)` all-gathers the slices into the
/// full (Q, k) result, identical for any number of ranks.
///
/// **Shapes.** queries: (Q, D); database: (N, D); `indices`, `similarities`: (Q, k) row-major.
public struct Neighbours: Sendable, Equatable {
    /// Q, the number of queries.
    public let queries: Int
    /// k, neighbours per query.
    public let count: Int
    /// (Q, k) database indices, best first.
    public var indices: [Int]
    /// (Q, k) similarities, non-increasing along each row.
    public var similarities: [Float]

    public init(queries: Int, count: Int, indices: [Int], similarities: [Float]) {
        precondition(indices.count == queries * count && similarities.count == queries * count,
                     "Neighbours: \(indices.count) indices, \(similarities.count) similarities for \(queries)×\(count)")
        self.queries = queries
        self.count = count
        self.indices = indices
        self.similarities = similarities
    }

    /// The j-th neighbour (0 = nearest) of query q.
    public func index(query q: Int, rank j: Int) -> Int { indices[q * count + j] }

    /// The first `k` neighbours of every query (k ≤ count).
    public func prefix(_ k: Int) -> Neighbours {
        precondition(k <= count, "Neighbours.prefix: \(k) > \(count)")
        var ind: [Int] = [], sim: [Float] = []
        for q in 0 ..< queries {
            ind += indices[(q * count) ..< (q * count + k)]
            sim += similarities[(q * count) ..< (q * count + k)]
        }
        return Neighbours(queries: queries, count: k, indices: ind, similarities: sim)
    }
}

public enum NearestNeighbours {
    /// Queries per GEMM block.
    public static var defaultBlockSize: Int { 256 }

    /// The k nearest database rows of every query row; `excluding[q]` (if given) is never returned for query q.
    public static func search(queries: Matrix<Float>, database: Matrix<Float>, count k: Int,
                              excluding: [Int]? = nil, blockSize: Int = defaultBlockSize) throws -> Neighbours {
        try validate(queries: queries, database: database, count: k, excluding: excluding)
        var indices = [Int](repeating: 0, count: queries.rows * k)
        var similarities = [Float](repeating: 0, count: queries.rows * k)
        var heap = TopK(capacity: k)
        var start = 0
        while start < queries.rows {
            let end = Swift.min(start + Swift.max(1, blockSize), queries.rows)
            let block = BLAS.matmul(queries.rows(start ..< end), database, transposeB: true)  // (b, N)
            for q in start ..< end {
                heap.removeAll()
                let skip = excluding?[q] ?? -1
                block.values.withUnsafeBufferPointer { s in
                    let row = (q - start) * database.rows
                    for j in 0 ..< database.rows where j != skip { heap.offer(s[row + j], j) }
                }
                let best = heap.sortedBestFirst()
                for (r, e) in best.enumerated() {
                    indices[q * k + r] = e.index
                    similarities[q * k + r] = e.similarity
                }
            }
            start = end
        }
        return Neighbours(queries: queries.rows, count: k, indices: indices, similarities: similarities)
    }

    /// Leave-one-out neighbours of the database rows `rows` among all database rows (each excludes itself).
    public static func leaveOneOut(database: Matrix<Float>, rows: Range<Int>, count k: Int) throws -> Neighbours {
        try search(queries: database.rows(rows), database: database, count: k, excluding: Array(rows))
    }

    /// Leave-one-out neighbours of every database row, each rank searching its shard of the queries; the
    /// slices are all-gathered, so every rank returns the full (N, k) result.
    public static func leaveOneOut(database: Matrix<Float>, count k: Int,
                                   communicator: any Communicator) throws -> Neighbours {
        let mine = shard(count: database.rows, rank: communicator.rank, size: communicator.size)
        let local = try leaveOneOut(database: database, rows: mine, count: k)
        // Distributed: slices come back in rank order = query order.
        let indices = try communicator.allGather(local.indices).flatMap { $0 }
        let similarities = try communicator.allGather(local.similarities).flatMap { $0 }
        return Neighbours(queries: database.rows, count: k, indices: indices, similarities: similarities)
    }

    /// Naive twin of `search`: plain-loop dot products and a full sort per query.
    static func searchNaive(queries: Matrix<Float>, database: Matrix<Float>, count k: Int,
                            excluding: [Int]? = nil) throws -> Neighbours {
        try validate(queries: queries, database: database, count: k, excluding: excluding)
        var indices: [Int] = [], similarities: [Float] = []
        for q in 0 ..< queries.rows {
            var candidates: [(similarity: Float, index: Int)] = []
            for j in 0 ..< database.rows where j != (excluding?[q] ?? -1) {
                var s: Float = 0
                for c in 0 ..< queries.columns { s += queries[q, c] * database[j, c] }
                candidates.append((s, j))
            }
            candidates.sort { $0.similarity > $1.similarity || ($0.similarity == $1.similarity && $0.index < $1.index) }
            indices += candidates.prefix(k).map(\.index)
            similarities += candidates.prefix(k).map(\.similarity)
        }
        return Neighbours(queries: queries.rows, count: k, indices: indices, similarities: similarities)
    }

    static func validate(queries: Matrix<Float>, database: Matrix<Float>, count k: Int, excluding: [Int]?) throws {
        guard queries.columns == database.columns else {
            throw ClassifierError.shapeMismatch(what: "NearestNeighbours: query dimension vs database dimension",
                                                expected: database.columns, got: queries.columns)
        }
        if let excluding, excluding.count != queries.rows {
            throw ClassifierError.shapeMismatch(what: "NearestNeighbours: excluded indices per query",
                                                expected: queries.rows, got: excluding.count)
        }
        let available = database.rows - (excluding == nil ? 0 : 1)
        guard k >= 1, k <= available else {
            let what = excluding == nil ? "database rows" : "database rows minus self"
            throw ClassifierError.invalidOption(name: "count", value: "\(k)", requirement: "in 1...\(available) (\(what))")
        }
    }
}

/// A bounded min-heap keeping the k best (similarity, index) pairs; the root is the worst kept pair.
struct TopK {
    let capacity: Int
    private var heap: [(similarity: Float, index: Int)] = []

    init(capacity: Int) {
        self.capacity = capacity
        heap.reserveCapacity(capacity)
    }

    /// a ranks below b: lower similarity, or equal similarity and larger index.
    @inline(__always) static func worse(_ a: (similarity: Float, index: Int), _ b: (similarity: Float, index: Int)) -> Bool {
        a.similarity < b.similarity || (a.similarity == b.similarity && a.index > b.index)
    }

    mutating func removeAll() { heap.removeAll(keepingCapacity: true) }

    mutating func offer(_ similarity: Float, _ index: Int) {
        let e = (similarity: similarity, index: index)
        if heap.count < capacity {
            heap.append(e)
            var c = heap.count - 1
            while c > 0, Self.worse(heap[c], heap[(c - 1) / 2]) { heap.swapAt(c, (c - 1) / 2); c = (c - 1) / 2 }
        } else if Self.worse(heap[0], e) {
            heap[0] = e
            var p = 0
            while true {
                let l = 2 * p + 1, r = l + 1
                var m = p
                if l < heap.count, Self.worse(heap[l], heap[m]) { m = l }
                if r < heap.count, Self.worse(heap[r], heap[m]) { m = r }
                if m == p { break }
                heap.swapAt(p, m)
                p = m
            }
        }
    }

    func sortedBestFirst() -> [(similarity: Float, index: Int)] { heap.sorted { Self.worse($1, $0) } }
}
