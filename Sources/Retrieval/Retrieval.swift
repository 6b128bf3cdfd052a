import LinearAlgebra

/// Retrieval: k-nearest-neighbour search for the instance-infusion pipeline: an LSH Forest per rank shard
/// (`LSHForest`, `ShardedForest`), brute-force search (`ExactSearch`) as the yardstick, and the merge of per-rank
/// top-k lists (`TopK.merge`).
///
/// Shape letters used throughout this module (declared once, here):
///
/// | letter | meaning |
/// | --- | --- |
/// | N | points in an index (over all ranks) |
/// | n | points in one rank's shard or one block |
/// | D | vector dimension |
/// | B | queries in one batch |
/// | L | trees of an LSH Forest (the paper's l) |
/// | K | maximum label length in bits (the paper's k_m), ≤ 64 |
/// | k | neighbours returned per query |
///
/// All buffers are row-major `Matrix` values with points as rows (see `LinearAlgebra.Matrix`).
///
/// **Order of results.** Every search returns, per query, at most k `Neighbor`s sorted by score descending and,
/// among equal scores, by id ascending (`Neighbor.precedes`): a total order, so results are deterministic and the
/// merge of per-shard lists equals the search over the union. Scores are "larger is nearer" for every metric
/// (`Metric`). A list is shorter than k only when the index holds fewer eligible points (FAISS pads with −1; we
/// do not).
///
/// **Determinism.** Hash labels, candidate sets and re-ranking scores of a point are pure functions of the
/// point, the query and the hyperplanes (`RandomHyperplanes` guards the GEMM rounding; scores use fixed-order
/// kernels), so a sharded search is bit-identical to the search over the union for any number of ranks.
public enum RetrievalError: Error, CustomStringConvertible, Equatable {
    /// A hyper-parameter outside its valid range.
    case invalidParameter(name: String, value: String, rule: String)
    /// A buffer's dimension (columns) disagrees with the index's.
    case dimensionMismatch(what: String, expected: Int, got: Int)
    /// Two buffers that must have equal lengths do not.
    case countMismatch(what: String, expected: Int, got: Int)
    /// Serialised parts that are inconsistent (unsorted labels, a row index out of range, …).
    case corruptParts(reason: String)

    public var description: String {
        switch self {
        case let .invalidParameter(name, value, rule):
            return "\(name) = \(value) is invalid: \(rule)"
        case let .dimensionMismatch(what, expected, got):
            return "\(what): dimension \(got), expected \(expected); were the vectors produced by the same encoder?"
        case let .countMismatch(what, expected, got):
            return "\(what): \(got) entries, expected \(expected)"
        case let .corruptParts(reason):
            return "LSH Forest parts are inconsistent: \(reason); re-run `tributary index` to rebuild the index"
        }
    }
}

/// The argument checks of every search (`ExactSearch`, `LSHForest`): queries (B, D) of the index's `dimension`,
/// k ≥ 0, and one excluded id per query when `excluding` is given.
func validateSearch(queries: Matrix<Float>, k: Int, excluding: [Int]?, dimension: Int) throws {
    guard queries.columns == dimension else {
        throw RetrievalError.dimensionMismatch(what: "search queries", expected: dimension, got: queries.columns)
    }
    guard k >= 0 else { throw RetrievalError.invalidParameter(name: "k", value: "\(k)", rule: "must be ≥ 0") }
    if let excluding, excluding.count != queries.rows {
        throw RetrievalError.countMismatch(what: "excluding (one id per query)", expected: queries.rows,
                                           got: excluding.count)
    }
}
