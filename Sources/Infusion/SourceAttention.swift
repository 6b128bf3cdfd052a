import LinearAlgebra
import NeuralNets

/// Soft attention of a target context vector over its k retrieved source vectors (paper eqs. 7–8).
///
///     e_i = c_t · z_i                                   (inner-product similarity)
///     α_i = exp(e_i − m) / Σ_j exp(e_j − m),  m = max_j e_j
///     z_s = Σ_i α_i z_i
///
/// Backward, given dz_s (the source vectors are constants, so only c_t receives a gradient):
///
///     dα_i = dz_s · z_i
///     de_i = α_i (dα_i − Σ_j α_j dα_j)                  (softmax Jacobian)
///     dc_t = Σ_i de_i z_i
///
/// Shapes: c (B, M), Z (B·k, M) with rows b·k ..< (b+1)·k belonging to instance b, z_s (B, M), α (B, k).
///
/// Numerical notes: the softmax subtracts the row maximum m, so every exp(·) ≤ 1 and never overflows; the sum is
/// ≥ 1 (the maximum contributes exp(0)), so the division is safe.
///
/// ```swift
/// let attention = SourceAttention(neighbours: 5, contextSize: 128)
/// let (zS, cache) = attention.forward(context: c, sources: z)      // cache.weights: α (B, 5)
/// let dC = attention.backward(dZS, cache)
/// ```
public struct SourceAttention: Sendable {
    /// k.
    public let neighbours: Int
    /// M.
    public let contextSize: Int

    /// What backward needs: c, Z and the attention weights α.
    public struct Cache<S: NeuralScalar>: Sendable {
        public let context: Matrix<S>
        public let sources: Matrix<S>
        /// α (B, k); every row sums to 1.
        public let weights: Matrix<S>
    }

    public init(neighbours: Int, contextSize: Int) {
        precondition(neighbours > 0 && contextSize > 0, "SourceAttention: k and M must be positive")
        self.neighbours = neighbours
        self.contextSize = contextSize
    }

    /// z_s (B, M) and the cache.
    public func forward<S: NeuralScalar>(context c: Matrix<S>, sources z: Matrix<S>) -> (Matrix<S>, Cache<S>) {
        let (b, m, k) = (c.rows, contextSize, neighbours)
        precondition(c.columns == m, "SourceAttention: c has \(c.columns) columns, expected M = \(m)")
        precondition(z.rows == b * k && z.columns == m,
                     "SourceAttention: Z is \(z.rows)×\(z.columns), expected B·k × M = \(b * k)×\(m)")
        var fused = Matrix<S>(rows: b, columns: m)
        var alpha = Matrix<S>(rows: b, columns: k)
        withBaseAddresses(c.values, z.values) { pc, pz in
            withMutableBaseAddresses(&fused.values, &alpha.values) { pf, pa in
                for n in 0 ..< b {
                    let cn = pc + n * m, an = pa + n * k
                    for i in 0 ..< k { an[i] = dot(cn, pz + (n * k + i) * m, m) }
                    var top = an[0]
                    for i in 1 ..< k where an[i] > top { top = an[i] }
                    var total: S = 0
                    for i in 0 ..< k {
                        an[i] = S.exp(an[i] - top)
                        total += an[i]
                    }
                    let fn = pf + n * m
                    for i in 0 ..< k {
                        an[i] /= total
                        let zi = pz + (n * k + i) * m
                        for j in 0 ..< m { fn[j] += an[i] * zi[j] }
                    }
                }
            }
        }
        return (fused, Cache(context: c, sources: z, weights: alpha))
    }

    /// dc_t (B, M) from dz_s (B, M).
    public func backward<S: NeuralScalar>(_ dFused: Matrix<S>, _ cache: Cache<S>) -> Matrix<S> {
        let (b, m, k) = (cache.context.rows, contextSize, neighbours)
        precondition(dFused.rows == b && dFused.columns == m,
                     "SourceAttention.backward: dz_s is \(dFused.rows)×\(dFused.columns), expected \(b)×\(m)")
        var dC = Matrix<S>(rows: b, columns: m)
        var dAlpha = [S](repeating: 0, count: k)
        withBaseAddresses(cache.sources.values, dFused.values) { pz, pd in
            dC.values.withUnsafeMutableBufferPointer { pdc in
                for n in 0 ..< b {
                    let dn = pd + n * m
                    var weighted: S = 0  // Σ_j α_j dα_j
                    for i in 0 ..< k {
                        dAlpha[i] = dot(dn, pz + (n * k + i) * m, m)
                        weighted += cache.weights[n, i] * dAlpha[i]
                    }
                    let out = pdc.baseAddress! + n * m
                    for i in 0 ..< k {
                        let de = cache.weights[n, i] * (dAlpha[i] - weighted)
                        let zi = pz + (n * k + i) * m
                        for j in 0 ..< m { out[j] += de * zi[j] }
                    }
                }
            }
        }
        return dC
    }
}

/// Σ_j a_j b_j in index order.
@inline(__always)
func dot<S: BLASScalar>(_ a: UnsafePointer<S>, _ b: UnsafePointer<S>, _ n: Int) -> S {
    var sum: S = 0
    for j in 0 ..< n { sum += a[j] * b[j] }
    return sum
}
