import Core
import Foundation
import LinearAlgebra
import Retrieval
import Stages

/// Recall of the `query` stage's LSH answers against exact search, measured on a sample of the queries so that
/// it stays cheap (one GEMM pass of ≤ 256 queries over the N indexed rows; rank 0 only).
///
/// With B queries, the sample S = rows 0, s, 2s, … (s = ⌈B / 256⌉, so |S| ≤ 256; deterministic), L_b the LSH
/// list of query b (−1 padding dropped) and E_b the exact top k of `ExactSearch` over all N indexed rows under
/// the index's metric (with the same self-exclusion):
///
///     recall@k = (1/|S'|) Σ_{b ∈ S'} |L_b ∩ E_b| / |E_b|,    S' = {b ∈ S : E_b ≠ ∅}
///
/// Ties at the k-th exact score may make a correct LSH answer count as a miss: recall is then slightly low,
/// never high.
public enum QueryRecall {
    /// Sampled query rows of B queries.
    public static func sample(_ queries: Int, at most: Int = 256) -> [Int] {
        let step = max(1, (queries + most - 1) / most)
        return Array(stride(from: 0, to: queries, by: step))
    }

    /// recall@k of `lsh` against `exact` (one list per query, same order).
    public static func recall(lsh: [[Int]], exact: [[Int]]) -> Double {
        precondition(lsh.count == exact.count, "QueryRecall: \(lsh.count) LSH lists, \(exact.count) exact lists")
        var sum = 0.0, counted = 0
        for (l, e) in zip(lsh, exact) where !e.isEmpty {
            sum += Double(Set(l.filter { $0 >= 0 }).intersection(e).count) / Double(e.count)
            counted += 1
        }
        return counted == 0 ? .nan : sum / Double(counted)
    }

    /// recall@k of `result` for `queries` (B, M) against `base` (N, M) under `metric`; `excludeSelf` as the stage's.
    public static func measure(_ result: QueryResult, queries: Matrix<Float>, base: Matrix<Float>, metric: Metric,
                               excludeSelf: Bool) throws -> (recall: Double, sampled: Int) {
        let rows = sample(queries.rows)
        var values = [Float]()
        values.reserveCapacity(rows.count * queries.columns)
        for b in rows { values += (0 ..< queries.columns).map { queries[b, $0] } }
        let exact = try ExactSearch(base, metric: metric)
            .search(queries: Matrix(rows: rows.count, columns: queries.columns, values: values), k: result.k,
                    excluding: excludeSelf ? rows : nil)
        return (recall(lsh: rows.map { result.neighbours(of: $0) }, exact: exact.map { $0.map(\.id) }), rows.count)
    }
}

extension QueryRecall {
    /// The report paragraph of the `query` stage: recall@k against exact search, reading the queries and the
    /// indexed embeddings (`source`) again (rank 0).
    static func reportLine(_ result: QueryResult, config: QueryConfig, source: String) throws -> String {
        let header = try IndexFiles.readHeader(config.index)
        guard case let .string(name)? = header.parameters["metric"], let metric = IndexMetric(rawValue: name)?.metric else { return "" }
        let n = try IndexFiles.int(header, "count", config.index), m = try IndexFiles.int(header, "dimension", config.index)
        try MemoryBudget.current.reserve(bytes: 4 * n * m, for: source,
                                         purpose: "the \(n) indexed embeddings for exact search (recall of the LSH answers)",
                                         fix: "raise the memory budget or index a smaller embeddings file")
        let (queries, _) = try IndexFiles.readEmbeddings(config.queries)
        let (base, _) = try IndexFiles.readEmbeddings(source)
        let (recall, sampled) = try measure(result, queries: queries, base: base, metric: metric, excludeSelf: config.excludeSelf)
        return "\nRecall of the LSH Forest against exact search (`ExactSearch`, \(name)): **recall@\(result.k) = "
            + "\(fixed(100 * recall, 1)) %**" + (sampled == queries.rows ? " over all \(sampled) queries.\n"
                : " on \(sampled) of \(queries.rows) queries (every \(sample(queries.rows)[1])th row).\n")
    }
}
