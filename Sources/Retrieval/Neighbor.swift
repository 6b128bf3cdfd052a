/// One search result: a point's id and its similarity score to the query (larger is nearer).
public struct Neighbor: Sendable, Hashable, CustomStringConvertible {
    /// The point's id (a global row index for sharded indexes).
    public var id: Int
    /// The similarity under the index's `Metric`; larger is nearer.
    public var score: Float

    public init(id: Int, score: Float) {
        self.id = id
        self.score = score
    }

    /// The result order: higher score first, and among equal scores the smaller id first. A total order on
    /// distinct ids, so sorting, top-k selection and merging are deterministic.
    @inline(__always)
    public static func precedes(_ a: Neighbor, _ b: Neighbor) -> Bool {
        a.score > b.score || (a.score == b.score && a.id < b.id)
    }

    public var description: String { "(\(id), \(score))" }
}

/// The similarity a search ranks by. Every score is "larger is nearer".
///
/// | metric | score(q, x) | hashing |
/// | --- | --- | --- |
/// | `cosine` | q·x / (‖q‖ ‖x‖), 0 when either is the zero vector | sign of w·x (angle-preserving) |
/// | `innerProduct` | q·x | sign of w·x (angle only: norms are not hashed) |
/// | `l2` | −‖q − x‖² | sign of w·x |
///
/// Random-hyperplane hashing is locality-sensitive for the angle (Charikar 2002): P[h(q) = h(x)] = 1 − θ(q, x)/π.
/// For inner product and L2 the forest uses the angle to pick candidates and the exact score to rank them; the
/// recall this gives is measured, not guaranteed (see `RetrievalBenchmark`).
public enum Metric: String, Sendable, CaseIterable {
    case cosine
    case innerProduct
    case l2
}
