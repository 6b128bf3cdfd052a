import Core
import LinearAlgebra
import Retrieval

/// Timing helpers behind `tributary bench knn` (workload W6 of `bench/ANCHORS.md`): build time, queries/s and
/// recall@k of `LSHForest` against `ExactSearch`, and a sweep over (L, K, c) for a recall/throughput curve.
///
/// Conventions follow the anchor script (`w6_knn.py`): queries/s = B / seconds of one pass over all queries
/// (`passes` timed passes, no separate warm-up, index build excluded and reported apart); recall@k =
/// |approx top-k ∩ exact top-k| / k averaged over queries, with the exact answer from `ExactSearch` (float32
/// GEMM; the anchors use float64, which differs only on near-ties). Everything runs on the calling thread;
/// OpenBLAS threads (query hashing, exact GEMM) follow `OPENBLAS_NUM_THREADS`.
///
/// Measured on the anchor files (1 thread, shared 2-core machine under load, FAISS re-run in the same session):
///
/// | index | metric | queries/s | recall@5 |
/// | --- | --- | --- | --- |
/// | LSHForest L=64 K=20 c=32 (defaults) | l2 | 2,425–2,960 | 0.927 |
/// | LSHForest L=32 K=24 c=100 | l2 | 2,727 | 0.908 |
/// | FAISS IndexLSH nbits=256 + re-rank k_factor=50 | l2 | 1,338 | 0.814 |
/// | FAISS IndexLSH nbits=128 + re-rank k_factor=50 | l2 | 1,279 | 0.614 |
/// | LSHForest L=128 K=20 c=16 | ip | 2,032 | 0.931 |
/// | LSHForest L=64 K=20 c=32 (defaults) | ip | 3,234 | 0.781 |
/// | FAISS IndexLSH nbits=256 + re-rank k_factor=50 | ip | 1,073 | 0.356 |
/// | ExactSearch | l2 / ip | 1,117–1,696 / 1,336 | 1 |
public enum RetrievalBenchmark {
    /// One measured configuration.
    public struct Result: Sendable {
        /// "exact" or "lsh-forest L=… K=… c=…".
        public var name: String
        public var metric: Metric
        /// Forest parameters (nil for exact search).
        public var parameters: LSHForest.Parameters?
        /// Index build seconds (hashing + sorting, or copying for exact search).
        public var buildSeconds: Double
        /// Queries/s of each timed pass.
        public var queriesPerSecond: [Double]
        /// recall@k against exact search.
        public var recall: Double
        /// Mean distinct candidates re-ranked per query (forest only; measured on up to 1,000 queries).
        public var meanCandidates: Double?

        /// The median of `queriesPerSecond`.
        public var medianQueriesPerSecond: Double {
            let s = queriesPerSecond.sorted()
            return s.isEmpty ? 0 : s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
        }
    }

    /// (L, K, c) points of the default sweep, from cheap to thorough.
    public static let defaultGrid: [(trees: Int, maxDepth: Int, candidatesPerTree: Int)] = [
        (10, 24, 10), (32, 24, 32), (32, 24, 100), (48, 20, 48), (64, 20, 24), (64, 20, 32), (96, 20, 24),
        (128, 20, 16),
    ]

    /// |approx_b ∩ exact_b| / k averaged over queries (ids only).
    public static func recall(_ approx: [[Neighbor]], _ exact: [[Neighbor]], k: Int) -> Double {
        precondition(approx.count == exact.count, "recall: \(approx.count) result lists vs \(exact.count) exact")
        guard !exact.isEmpty, k > 0 else { return 1 }
        var hits = 0
        for (a, e) in zip(approx, exact) {
            let truth = Set(e.prefix(k).map(\.id))
            hits += a.prefix(k).filter { truth.contains($0.id) }.count
        }
        return Double(hits) / Double(k * exact.count)
    }

    /// Exact search timings; also returns its answer, the ground truth for `forest`.
    public static func exact(_ data: KNNDataset, metric: Metric, k: Int = 5,
                             passes: Int = 3) throws -> (truth: [[Neighbor]], result: Result) {
        var index: ExactSearch?
        let build = try measureSeconds { index = try ExactSearch(data.base, metric: metric) }
        var truth: [[Neighbor]] = []
        var rates: [Double] = []
        for pass in 0 ..< passes {
            let t = try measureSeconds {
                let r = try index!.search(queries: data.queries, k: k)
                if pass == 0 { truth = r }
            }
            rates.append(Double(data.queries.rows) / t)
        }
        return (truth, Result(name: "exact", metric: metric, parameters: nil, buildSeconds: build,
                              queriesPerSecond: rates, recall: 1, meanCandidates: nil))
    }

    /// Builds an `LSHForest` with `parameters` on the base, times `passes` passes over the queries, and scores
    /// the first pass against `truth`.
    public static func forest(_ data: KNNDataset, parameters: LSHForest.Parameters, truth: [[Neighbor]], k: Int = 5,
                              passes: Int = 3) throws -> Result {
        var index: LSHForest?
        let build = try measureSeconds { index = try LSHForest(data.base, parameters: parameters) }
        var first: [[Neighbor]] = []
        var rates: [Double] = []
        for pass in 0 ..< passes {
            let t = try measureSeconds {
                let r = try index!.search(queries: data.queries, k: k)
                if pass == 0 { first = r }
            }
            rates.append(Double(data.queries.rows) / t)
        }
        let sample = data.queries.rows(0 ..< Swift.min(1000, data.queries.rows))
        let candidates = try index!.candidates(queries: sample, k: k)
        let mean = Double(candidates.reduce(0) { $0 + $1.count }) / Double(Swift.max(1, candidates.count))
        let p = parameters
        return Result(name: "lsh-forest L=\(p.trees) K=\(p.maxDepth) c=\(p.candidatesPerTree)", metric: p.metric,
                      parameters: p, buildSeconds: build, queriesPerSecond: rates,
                      recall: recall(first, truth, k: k), meanCandidates: mean)
    }

    /// `forest` for every (L, K, c) of `grid`, with `metric` and `seed`: a recall/throughput curve.
    public static func sweep(_ data: KNNDataset, metric: Metric, truth: [[Neighbor]],
                             grid: [(trees: Int, maxDepth: Int, candidatesPerTree: Int)] = defaultGrid,
                             k: Int = 5, passes: Int = 3, seed: UInt64 = 0,
                             progress: (Result) -> Void = { _ in }) throws -> [Result] {
        try grid.map { point in
            let p = LSHForest.Parameters(trees: point.trees, maxDepth: point.maxDepth,
                                         candidatesPerTree: point.candidatesPerTree, metric: metric, seed: seed)
            let result = try forest(data, parameters: p, truth: truth, k: k, passes: passes)
            progress(result)
            return result
        }
    }
}
