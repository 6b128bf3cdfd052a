import Core
import LinearAlgebra

/// One direction of a long short-term memory layer over a right-padded, variable-length batch
/// (Hochreiter & Schmidhuber, 1997; gate layout as PyTorch's `nn.LSTM`, one bias).
///
///     a_t = x_t·W_x + h_{t−1}·W_h + b                       a_t = [a_i a_f a_g a_o], each H wide
///     i = σ(a_i)   f = σ(a_f)   g = tanh(a_g)   o = σ(a_o)
///     c_t = f ⊙ c_{t−1} + i ⊙ g          h_t = o ⊙ tanh(c_t)          h_{t₀−1} = c_{t₀−1} = 0
///
/// `reversed` runs t = T−1 … 0 and feeds h_{t+1} instead of h_{t−1} (the backward half of a bi-LSTM).
///
/// Masking: step t of sequence b is real when t < L_b. A padded step neither updates the state nor receives
/// gradient: its h and c are 0 (so its output is 0), and its pre-activation gradient is 0. With right padding,
/// padded steps come after every real step in the forward direction (nothing reads them), and before every real
/// step in the reversed direction, whose state is therefore still the zero initial state when it reaches the
/// sequence's own last real token t = L_b − 1.
///
/// Backward (dh_t = dH_t + the recurrent term, processed against the forward order):
///
///     dc_t  = dc_{t+1}·f_{t+1} + dh_t ⊙ o ⊙ (1 − tanh²c_t)
///     da_o = dh_t ⊙ tanh(c_t) ⊙ o(1−o)     da_i = dc_t ⊙ g ⊙ i(1−i)
///     da_g = dc_t ⊙ i ⊙ (1−g²)             da_f = dc_t ⊙ c_{t−1} ⊙ f(1−f)
///     dh_{t−1} (recurrent) = da_t·W_hᵀ
///     dW_x += Xᵀ·dA    dW_h += H_prevᵀ·dA    db += Σ dA    dX = dA·W_xᵀ
///
/// GEMMs: X·W_x for all B·T rows in one GEMM before the loop; then per step one (B, H)·(H, 4H) GEMM that reads
/// h_{t−1} and writes step t of the (B, T, 4H) buffer in place (leading dimensions T·H and T·4H). In backward the
/// weight gradients and dX are one GEMM each over all B·T rows; only da_t·W_hᵀ is per step.
///
/// Shapes: X (B·T, D), H out (B·T, H); W_x (D, 4H), W_h (H, 4H), b (1, 4H). Initialisation U(−1/√H, 1/√H).
public struct LSTM: Sendable {
    /// D.
    public let inputSize: Int
    /// H.
    public let hiddenSize: Int
    /// Runs t = T−1 … 0 when true.
    public let reversed: Bool
    /// W_x (D, 4H), gate blocks i f g o.
    public let inputWeight: ParameterView
    /// W_h (H, 4H).
    public let recurrentWeight: ParameterView
    /// b (1, 4H).
    public let bias: ParameterView

    /// What backward needs. All buffers are (B, T, ·) row-major, the five state tensors in one `Workspace`:
    /// [ gates (B, T, 4H) | cell | tanhCell | hiddenIn | cellIn (B, T, H each) ].
    public struct Cache<S: NeuralScalar>: Sendable {
        let input: Matrix<S>      // X (B·T, D)
        let lengths: [Int]        // L (B)
        let storage: Workspace<S>
        let stateCount: Int       // B·T·H, the size of one (B, T, H) tensor

        /// The gates are written in full by forward (bias rows, then the GEMM), so they skip the zero fill.
        init(input: Matrix<S>, lengths: [Int], hiddenSize h: Int) {
            self.input = input
            self.lengths = lengths
            stateCount = input.rows * h
            storage = Workspace(uninitialized: 4 * stateCount, zeroed: 4 * stateCount)
        }

        /// (B, T, 4H): i f g o after their nonlinearities; 0 at padded steps.
        var gates: UnsafeMutablePointer<S> { storage.base }
        /// c_t (B, T, H).
        var cell: UnsafeMutablePointer<S> { storage.base + 4 * stateCount }
        /// tanh(c_t) (B, T, H).
        var tanhCell: UnsafeMutablePointer<S> { storage.base + 5 * stateCount }
        /// h fed into step t, (B, T, H).
        var hiddenIn: UnsafeMutablePointer<S> { storage.base + 6 * stateCount }
        /// c fed into step t, (B, T, H).
        var cellIn: UnsafeMutablePointer<S> { storage.base + 7 * stateCount }
    }

