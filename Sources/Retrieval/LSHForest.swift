import LinearAlgebra

/// LSH Forest: L prefix trees over random-hyperplane labels, queried by a synchronous bottom-up descent and
/// exact re-ranking.
///
/// Reference: Bawa, Condie & Ganesan (2005), "LSH Forest: self-tuning indexes for similarity search" (WWW'05);
/// used by the instance-infusion paper (`papers/instance-infusion-lsh-bilstm.txt`, §2) with M = c·l.
///
/// **Model.** Tree t hashes point p to the K-bit label g_t(p) (`RandomHyperplanes`). In the paper a tree is a
/// trie whose leaves split on collision until each point's label prefix is unique (or K bits long). Let
/// s_t(p, q) = the length of the common prefix of g_t(p) and g_t(q), capped at K. The query descends each tree
/// top-down to its deepest matching node, x_t = max_p s_t(p, q), then climbs all trees synchronously:
///
///     x ← max_t x_t
///     while x > 0 and ( Σ_t C_t(x) < M  or  max_t C_t(x) < k' ):  x ← x − 1
///     candidates = ∪_t { p : s_t(p, q) ≥ x },     C_t(x) = |{ p : s_t(p, q) ≥ x }|
///
/// with M = c·L (`Parameters.candidateBudget`, counted with multiplicity across trees as in the paper) and k' =
/// k (+1 when the query's own id is excluded), a lower bound on the distinct candidates. The candidates are then
/// ranked by the exact `Metric` score and the k best returned (`search`).
///
/// **Storage: sorted arrays, not a trie.** Each tree is the array of its N labels sorted ascending (ties by row),
/// plus the row of each slot (the approach of scikit-learn's former `LSHForest`). The nodes of the trie at depth x
/// are exactly the maximal runs of equal x-bit prefixes, so "descendants of the node at depth x" is a contiguous
/// range found by binary search, and the collision-splitting of the paper is implicit: a prefix is as long as it
/// needs to be to separate points. Compared with a pointer trie this is two flat arrays per tree (12 bytes per
/// point per tree: a `UInt64` label and a `UInt32` row), cache-friendly, trivially serialised (`Parts`), and
/// merging a radix-sorted batch gives incremental insert in O(N + n) per tree. A directory on the top b bits
/// answers shallow ranges in O(1), and deeper ranges are nested, so the bottom-up climb widens the current range
/// by galloping search instead of restarting (`PrefixDescent`).
///
/// **Why the schedule depends only on counts.** The stopping depth is a function of the counts C_t(x) alone, and
/// those counts are sums over disjoint shards. `ShardedForest` all-reduces them, so every shard stops at the
/// depth the union would, and the merged top-k is identical to the union forest's (`prefixCounts`).
///
/// Shapes: vectors (N, D); `labels` and `rows` (L, N) tree-major; ids (N); queries (B, D); results B lists of ≤ k.
///
/// Numerical notes: labels are rounding-guarded (`RandomHyperplanes`); re-ranking uses fixed-order kernels
/// (`SimilarityKernels`), so scores do not depend on the candidate set. Cosine uses stored inverse norms, with
/// 0 for the zero vector.
///
/// **Defaults and cost.** L = 64, K = 20, c = 32 (M = 2,048). On W6 (50-d, 100k points, 20 Gaussian clusters,
/// `RetrievalBenchmark`) they give recall@5 0.927 (l2) / 0.781 (inner product) with ≈ 2,540 distinct
/// candidates per query; more trees beat a larger c at equal candidates (L = 32, c = 100: 0.908 with 2,670), and
/// inner product needs L = 128, c = 16 for 0.931. Memory: N·D floats plus L·N·12 bytes (768 B per point at
/// L = 64). Build: one hashing GEMM per 4,096 rows for all trees, then L radix sorts.
///
/// ```swift
/// var forest = try LSHForest(dimension: 50, parameters: .init(metric: .cosine, seed: 7))
/// try forest.add(base)                                   // (N, 50); ids 0 ..< N
/// let hits = try forest.search(queries: q, k: 5)        // B lists of Neighbor, best first
/// ```
public struct LSHForest: Sendable {
    /// Hyper-parameters. The defaults reach recall@5 ≥ 0.9 on clustered data (`LSHForestTests`, W6 above).
    public struct Parameters: Sendable, Equatable {
        /// L, the number of prefix trees.
        public var trees: Int
        /// K (the paper's k_m), the maximum label length in bits, 1 … 64.
        public var maxDepth: Int
        /// c: the descent stops once c·L points (with multiplicity) are collected.
        public var candidatesPerTree: Int
        /// The score used to rank candidates.
        public var metric: Metric
        /// Tree t's hyperplanes come from `SeededRandom(seed: seed + t)`.
        public var seed: UInt64

