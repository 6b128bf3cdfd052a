/// Errors of the `index` and `query` stages given bad input; every message names the file and the fix.
/// Errors from the layers below (`StorageError`, `RetrievalError`) pass through unchanged.
public enum IndexError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An embeddings file with fewer rows than ranks (every rank needs a non-empty shard).
    case tooFewRows(file: String, rows: Int, ranks: Int)
    /// Query vectors of another width than the indexed ones.
    case dimensionMismatch(file: String, got: Int, index: String, expected: Int)
    /// `--exclude-self` with a query file that is not the indexed one.
    case notTheIndexedSet(queries: String, index: String, reason: String)
    /// A part whose header disagrees with the master (copied from another run).
    case inconsistentPart(part: String, reason: String)
    /// A flag value outside its valid range.
    case invalidParameter(name: String, value: String, rule: String)

    public var description: String {
        switch self {
        case let .tooFewRows(file, rows, ranks):
            return "\(file) has \(rows) embedding(s), fewer than the \(ranks) ranks; run with at most \(rows) ranks"
        case let .dimensionMismatch(file, got, index, expected):
            return "\(file) holds \(got)-d embeddings but \(index) indexes \(expected)-d ones; embed the queries "
                + "with an encoder of the same context size, or re-run `tributary index` on matching embeddings"
        case let .notTheIndexedSet(queries, index, reason):
            return "--exclude-self needs the query file to be the indexed embeddings (query row b = indexed row b), "
                + "but \(queries) is not the set indexed in \(index): \(reason); drop --exclude-self for another dataset"
        case let .inconsistentPart(part, reason):
            return "\(part): \(reason); delete the index and its .parts folder and re-run `tributary index`"
        case let .invalidParameter(name, value, rule):
            return "\(name) = \(value) is invalid: \(rule)"
        }
    }
}
