import LinearAlgebra

extension LSHForest {
    /// Per-query, per-tree counts C_t(x) = |{ p : s_t(p, q) ≥ x }| for x = 0 … K: the only input of the descent
    /// schedule, and additive over disjoint shards (`sum`, or an all-reduce of `values`).
    public struct PrefixCounts: Sendable, Equatable {
        /// B, L and K of the counts.
        public let queries: Int, trees: Int, maxDepth: Int
        /// (B, L, K + 1) row-major: C_t(x) of query b at (b·L + t)·(K + 1) + x.
        public var values: [Int32]

        public init(queries: Int, trees: Int, maxDepth: Int, values: [Int32]) throws {
            guard values.count == queries * trees * (maxDepth + 1) else {
                throw RetrievalError.countMismatch(what: "PrefixCounts values (B·L·(K+1))",
                                                   expected: queries * trees * (maxDepth + 1), got: values.count)
            }
            (self.queries, self.trees, self.maxDepth, self.values) = (queries, trees, maxDepth, values)
        }

        /// The element-wise sum of per-shard counts (what `ShardedForest` all-reduces).
        public static func sum(_ parts: [PrefixCounts]) throws -> PrefixCounts {
            guard var total = parts.first else {
                throw RetrievalError.invalidParameter(name: "parts", value: "[]", rule: "need at least one shard")
            }
            for part in parts.dropFirst() {
                guard (part.queries, part.trees, part.maxDepth) == (total.queries, total.trees, total.maxDepth) else {
                    throw RetrievalError.countMismatch(what: "PrefixCounts of another shard",
                                                       expected: total.values.count, got: part.values.count)
                }
                for i in total.values.indices { total.values[i] += part.values[i] }
            }
            return total
        }
    }

    /// The k nearest stored points of each query row (B, D) under `parameters.metric`: B lists of at most k
    /// neighbours, best first (`Neighbor.precedes`). `excluding[b]` (one id per query, or −1) is never returned
    /// for query b: pass the query's own id when the queries come from the indexed set.
    public func search(queries: Matrix<Float>, k: Int, excluding: [Int]? = nil) throws -> [[Neighbor]] {
        try validate(queries: queries, k: k, excluding: excluding)
        return try run(queries: queries, labels: hashing.labels(queries), k: k, excluding: excluding, global: nil)
    }

    /// `search` with the descent schedule taken from `globalCounts` (the sum of every shard's `prefixCounts` for
    /// these queries) instead of this forest's own counts: the search one shard runs in a sharded index.
    public func search(queries: Matrix<Float>, k: Int, excluding: [Int]? = nil,
                       globalCounts: PrefixCounts) throws -> [[Neighbor]] {
        try validate(queries: queries, k: k, excluding: excluding)
        try validate(counts: globalCounts, queries: queries.rows)
        return try run(queries: queries, labels: hashing.labels(queries), k: k, excluding: excluding,
                       global: globalCounts.values)
    }

    /// This forest's C_t(x) for each query (B, D), x = 0 … K.
    public func prefixCounts(queries: Matrix<Float>) throws -> PrefixCounts {
        try validate(queries: queries, k: 0, excluding: nil)
        return try prefixCounts(labels: hashing.labels(queries), queries: queries.rows)
    }

    /// The distinct candidate ids the descent collects for each query (ascending), before re-ranking: the set
    /// whose size the budget c·L controls. `k` and `excluding` enter the stopping rule as in `search`.
    public func candidates(queries: Matrix<Float>, k: Int = 1, excluding: [Int]? = nil) throws -> [[Int]] {
        try validate(queries: queries, k: k, excluding: excluding)
        var out = [[Int]](repeating: [], count: queries.rows)
        try collect(labels: hashing.labels(queries), queries: queries.rows, k: k, excluding: excluding,
                    global: nil) { b, candidates in out[b] = candidates.map { ids[Int($0)] }.sorted() }
        return out
    }

    // MARK: - Validation

    func validate(queries: Matrix<Float>, k: Int, excluding: [Int]?) throws {
        try validateSearch(queries: queries, k: k, excluding: excluding, dimension: dimension)
    }

    func validate(counts: PrefixCounts, queries: Int) throws {
        guard counts.queries == queries, counts.trees == parameters.trees, counts.maxDepth == parameters.maxDepth else {
            throw RetrievalError.countMismatch(what: "globalCounts (B·L·(K+1))",
                                               expected: queries * parameters.trees * (parameters.maxDepth + 1),
                                               got: counts.values.count)
        }
    }

    // MARK: - Engine