        public init(trees: Int = 64, maxDepth: Int = 20, candidatesPerTree: Int = 32, metric: Metric = .cosine,
                    seed: UInt64 = 0) {
            self.trees = trees
            self.maxDepth = maxDepth
            self.candidatesPerTree = candidatesPerTree
            self.metric = metric
            self.seed = seed
        }

        /// M = c·L.
        public var candidateBudget: Int { candidatesPerTree * trees }

        /// The default settings for `metric`: L = 64, K = 20, c = 32 for cosine and l2; for the inner product
        /// L = 128, K = 20, c = 16 (same budget c·L = 2,048, twice the trees). Random-hyperplane labels follow
        /// the angle, but inner-product neighbours also favour long vectors, so the ip top-5 is spread over
        /// more buckets and more, shallower trees catch it: on W6 (anchor files) recall@5 is 0.781 at
        /// (64, 20, 32) and 0.931 at (128, 20, 16) (`docs/benchmarks.md`).
        public static func defaults(for metric: Metric, seed: UInt64 = 0) -> Parameters {
            switch metric {
            case .innerProduct: return Parameters(trees: 128, maxDepth: 20, candidatesPerTree: 16, metric: metric, seed: seed)
            default: return Parameters(metric: metric, seed: seed)
            }
        }
    }

    /// The parameters the forest was built with.
    public let parameters: Parameters
    /// The hash functions (identical on every rank for the same seed).
    public let hashing: RandomHyperplanes
    /// N, the number of stored points (FAISS `ntotal`).
    public internal(set) var count: Int = 0

    /// Stored vectors (N, D) in *storage order*: sorted by (tree 0's label, insertion index), so points that hash
    /// alike sit together in memory and re-ranking a query's candidates misses cache less (measured 1.5–2.5×
    /// faster than insertion order on W6). Tree 0's `rows` are therefore 0 ..< N.
    var vectors: [Float] = []
    /// Ids of the stored points (N), storage order.
    var ids: [Int] = []
    /// 1/‖x‖ per stored point (N), 0 for the zero vector.
    var inverseNorms: [Float] = []
    /// (L, N): tree t's labels, ascending, ties by row.
    var labels: [UInt64] = []
    /// (L, N): the storage row of each slot of `labels`.
    var rows: [UInt32] = []
    /// (L, 2^b + 1): `directory[t][p]` = the first slot of tree t whose top b bits are ≥ p (b = `directoryBits`),
    /// so descents start inside a bucket of ≈ N/2^b slots and ranges of depth ≤ b are two loads. Derived data:
    /// rebuilt by `add` and `init(parts:)`, never serialised.
    var directory: [UInt32] = [0, 0]
    /// b = min(K, 16, ⌊log₂ N⌋ − 4), at least 0.
    var directoryBits = 0

    /// D, the vector dimension (FAISS `d`).
    public var dimension: Int { hashing.dimension }

    /// An empty forest; its hyperplanes are drawn from `parameters.seed`.
    public init(dimension: Int, parameters: Parameters = Parameters()) throws {
        guard parameters.candidatesPerTree >= 1 else {
            throw RetrievalError.invalidParameter(name: "candidatesPerTree", value: "\(parameters.candidatesPerTree)",
                                                  rule: "must be ≥ 1")
        }
        self.parameters = parameters
        self.hashing = try RandomHyperplanes(dimension: dimension, trees: parameters.trees, bits: parameters.maxDepth,
                                             seed: parameters.seed)
    }

    /// A forest over `base` (N, D) with ids `ids` (default 0 ..< N).
    public init(_ base: Matrix<Float>, ids: [Int]? = nil, parameters: Parameters = Parameters()) throws {
        try self.init(dimension: base.columns, parameters: parameters)
        try add(base, ids: ids)
    }

    /// Memberwise, for `init(parts:)`.
    init(parameters: Parameters, hashing: RandomHyperplanes, vectors: [Float], ids: [Int], labels: [UInt64],
         rows: [UInt32]) {
        self.parameters = parameters
        self.hashing = hashing
        self.count = ids.count
        self.vectors = vectors
        self.ids = ids
        self.inverseNorms = SimilarityKernels.inverseNorms(vectors, rows: ids.count, dimension: hashing.dimension)
        self.labels = labels
        self.rows = rows
        rebuildDirectory()
    }
}
