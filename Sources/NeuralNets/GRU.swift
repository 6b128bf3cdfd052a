import Core
import LinearAlgebra

/// A gated recurrent unit unrolled over T steps (Cho et al., 2014; gate layout as PyTorch's `nn.GRU`), the
/// path decoder's recurrence in label-graph dataset joining. With T = 1 it is a single GRU cell step (greedy
/// decoding feeds one step at a time, passing the previous h as `initialState`).
///
///     xa_t = x_t·W_x + b_x        ha_t = h_{t−1}·W_h + b_h        each split into [r z n] blocks, H wide
///     r = σ(xa_r + ha_r)    z = σ(xa_z + ha_z)    n = tanh(xa_n + r ⊙ ha_n)
///     h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}                                                h_{−1} = h0
///
/// Backward (dh_t = dH_t + recurrent term):
///
///     dn = dh_t ⊙ (1 − z)     dz = dh_t ⊙ (h_{t−1} − n)     dh_{t−1} = dh_t ⊙ z + dHA_t·W_hᵀ
///     dxa_n = dn ⊙ (1 − n²)   dha_n = dxa_n ⊙ r             dr = dxa_n ⊙ ha_n
///     dxa_r = dha_r = dr ⊙ r(1−r)                          dxa_z = dha_z = dz ⊙ z(1−z)
///     dW_x += Xᵀ·dXA   db_x += Σ dXA   dW_h += H_prevᵀ·dHA   db_h += Σ dHA   dX = dXA·W_xᵀ
///
/// No masking: the decoder is causal, so steps after a sequence's end do not influence earlier ones; give
/// them weight 0 in `SoftmaxCrossEntropy` and they pass no gradient.
///
/// Float runs each step's gate update through `WideKernels.gruRows` (C, on the `KernelISA.active` level): the
/// step GEMM writes h_{t−1}·W_h without b_h and the kernel adds b_h while it computes the gates, over the whole
/// batch of the step; σ and tanh are the gate lanes (NeuralNets' `GateLanes`, abs. error ≲ 3e-7), bit-identical on
/// every level. Double keeps libm, so the gradient checks see exact maths.
///
/// GEMMs: X·W_x for all B·T rows in one GEMM; per step one (B, H)·(H, 3H) GEMM forward and one
/// (B, 3H)·(3H, H) backward; weight gradients and dX one GEMM each over all B·T rows.
///
/// Shapes: X (B·T, D), h0 (B, H), H out (B·T, H); W_x (D, 3H), W_h (H, 3H), b_x, b_h (1, 3H).
/// Initialisation U(−1/√H, 1/√H).
public struct GRU: Sendable {
    /// D.
    public let inputSize: Int
    /// H.
    public let hiddenSize: Int
    /// W_x (D, 3H), gate blocks r z n.
    public let inputWeight: ParameterView
    /// W_h (H, 3H).
    public let recurrentWeight: ParameterView
    /// b_x (1, 3H).
    public let inputBias: ParameterView
    /// b_h (1, 3H).
    public let recurrentBias: ParameterView

    /// What backward needs; buffers are (B, T, ·) row-major, the three tensors in one `Workspace`:
    /// [ gates (B, T, 3H) | recurrentN | hiddenIn (B, T, H each) ].
    public struct Cache<S: NeuralScalar>: Sendable {
        let input: Matrix<S>      // X (B·T, D)
        let batchSize: Int        // B
        let storage: Workspace<S>
        let stateCount: Int       // B·T·H, the size of one (B, T, H) tensor

        /// Forward writes every row of all three tensors before reading it (no masking in the GRU), so they
        /// skip the zero fill.
        init(input: Matrix<S>, batchSize: Int, hiddenSize h: Int) {
            self.input = input
            self.batchSize = batchSize
            stateCount = input.rows * h
            storage = Workspace(uninitialized: 5 * stateCount, zeroed: 0)
        }

        /// r z n after their nonlinearities, (B, T, 3H).
        var gates: UnsafeMutablePointer<S> { storage.base }
        /// ha_n = (h_{t−1}·W_h + b_h)_n, (B, T, H).
        var recurrentN: UnsafeMutablePointer<S> { storage.base + 3 * stateCount }
        /// h_{t−1} fed into step t, (B, T, H); h0 at t = 0.
        var hiddenIn: UnsafeMutablePointer<S> { storage.base + 4 * stateCount }
    }

    /// Registers `<name>.Wx`, `<name>.Wh`, `<name>.bx`, `<name>.bh` in `layout`.
    public init(_ name: String, inputSize: Int, hiddenSize: Int, layout: inout ParameterLayout) {
        precondition(inputSize > 0 && hiddenSize > 0, "GRU \(name): sizes must be positive")
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        inputWeight = layout.register("\(name).Wx", rows: inputSize, columns: 3 * hiddenSize)
        recurrentWeight = layout.register("\(name).Wh", rows: hiddenSize, columns: 3 * hiddenSize)
        inputBias = layout.register("\(name).bx", rows: 1, columns: 3 * hiddenSize)
        recurrentBias = layout.register("\(name).bh", rows: 1, columns: 3 * hiddenSize)
    }