    /// Hashes are (B, L); `global`, if given, is (B, L, K + 1).
    func run(queries: Matrix<Float>, labels queryLabels: [UInt64], k: Int, excluding: [Int]?,
             global: [Int32]?) throws -> [[Neighbor]] {
        guard k > 0 else { return Array(repeating: [], count: queries.rows) }
        let d = dimension, metric = parameters.metric
        var results = [[Neighbor]](repeating: [], count: queries.rows)
        try queries.values.withUnsafeBufferPointer { qv in
            try vectors.withUnsafeBufferPointer { xv in
                try inverseNorms.withUnsafeBufferPointer { scales in
                    try ids.withUnsafeBufferPointer { idv in
                        try TopKSelector.withSelector(k: k) { selector in
                            try collect(labels: queryLabels, queries: queries.rows, k: k, excluding: excluding,
                                        global: global) { b, candidates in
                                selector.reset()
                                let q = qv.baseAddress! + b * d
                                let queryScale = metric == .cosine ? SimilarityKernels.inverseNorm(q, d) : 0
                                for row in candidates {
                                    let r = Int(row)
                                    let score = SimilarityKernels.score(metric, q, xv.baseAddress! + r * d, d,
                                                                        queryScale: queryScale, pointScale: scales[r])
                                    if score >= selector.threshold { selector.offer(id: idv[r], score: score) }
                                }
                                results[b] = selector.sorted()
                            }
                        }
                    }
                }
            }
        }
        return results
    }

    /// Calls `body(b, rows)` once per query with its distinct candidate rows (the excluded id left out), in
    /// collection order; the row buffer is scratch reused for the next query. Queries are visited in the order
    /// of their tree-0 labels, like the storage order, so consecutive queries re-rank overlapping regions of
    /// the stored vectors while they are still in cache (results do not depend on the visiting order).
    func collect(labels queryLabels: [UInt64], queries: Int, k: Int, excluding: [Int]?, global: [Int32]?,
                 body: (Int, UnsafeBufferPointer<UInt32>) throws -> Void) throws {
        let l = parameters.trees, width = parameters.maxDepth + 1, budget = parameters.candidateBudget
        guard queries > 0 else { return }
        var stamps = [UInt32](repeating: 0, count: count)
        var mark: UInt32 = 0
        let found = UnsafeMutablePointer<UInt32>.allocate(capacity: Swift.max(count, 1))
        defer { found.deallocate() }
        let visitOrder = (0 ..< queries).sorted { (queryLabels[$0 * l], $0) < (queryLabels[$1 * l], $1) }
        try withDescent { descent in
            try queryLabels.withUnsafeBufferPointer { ql in
                try stamps.withUnsafeMutableBufferPointer { stamp in
                    try ids.withUnsafeBufferPointer { idv in
                        try (global ?? []).withUnsafeBufferPointer { g in
                            for b in visitOrder {
                                let excluded = excluding?[b] ?? -1
                                let counts = global == nil ? nil : g.baseAddress! + b * l * width
                                let depth = descent.descend(ql.baseAddress! + b * l, budget: budget,
                                                            need: k + (excluded >= 0 ? 1 : 0), global: counts)
                                var m = 0
                                if depth >= 0 {
                                    mark &+= 1
                                    m = descent.gather(depth: depth, stamps: stamp.baseAddress!, mark: mark,
                                                       ids: idv.baseAddress!, excluded: excluded, into: found)
                                }
                                try body(b, UnsafeBufferPointer(start: found, count: m))
                            }
                        }
                    }
                }
            }
        }
    }

    /// Runs `body` with a `PrefixDescent` over this forest's arrays, valid for the call.
    func withDescent<R>(_ body: (inout PrefixDescent) throws -> R) rethrows -> R {
        try labels.withUnsafeBufferPointer { sorted in
            try rows.withUnsafeBufferPointer { slotRows in
                try directory.withUnsafeBufferPointer { dir in
                    try PrefixDescent.with(labels: sorted.baseAddress, rows: slotRows.baseAddress, n: count,
                                           trees: parameters.trees, maxDepth: parameters.maxDepth,
                                           directory: dir.baseAddress!, directoryBits: directoryBits, body)
                }
            }
        }
    }

    /// C_t(x) for every query, tree and depth.
    func prefixCounts(labels queryLabels: [UInt64], queries: Int) throws -> PrefixCounts {
        let l = parameters.trees, kMax = parameters.maxDepth
        var values = [Int32](repeating: 0, count: queries * l * (kMax + 1))
        guard queries > 0 else { return try PrefixCounts(queries: 0, trees: l, maxDepth: kMax, values: []) }
        withDescent { descent in
            queryLabels.withUnsafeBufferPointer { ql in
                values.withUnsafeMutableBufferPointer { out in
                    for b in 0 ..< queries where descent.start(ql.baseAddress! + b * l) >= 0 {
                        for t in 0 ..< l {
                            for x in stride(from: kMax, through: 0, by: -1) {
                                out[(b * l + t) * (kMax + 1) + x] = Int32(descent.expand(t, to: x))
                            }
                        }
                    }
                }
            }
        }
        return try PrefixCounts(queries: queries, trees: l, maxDepth: kMax, values: values)
    }
}
