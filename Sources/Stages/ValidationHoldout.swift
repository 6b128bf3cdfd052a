import Core

/// The inner validation split of hyper-parameter selection: a seeded, stratified part of the TRAINING rows.
///
/// Training rows R = 0 ..< n (positions in the caller's list of training rows), each with a stratum s_i ≥ 0 (the
/// class of a document; for multi-label images the first concept, or K for none). For each stratum s with members
/// m_0 … m_{|m|−1} (row order), a permutation π of `SeededRandom(seed, stream: s)` holds out h = round(|m| · f)
/// of them:
///
///     V = sorted ⋃_s { m_{π(0)}, …, m_{π(h−1)} },      F = R \ V   (the fit rows)
///
/// Only strata are read (never a test row, never a label beyond the stratum), so V ⊆ R by construction and V is
/// disjoint from any test split of which R is the complement. V depends on (strata, f, seed) only: not on the
/// rank count, the candidates or the order in which a caller runs them.
///
/// Shapes: `strata` (n); the result (|V|) ascending positions into it.
public struct ValidationHoldout: Sendable, Hashable {
    /// f, the fraction of each stratum held out (0 < f < 1).
    public var fraction: Double
    public var seed: UInt64

    public init(fraction: Double, seed: UInt64) {
        precondition(fraction > 0 && fraction < 1, "ValidationHoldout: fraction \(fraction) must lie in (0, 1)")
        self.fraction = fraction
        self.seed = seed
    }

    /// V of the header's rule: the sorted positions of the held-out rows.
    public func rows(strata: [Int]) -> [Int] {
        var members = [Int: [Int]]()
        for (i, s) in strata.enumerated() {
            precondition(s >= 0, "ValidationHoldout: stratum \(s) of row \(i) is negative")
            members[s, default: []].append(i)
        }
        var held: [Int] = []
        for s in members.keys.sorted() {  // the order does not change V (it is sorted); sorted keeps it reproducible
            let m = members[s]!
            var rng = SeededRandom(seed: seed, stream: UInt64(s))
            let h = Int((Double(m.count) * fraction).rounded())
            held += rng.permutation(m.count).prefix(h).map { m[$0] }
        }
        return held.sorted()
    }

    /// (F, V) of the header's rule as positions: the fit rows and the held-out rows, both ascending.
    public func split(strata: [Int]) -> (fit: [Int], validation: [Int]) {
        let validation = rows(strata: strata)
        let held = Set(validation)
        return (strata.indices.filter { !held.contains($0) }, validation)
    }
}
