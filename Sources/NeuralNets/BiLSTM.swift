import Core
import LinearAlgebra

/// A bidirectional LSTM: a forward and a reversed `LSTM` over the same padded batch, outputs concatenated
/// per step (the sentence encoder of Instance Infusion, eq. 4: h_t = f(x_t, h_{t−1})).
///
///     h_t = [h→_t ; h←_t]        h→ runs t = 0 … L_b−1,  h← runs t = L_b−1 … 0 (each sequence's own last token)
///     forward:   H (B·T, 2H) = [LSTM→(X) | LSTM←(X)]
///     backward:  dX = dX→ + dX←  with dH split into its two H-wide halves
///
/// Padded steps (t ≥ L_b) output 0 and pass no gradient (see `LSTM`). Parameters: `<name>.fwd.*`, `<name>.bwd.*`.
public struct BiLSTM: Sendable {
    public let forwardLSTM: LSTM
    public let backwardLSTM: LSTM

    /// D.
    public var inputSize: Int { forwardLSTM.inputSize }
    /// H per direction; the output has 2H columns.
    public var hiddenSize: Int { forwardLSTM.hiddenSize }

    public struct Cache<S: NeuralScalar>: Sendable {
        let forward: LSTM.Cache<S>
        let backward: LSTM.Cache<S>
    }

    public init(_ name: String, inputSize: Int, hiddenSize: Int, layout: inout ParameterLayout) {
        forwardLSTM = LSTM("\(name).fwd", inputSize: inputSize, hiddenSize: hiddenSize, layout: &layout)
        backwardLSTM = LSTM("\(name).bwd", inputSize: inputSize, hiddenSize: hiddenSize, reversed: true, layout: &layout)
    }

    public func initialize<S: BLASScalar>(_ values: inout [S], rng: inout SeededRandom) {
        forwardLSTM.initialize(&values, rng: &rng)
        backwardLSTM.initialize(&values, rng: &rng)
    }

    /// H (B·T, 2H) for X (B·T, D) and lengths L (B).
    @_specialize(where S == Float)
    public func forward<S: NeuralScalar>(
        _ x: Matrix<S>, lengths: [Int], parameters: [S]
    ) -> (Matrix<S>, Cache<S>) {
        let (hf, cf) = forwardLSTM.forward(x, lengths: lengths, parameters: parameters)
        let (hb, cb) = backwardLSTM.forward(x, lengths: lengths, parameters: parameters)
        return (concatenateColumns(hf, hb), Cache(forward: cf, backward: cb))
    }

    /// H (B·T, 2H) as `forward`, without the backward caches (inference). The two directions are independent,
    /// so with 2 or more threads in the rank they run side by side (`InRankThreads`: each direction on one
    /// worker with OpenBLAS at 1 thread, the same code and bits as on one thread). `TextClassifier`'s inference
    /// splits a larger batch into row blocks over the threads instead and calls this with `threads` 1 per block.
    @_specialize(where S == Float)
    public func forwardInference<S: NeuralScalar>(_ x: Matrix<S>, lengths: [Int], parameters: [S],
                                                  threads: Int = BLASThreads.count) -> Matrix<S> {
        let directions = InRankThreads.map(items: 2, threads: threads) { direction, _ in
            (direction == 0 ? forwardLSTM : backwardLSTM).forwardInference(x, lengths: lengths, parameters: parameters)
        }
        return concatenateColumns(directions[0], directions[1])
    }

    /// Accumulates both directions' gradients; returns dX (B·T, D).
    @_specialize(where S == Float)
    public func backward<S: NeuralScalar>(
        _ dH: Matrix<S>, _ cache: Cache<S>, parameters: [S], into grads: inout [S]
    ) -> Matrix<S> {
        let h = hiddenSize
        precondition(dH.columns == 2 * h, "BiLSTM.backward: dH has \(dH.columns) columns, expected 2H = \(2 * h)")
        let (dHf, dHb) = splitColumns(dH, at: h)
        var dX = forwardLSTM.backward(dHf, cache.forward, parameters: parameters, into: &grads)
        let dXb = backwardLSTM.backward(dHb, cache.backward, parameters: parameters, into: &grads)
        dX.values.withUnsafeMutableBufferPointer { a in
            dXb.values.withUnsafeBufferPointer { b in for i in a.indices { a[i] += b[i] } }
        }
        return dX
    }
}

/// [A | B] for A (N, P) and B (N, Q).
func concatenateColumns<S: BLASScalar>(_ a: Matrix<S>, _ b: Matrix<S>) -> Matrix<S> {
    precondition(a.rows == b.rows, "concatenateColumns: \(a.rows) and \(b.rows) rows")
    let (n, p, q) = (a.rows, a.columns, b.columns)
    var out = Matrix<S>(rows: n, columns: p + q)
    if n == 0 { return out }
    withBaseAddresses(a.values, b.values) { pa, pb in
        out.values.withUnsafeMutableBufferPointer { po in
            for r in 0 ..< n {
                (po.baseAddress! + r * (p + q)).update(from: pa + r * p, count: p)
                (po.baseAddress! + r * (p + q) + p).update(from: pb + r * q, count: q)
            }
        }
    }
    return out
}

/// Columns 0 ..< k and k ..< end of X (N, P).
func splitColumns<S: BLASScalar>(_ x: Matrix<S>, at k: Int) -> (Matrix<S>, Matrix<S>) {
    let (n, p) = (x.rows, x.columns)
    var left = Matrix<S>(rows: n, columns: k), right = Matrix<S>(rows: n, columns: p - k)
    if n == 0 { return (left, right) }
    x.values.withUnsafeBufferPointer { px in
        withMutableBaseAddresses(&left.values, &right.values) { pl, pr in
            for r in 0 ..< n {
                (pl + r * k).update(from: px.baseAddress! + r * p, count: k)
                (pr + r * (p - k)).update(from: px.baseAddress! + r * p + k, count: p - k)
            }
        }
    }
    return (left, right)
}