    /// Registers `<name>.Wx`, `<name>.Wh`, `<name>.b` in `layout`.
    public init(_ name: String, inputSize: Int, hiddenSize: Int, reversed: Bool = false,
                layout: inout ParameterLayout) {
        precondition(inputSize > 0 && hiddenSize > 0, "LSTM \(name): sizes must be positive")
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.reversed = reversed
        inputWeight = layout.register("\(name).Wx", rows: inputSize, columns: 4 * hiddenSize)
        recurrentWeight = layout.register("\(name).Wh", rows: hiddenSize, columns: 4 * hiddenSize)
        bias = layout.register("\(name).b", rows: 1, columns: 4 * hiddenSize)
    }

    /// Every weight and bias ~ U(−1/√H, 1/√H) (PyTorch's `nn.LSTM` default).
    public func initialize<S: BLASScalar>(_ values: inout [S], rng: inout SeededRandom) {
        let a = 1 / Double(hiddenSize).squareRoot()
        for view in [inputWeight, recurrentWeight, bias] { view.initializeUniform(&values, bound: a, rng: &rng) }
    }

    /// The step processed after step t (the one h_t feeds), or nil at the end.
    @inline(__always) func next(_ t: Int, _ steps: Int) -> Int? {
        reversed ? (t > 0 ? t - 1 : nil) : (t + 1 < steps ? t + 1 : nil)
    }

    /// H (B·T, H) for X (B·T, D) and lengths L (B); padded rows of H are 0.
    @_specialize(where S == Float)
    public func forward<S: NeuralScalar>(
        _ x: Matrix<S>, lengths: [Int], parameters: [S]
    ) -> (Matrix<S>, Cache<S>) {
        let (b, d, h, g) = (lengths.count, inputSize, hiddenSize, 4 * hiddenSize)
        precondition(b > 0 && x.rows % b == 0 && x.columns == d,
                     "LSTM.forward: X is \(x.rows)×\(x.columns), expected (B·T)×\(d) with B = \(b)")
        let steps = x.rows / b
        checkLengths(lengths, timeSteps: steps, "LSTM.forward")
        let n = b * steps
        let cache = Cache<S>(input: x, lengths: lengths, hiddenSize: h)
        let (a, c, tc, hIn, cIn) = (cache.gates, cache.cell, cache.tanhCell, cache.hiddenIn, cache.cellIn)
        var out = Matrix<S>(rows: n, columns: h)
        withBaseAddresses(parameters, x.values) { p, px in
        out.values.withUnsafeMutableBufferPointer { ph in
            let hOut = ph.baseAddress!
            let wx = p + inputWeight.offset, wh = p + recurrentWeight.offset
            // A = X·W_x + b for all B·T rows: one GEMM.
            for r in 0 ..< n { (a + r * g).update(from: p + bias.offset, count: g) }
            gemm(px, lda: d, wx, ldb: g, a, ldc: g, m: n, n: g, k: d, beta: 1)
            for s in 0 ..< steps {
                let t = reversed ? steps - 1 - s : s
                // A_t += h_in,t · W_h (B rows, strided by T); h_in is zero at the first step.
                if s > 0 { gemm(hIn + t * h, lda: steps * h, wh, ldb: g, a + t * g, ldc: steps * g, m: b, n: g, k: h, beta: 1) }
                let tNext = next(t, steps)
                for sample in 0 ..< b {
                    let row = sample * steps + t
                    let ar = a + row * g, cr = c + row * h, tcr = tc + row * h, hr = hOut + row * h
                    let cPrev = cIn + row * h
                    if t >= lengths[sample] {  // padded step: zero gates, state and output
                        ar.update(repeating: 0, count: g)
                        continue  // c, tanh c, h stay 0; the next step's inputs stay 0
                    }
                    cellUpdate(gates: ar, cellIn: cPrev, cell: cr, tanhCell: tcr, hidden: hr)
                    if let tn = tNext {
                        let nextRow = sample * steps + tn
                        (hIn + nextRow * h).update(from: hr, count: h)
                        (cIn + nextRow * h).update(from: cr, count: h)
                    }
                }
            }
        } }
        return (out, cache)
    }

