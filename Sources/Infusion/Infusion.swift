import LinearAlgebra

/// Infusion: the instance-infused classifier head of Chowdhury et al., "Instance-based Inductive Deep Transfer
/// Learning by Cross-Dataset Querying with Locality Sensitive Hashing" (2019; `papers/instance-infusion-lsh-bilstm.txt`):
/// a target instance's context vector c_t retrieves its k nearest source instances z_i (LSH Forest, module
/// `Retrieval`), soft attention fuses them into z_s, and the classifier reads s = [c_t, z_s].
///
/// | type | paper | role |
/// | --- | --- | --- |
/// | `SourceAttention` | eqs. 7–8 | α_i = softmax_i(c_t·z_i), z_s = Σ α_i z_i; backward into c_t only |
/// | `InfusionPenalty` | eq. 10 | λ‖z_s − z_t‖², z_t = c_t |
/// | `InfusedClassifier` | eqs. 9–10 | s = [c_t, z_s], y = softmax(s·W1 + b1), loss = CE + penalty |
/// | `RetrievedSources` | § 3 "Instance Retrieval" | neighbour ids → the (B·k, M) buffer of source vectors |
///
/// Shape letters used throughout this module (declared once, here):
///
/// | letter | meaning |
/// | --- | --- |
/// | B | target instances in a batch |
/// | M | context size (the paper's m): columns of c_t and of every z_i |
/// | k | retrieved source instances per target instance (paper: 5) |
/// | S | source datasets searched separately (per-source retrieval); 1 for one source or a union index |
/// | C | classes of the target task (the paper's u) |
///
/// Sources are `(B·k, M)` row-major matrices: rows b·k ..< (b+1)·k are the k neighbours of target instance b,
/// in retrieval order (order does not matter: attention is permutation invariant).
///
/// **Source vectors are constants.** They come from a separately trained source encoder and are kept fixed
/// (paper § 4: "the source instance embeddings are kept constant during training"), so no backward pass returns
/// a gradient for them. Gradients flow into W1, b1 and c_t; `InfusedClassifier.backward` returns dC so a joint
/// training loop can continue into the target encoder (paper: "trained jointly with the initial parameters from
/// the pre-trained classification module").
public enum Infusion {}

/// Bad input to the infusion head, with the fix in the message.
public enum InfusionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A query got fewer than k neighbours (the source index holds fewer than k eligible points).
    case tooFewNeighbours(query: Int, expected: Int, got: Int)
    /// A neighbour id outside the source matrix's rows.
    case unknownSource(query: Int, id: Int, sourceRows: Int)
    /// A source matrix whose width is not the context size M.
    case dimensionMismatch(what: String, expected: Int, got: Int)

    public var description: String {
        switch self {
        case let .tooFewNeighbours(query, expected, got):
            return "query \(query) has \(got) neighbours, expected k = \(expected); index a source with at least "
                + "k + 1 instances or lower --neighbours"
        case let .unknownSource(query, id, rows):
            return "query \(query): neighbour id \(id) is not a row of the source embeddings (\(rows) rows); "
                + "the index was built from another embeddings file: re-run `tributary index` on this one"
        case let .dimensionMismatch(what, expected, got):
            return "\(what) has \(got) columns, expected the context size M = \(expected); embed source and "
                + "target with encoders of the same --context-size"
        }
    }
}
