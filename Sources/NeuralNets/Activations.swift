import LinearAlgebra

/// Element-wise activations: the scalar helpers the recurrent gates use, and the `ReLU` layer.
///
///     σ(a)    = 1 / (1 + e^(−a))         σ'(a)    = σ(a)·(1 − σ(a))
///     tanh(a)                            tanh'(a) = 1 − tanh²(a)
///     ReLU(x) = max(x, 0)                ReLU'(x) = 1 if x > 0 else 0
///
/// Numerical notes: σ is evaluated as 1/(1 + e^(−a)) for a ≥ 0 and e^a/(1 + e^a) for a < 0, so e^(·) never
/// overflows; the derivatives are written in terms of the outputs (σ, tanh), which the caches keep.
@inline(__always)
public func sigmoid<S: NeuralScalar>(_ a: S) -> S {
    if a >= 0 { return 1 / (1 + S.exp(-a)) }
    let e = S.exp(a)
    return e / (1 + e)
}

/// tanh(a), the generic spelling used by the gate loops.
@inline(__always)
public func tanh<S: NeuralScalar>(_ a: S) -> S { S.tanh(a) }

/// y = max(x, 0), element-wise, for any shape (N, D).
public struct ReLU: Sendable {
    /// What backward needs: the output y (y > 0 exactly where x > 0).
    public struct Cache<S: NeuralScalar>: Sendable {
        let output: Matrix<S>
    }

    public init() {}

    @_specialize(where S == Float)
    public func forward<S: NeuralScalar>(_ x: Matrix<S>) -> (Matrix<S>, Cache<S>) {
        var y = x
        y.values.withUnsafeMutableBufferPointer { p in
            for i in p.indices where p[i] < 0 { p[i] = 0 }
        }
        return (y, Cache(output: y))
    }

    /// dX = dY ⊙ [y > 0].
    @_specialize(where S == Float)
    public func backward<S: NeuralScalar>(_ dY: Matrix<S>, _ cache: Cache<S>) -> Matrix<S> {
        precondition(dY.rows == cache.output.rows && dY.columns == cache.output.columns,
                     "ReLU.backward: dY is \(dY.rows)×\(dY.columns), y was \(cache.output.rows)×\(cache.output.columns)")
        var dX = dY
        cache.output.values.withUnsafeBufferPointer { y in
            dX.values.withUnsafeMutableBufferPointer { d in
                for i in d.indices where !(y[i] > 0) { d[i] = 0 }
            }
        }
        return dX
    }
}
