import LinearAlgebra

/// Masked mean over time (Instance Infusion eq. 6, g({h_1 … h_T}) = (1/T) Σ_t h_t, taken over each sequence's
/// real steps only).
///
///     forward:   o_b = (1/L_b) Σ_{t < L_b} h_{b,t}          H (B·T, F), O (B, F)
///     backward:  dH_{b,t} = dO_b / L_b  for t < L_b,   0 for padded steps
///
/// F is the feature width (2H after a bi-LSTM). Stateless: the cache is the lengths.
public struct MeanPooling: Sendable {
    public struct Cache: Sendable {
        let lengths: [Int]
        let timeSteps: Int
    }

    public init() {}

    @_specialize(where S == Float)
    public func forward<S: NeuralScalar>(_ hidden: Matrix<S>, lengths: [Int]) -> (Matrix<S>, Cache) {
        let b = lengths.count, f = hidden.columns
        precondition(b > 0 && hidden.rows % b == 0, "MeanPooling.forward: \(hidden.rows) rows for B = \(b)")
        let steps = hidden.rows / b
        checkLengths(lengths, timeSteps: steps, "MeanPooling.forward")
        var out = Matrix<S>(rows: b, columns: f)
        hidden.values.withUnsafeBufferPointer { ph in
            out.values.withUnsafeMutableBufferPointer { po in
                for sample in 0 ..< b {
                    let o = po.baseAddress! + sample * f
                    for t in 0 ..< lengths[sample] {
                        let row = ph.baseAddress! + (sample * steps + t) * f
                        for j in 0 ..< f { o[j] += row[j] }
                    }
                    let scale = 1 / S(lengths[sample])
                    for j in 0 ..< f { o[j] *= scale }
                }
            }
        }
        return (out, Cache(lengths: lengths, timeSteps: steps))
    }

    @_specialize(where S == Float)
    public func backward<S: NeuralScalar>(_ dO: Matrix<S>, _ cache: Cache) -> Matrix<S> {
        let b = cache.lengths.count, f = dO.columns, steps = cache.timeSteps
        precondition(dO.rows == b, "MeanPooling.backward: dO has \(dO.rows) rows, expected B = \(b)")
        var dH = Matrix<S>(rows: b * steps, columns: f)
        dO.values.withUnsafeBufferPointer { pdO in
            dH.values.withUnsafeMutableBufferPointer { pdH in
                for sample in 0 ..< b {
                    let scale = 1 / S(cache.lengths[sample])
                    let o = pdO.baseAddress! + sample * f
                    for t in 0 ..< cache.lengths[sample] {
                        let row = pdH.baseAddress! + (sample * steps + t) * f
                        for j in 0 ..< f { row[j] = o[j] * scale }
                    }
                }
            }
        }
        return dH
    }
}