    /// Every weight and bias ~ U(−1/√H, 1/√H) (PyTorch's `nn.GRU` default).
    public func initialize<S: BLASScalar>(_ values: inout [S], rng: inout SeededRandom) {
        let a = 1 / Double(hiddenSize).squareRoot()
        for view in [inputWeight, recurrentWeight, inputBias, recurrentBias] {
            view.initializeUniform(&values, bound: a, rng: &rng)
        }
    }

    /// H (B·T, H) for X (B·T, D), starting from h0 (B, H).
    @_specialize(where S == Float)
    public func forward<S: NeuralScalar>(
        _ x: Matrix<S>, initialState h0: Matrix<S>, parameters: [S]
    ) -> (Matrix<S>, Cache<S>) {
        let (b, d, h, g) = (h0.rows, inputSize, hiddenSize, 3 * hiddenSize)
        precondition(b > 0 && h0.columns == h, "GRU.forward: h0 is \(h0.rows)×\(h0.columns), expected B×\(h)")
        precondition(x.rows % b == 0 && x.columns == d, "GRU.forward: X is \(x.rows)×\(x.columns), expected (B·T)×\(d)")
        let steps = x.rows / b, n = x.rows
        let cache = Cache<S>(input: x, batchSize: b, hiddenSize: h)
        var out = Matrix<S>(rows: n, columns: h)
        if steps == 0 { return (out, cache) }
        let (xa, han, hIn) = (cache.gates, cache.recurrentN, cache.hiddenIn)
        // ha_t scratch (B, 3H), reused every step; each step first writes b_h into every row.
        let haBuf = UnsafeMutablePointer<S>.allocate(capacity: b * g)
        defer { haBuf.deallocate() }
        withBaseAddresses(parameters, x.values, h0.values) { base, px, ph0 in
        out.values.withUnsafeMutableBufferPointer { ph in
            let hOut = ph.baseAddress!
            for sample in 0 ..< b { (hIn + sample * steps * h).update(from: ph0 + sample * h, count: h) }
            for r in 0 ..< n { (xa + r * g).update(from: base + inputBias.offset, count: g) }
            gemm(px, lda: d, base + inputWeight.offset, ldb: g, xa, ldc: g, m: n, n: g, k: d, beta: 1)
            if S.self == Float.self {
                floatSteps(b: b, steps: steps, base: base, xa: xa, haBuf: haBuf, han: han, hIn: hIn, hOut: hOut)
                return
            }
            for t in 0 ..< steps {
                for sample in 0 ..< b { (haBuf + sample * g).update(from: base + recurrentBias.offset, count: g) }
                gemm(hIn + t * h, lda: steps * h, base + recurrentWeight.offset, ldb: g, haBuf, ldc: g,
                     m: b, n: g, k: h, beta: 1)
                for sample in 0 ..< b {
                    let row = sample * steps + t
                    let ar = xa + row * g, hr = haBuf + sample * g, hp = hIn + row * h, ho = hOut + row * h
                    for j in 0 ..< h {
                        let r = sigmoid(ar[j] + hr[j]), z = sigmoid(ar[h + j] + hr[h + j])
                        let nn = tanh(ar[2 * h + j] + r * hr[2 * h + j])
                        ar[j] = r; ar[h + j] = z; ar[2 * h + j] = nn
                        han[row * h + j] = hr[2 * h + j]
                        ho[j] = (1 - z) * nn + z * hp[j]
                    }
                    if t + 1 < steps { (hIn + (row + 1) * h).update(from: ho, count: h) }
                }
            }
        } }
        return (out, cache)
    }

    /// The Float steps of `forward`: per step one GEMM hw = h_{t−1}·W_h (β = 0) and one `WideKernels.gruRows` over
    /// the B rows of step t (rows b·T + t of the (B, T, ·) tensors, so every leading dimension is T times a width).
    private func floatSteps<S: NeuralScalar>(
        b: Int, steps: Int, base: UnsafePointer<S>, xa: UnsafeMutablePointer<S>, haBuf: UnsafeMutablePointer<S>,
        han: UnsafeMutablePointer<S>, hIn: UnsafeMutablePointer<S>, hOut: UnsafeMutablePointer<S>
    ) {
        func f(_ p: UnsafeMutablePointer<S>) -> UnsafeMutablePointer<Float> {
            UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self)
        }
        let (h, g) = (hiddenSize, 3 * hiddenSize)
        let weights = UnsafeRawPointer(base).assumingMemoryBound(to: Float.self)
        let fhIn = f(hIn), fHa = f(haBuf)
        for t in 0 ..< steps {
            gemm(fhIn + t * h, lda: steps * h, weights + recurrentWeight.offset, ldb: g, fHa, ldc: g,
                 m: b, n: g, k: h, beta: 0)
            WideKernels.gruRows(
                rows: b, h: h, gates: f(xa) + t * g, gatesLD: steps * g, hw: fHa, hwLD: g,
                biasH: weights + recurrentBias.offset, hPrev: fhIn + t * h, hPrevLD: steps * h,
                haN: f(han) + t * h, haNLD: steps * h, hOut: f(hOut) + t * h, hOutLD: steps * h,
                hNext: t + 1 < steps ? fhIn + (t + 1) * h : nil, hNextLD: steps * h)
        }
    }
}
