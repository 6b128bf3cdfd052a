/// Trustworthiness of a low-dimensional map (Venna & Kaski 2001; the score scikit-learn's `trustworthiness`
/// computes): how far the map's k nearest neighbours of each point are from being its input-space neighbours.
///
///     r(i, j)   = the rank of j among i's input-space neighbours (1 = nearest), by squared Euclidean distance
///     U_k(i)    = the k nearest neighbours of i in the map that are NOT among its k nearest in the input
///     T(k)      = 1 − 2 / (n k (2n − 3k − 1)) · Σ_i Σ_{j ∈ U_k(i)} (r(i, j) − k)              ∈ [0, 1]
///
/// T = 1 when every map neighbourhood is an input neighbourhood; a random map gives about 0.5. Needs k < n / 2.
/// Ties are broken by index. O(n² log n). `neighbourAgreement` is the plainer share |N_k^X(i) ∩ N_k^Y(i)| / k,
/// averaged over i.
public enum Trustworthiness {
    /// T(k) of the map `y` (n, e) of the points `x` (n, d), both row-major.
    public static func score(input x: [Double], dimensions d: Int, map y: [Double], mapDimensions e: Int, k: Int) -> Double {
        let n = x.count / d
        precondition(y.count / e == n && k >= 1 && 2 * k < n, "Trustworthiness: n = \(n), k = \(k) (needs 1 ≤ k < n/2, one map row per point)")
        var penalty = 0.0
        for i in 0 ..< n {
            let inputOrder = order(x, d, i)
            var rank = [Int](repeating: 0, count: n)
            for (r, j) in inputOrder.enumerated() { rank[j] = r + 1 }
            let inputNear = Set(inputOrder.prefix(k))
            for j in order(y, e, i).prefix(k) where !inputNear.contains(j) { penalty += Double(rank[j] - k) }
        }
        return 1 - 2 / (Double(n * k) * Double(2 * n - 3 * k - 1)) * penalty
    }

    /// Mean over i of |N_k^X(i) ∩ N_k^Y(i)| / k.
    public static func neighbourAgreement(input x: [Double], dimensions d: Int, map y: [Double], mapDimensions e: Int, k: Int) -> Double {
        let n = x.count / d
        var total = 0.0
        for i in 0 ..< n {
            let a = Set(order(x, d, i).prefix(k))
            total += Double(order(y, e, i).prefix(k).filter { a.contains($0) }.count) / Double(k)
        }
        return total / Double(n)
    }

    /// The other points by squared distance to point i (ties by index).
    static func order(_ v: [Double], _ d: Int, _ i: Int) -> [Int] {
        let n = v.count / d
        let dist = (0 ..< n).map { j -> Double in
            var s = 0.0
            for c in 0 ..< d { let t = v[i * d + c] - v[j * d + c]; s += t * t }
            return s
        }
        return (0 ..< n).filter { $0 != i }.sorted { (dist[$0], $0) < (dist[$1], $1) }
    }
}