    /// The cell update of one row (see the type's equations): overwrites the 4H pre-activations in `gates` with
    /// i f g o and writes c, tanh c and h. Float goes through `WideKernels.lstmRow` (C, on the `KernelISA.active`
    /// level; bit-identical to `GateLanes.lstmRow`), Double through libm.
    @inline(__always)
    func cellUpdate<S: NeuralScalar>(gates ar: UnsafeMutablePointer<S>, cellIn cPrev: UnsafePointer<S>,
                                     cell cr: UnsafeMutablePointer<S>, tanhCell tcr: UnsafeMutablePointer<S>,
                                     hidden hr: UnsafeMutablePointer<S>) {
        let h = hiddenSize
        if S.self == Float.self {
            func f(_ p: UnsafeMutablePointer<S>) -> UnsafeMutablePointer<Float> {
                UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self)
            }
            WideKernels.lstmRow(gates: f(ar), cellIn: UnsafeRawPointer(cPrev).assumingMemoryBound(to: Float.self),
                                cell: f(cr), tanhCell: f(tcr), hidden: f(hr), h: h)
            return
        }
        for j in 0 ..< h {
            let i = sigmoid(ar[j]), f = sigmoid(ar[h + j]), gg = tanh(ar[2 * h + j]), o = sigmoid(ar[3 * h + j])
            ar[j] = i; ar[h + j] = f; ar[2 * h + j] = gg; ar[3 * h + j] = o
            let cj = f * cPrev[j] + i * gg
            let tcj = tanh(cj)
            cr[j] = cj; tcr[j] = tcj; hr[j] = o * tcj
        }
    }

    /// H (B·T, H) as `forward`, without the backward cache (inference): h_{t−1} is read back from the output
    /// (padded steps output 0, so a reversed sequence still starts from the zero state) and c lives in one (B, H)
    /// state buffer, so only the (B·T, 4H) pre-activations and the output are allocated.
    @_specialize(where S == Float)
    public func forwardInference<S: NeuralScalar>(_ x: Matrix<S>, lengths: [Int], parameters: [S]) -> Matrix<S> {
        let (b, d, h, g) = (lengths.count, inputSize, hiddenSize, 4 * hiddenSize)
        precondition(b > 0 && x.rows % b == 0 && x.columns == d,
                     "LSTM.forwardInference: X is \(x.rows)×\(x.columns), expected (B·T)×\(d) with B = \(b)")
        let steps = x.rows / b
        checkLengths(lengths, timeSteps: steps, "LSTM.forwardInference")
        let n = b * steps
        // Scratch: the pre-activations (B·T, 4H), written in full before they are read; c (B, H) and one row of
        // tanh c (H), zero.
        let scratch = UnsafeMutablePointer<S>.allocate(capacity: n * g + b * h + h)
        defer { scratch.deallocate() }
        (scratch + n * g).initialize(repeating: 0, count: b * h + h)
        let (a, c, tc) = (scratch, scratch + n * g, scratch + n * g + b * h)
        var out = Matrix<S>(rows: n, columns: h)
        withBaseAddresses(parameters, x.values) { p, px in
        out.values.withUnsafeMutableBufferPointer { ph in
            let hOut = ph.baseAddress!
            let wx = p + inputWeight.offset, wh = p + recurrentWeight.offset
            for r in 0 ..< n { (a + r * g).update(from: p + bias.offset, count: g) }
            gemm(px, lda: d, wx, ldb: g, a, ldc: g, m: n, n: g, k: d, beta: 1)
            for s in 0 ..< steps {
                let t = reversed ? steps - 1 - s : s
                let tPrev = reversed ? t + 1 : t - 1
                if s > 0 { gemm(hOut + tPrev * h, lda: steps * h, wh, ldb: g, a + t * g, ldc: steps * g, m: b, n: g, k: h, beta: 1) }
                for sample in 0 ..< b where t < lengths[sample] {
                    let row = sample * steps + t
                    cellUpdate(gates: a + row * g, cellIn: c + sample * h, cell: c + sample * h, tanhCell: tc,
                               hidden: hOut + row * h)
                }
            }
        } }
        return out
    }
}
