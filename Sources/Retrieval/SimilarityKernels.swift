/// The per-pair similarity kernels used to re-rank candidates, over raw pointers.
///
///     dot(q, x)         = Σ_j q_j x_j
///     squaredL2(q, x)   = Σ_j (q_j − x_j)²
///     inverseNorm(x)    = 1 / √dot(x, x), and 0 for the zero vector (so its cosine is 0, not NaN)
///
/// Both sums run in a fixed order: eight lanes accumulate j ≡ 0 … 7 (mod 8) in `SIMD8<Float>`, the lanes are added
/// left to right, then the tail j ≥ 8⌊D/8⌋ is added in order. The result for a pair therefore depends only on
/// the two vectors, never on which other candidates are scored with it or on the BLAS build, which is what makes
/// a sharded search bit-identical to the search over the union. (BLAS gemv may block rows differently.)
enum SimilarityKernels {
    @inline(__always)
    static func dot(_ q: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ d: Int) -> Float {
        var acc = SIMD8<Float>()
        var j = 0
        let qr = UnsafeRawPointer(q)
        let xr = UnsafeRawPointer(x)
        while j + 8 <= d {
            let a = qr.loadUnaligned(fromByteOffset: j * 4, as: SIMD8<Float>.self)
            let b = xr.loadUnaligned(fromByteOffset: j * 4, as: SIMD8<Float>.self)
            acc += a * b
            j += 8
        }
        var sum = horizontalSum(acc)
        while j < d {
            sum += q[j] * x[j]
            j += 1
        }
        return sum
    }

    @inline(__always)
    static func squaredL2(_ q: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ d: Int) -> Float {
        var acc = SIMD8<Float>()
        var j = 0
        let qr = UnsafeRawPointer(q)
        let xr = UnsafeRawPointer(x)
        while j + 8 <= d {
            let diff = qr.loadUnaligned(fromByteOffset: j * 4, as: SIMD8<Float>.self)
                - xr.loadUnaligned(fromByteOffset: j * 4, as: SIMD8<Float>.self)
            acc += diff * diff
            j += 8
        }
        var sum = horizontalSum(acc)
        while j < d {
            let diff = q[j] - x[j]
            sum += diff * diff
            j += 1
        }
        return sum
    }

    @inline(__always)
    static func horizontalSum(_ v: SIMD8<Float>) -> Float {
        ((v[0] + v[1]) + (v[2] + v[3])) + ((v[4] + v[5]) + (v[6] + v[7]))
    }

    @inline(__always)
    static func inverseNorm(_ x: UnsafePointer<Float>, _ d: Int) -> Float {
        let s = dot(x, x, d)
        return s > 0 ? 1 / s.squareRoot() : 0
    }

    /// The score of `metric` between a query and a stored point. `queryScale` is the query's inverse norm
    /// (cosine) and `pointScale` the point's (cosine); both are ignored by the other metrics.
    @inline(__always)
    static func score(_ metric: Metric, _ q: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ d: Int,
                      queryScale: Float, pointScale: Float) -> Float {
        switch metric {
        case .innerProduct: return dot(q, x, d)
        case .cosine: return dot(q, x, d) * pointScale * queryScale
        case .l2: return -squaredL2(q, x, d)
        }
    }

    /// Inverse norms of the rows of a row-major (n, D) buffer.
    static func inverseNorms(_ values: [Float], rows n: Int, dimension d: Int) -> [Float] {
        var out = [Float](repeating: 0, count: n)
        guard d > 0 else { return out }
        values.withUnsafeBufferPointer { v in
            for i in 0 ..< n { out[i] = inverseNorm(v.baseAddress! + i * d, d) }
        }
        return out
    }
}
