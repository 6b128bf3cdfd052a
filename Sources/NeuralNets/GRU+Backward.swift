import LinearAlgebra

extension GRU {
    /// Backpropagation through time. dH (B·T, H) is the gradient w.r.t. every output h_t. Accumulates
    /// dW_x, dW_h, db_x, db_h into `grads`; returns dX (B·T, D) and dh0 (B, H). See the type's documentation.
    @_specialize(where S == Float)
    public func backward<S: NeuralScalar>(
        _ dH: Matrix<S>, _ cache: Cache<S>, parameters: [S], into grads: inout [S]
    ) -> (dX: Matrix<S>, dH0: Matrix<S>) {
        let x = cache.input, b = cache.batchSize
        let (d, h, g) = (inputSize, hiddenSize, 3 * hiddenSize)
        let n = x.rows, steps = n / b
        precondition(dH.rows == n && dH.columns == h, "GRU.backward: dH is \(dH.rows)×\(dH.columns), expected \(n)×\(h)")
        // Scratch: d(xa) and d(ha), (B, T, 3H) each; every row is written (step t, all samples) before the
        // GEMMs read it, so no zero fill.
        let scratch = UnsafeMutablePointer<S>.allocate(capacity: 2 * n * g)
        defer { scratch.deallocate() }
        let (dxa, dha) = (scratch, scratch + n * g)
        var dH0 = Matrix<S>(rows: b, columns: h)   // doubles as the recurrent dh flowing into step t
        var dX = Matrix<S>(rows: n, columns: d)
        if steps == 0 { return (dX, dH0) }
        let (gates, han, hIn) = (cache.gates, cache.recurrentN, cache.hiddenIn)
        withBaseAddresses(parameters, x.values, dH.values) { p, px, pdH in
        withMutableBaseAddresses(&grads, &dH0.values, &dX.values) { gb, dhRec, pdX in
            let wh = p + recurrentWeight.offset
            for t in stride(from: steps - 1, through: 0, by: -1) {
                if S.self == Float.self {  // the same loop in C, on the KernelISA.active level (same bits)
                    func f(_ p: UnsafeMutablePointer<S>) -> UnsafeMutablePointer<Float> {
                        UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self)
                    }
                    let fdH = UnsafeRawPointer(pdH).assumingMemoryBound(to: Float.self)
                    WideKernels.gruBackwardRows(
                        rows: b, h: h, gates: f(gates) + t * g, gatesLD: steps * g, hPrev: f(hIn) + t * h,
                        hPrevLD: steps * h, dH: fdH + t * h, dHLD: steps * h, haN: f(han) + t * h, haNLD: steps * h,
                        rec: f(dhRec), recLD: h, dxa: f(dxa) + t * g, dxaLD: steps * g, dha: f(dha) + t * g,
                        dhaLD: steps * g)
                } else {
                    gateGradientsLoop(step: t, b: b, steps: steps, gates: gates, han: han, hIn: hIn, dH: pdH,
                                      rec: dhRec, dxa: dxa, dha: dha)
                }
                // dh_{t−1} += dHA_t·W_hᵀ; after t = 0 this is dh0.
                gemm(dha + t * g, lda: steps * g, wh, ldb: g, transposeB: true, dhRec, ldc: h, m: b, n: h, k: g, beta: 1)
            }
            gemm(px, lda: d, transposeA: true, dxa, ldb: g, gb + inputWeight.offset, ldc: g, m: d, n: g, k: n, beta: 1)
            gemm(hIn, lda: h, transposeA: true, dha, ldb: g, gb + recurrentWeight.offset, ldc: g, m: h, n: g, k: n, beta: 1)
            accumulateColumnSums(dxa, rows: n, n: g, into: gb + inputBias.offset)
            accumulateColumnSums(dha, rows: n, n: g, into: gb + recurrentBias.offset)
            gemm(dxa, lda: g, p + inputWeight.offset, ldb: g, transposeB: true, pdX, ldc: d, m: n, n: d, k: g, beta: 0)
        } }
        return (dX, dH0)
    }

    /// The gate gradients of step t over its B rows (rows b·T + t), in Swift: the Double path, and the twin of the
    /// Float path's `WideKernels.gruBackwardRows` (see the type's documentation for the formulas).
    func gateGradientsLoop<S: NeuralScalar>(
        step t: Int, b: Int, steps: Int, gates: UnsafePointer<S>, han: UnsafePointer<S>, hIn: UnsafePointer<S>,
        dH: UnsafePointer<S>, rec dhRec: UnsafeMutablePointer<S>, dxa: UnsafeMutablePointer<S>,
        dha: UnsafeMutablePointer<S>
    ) {
        let (h, g) = (hiddenSize, 3 * hiddenSize)
        for sample in 0 ..< b {
            let row = sample * steps + t
            let ar = gates + row * g, hp = hIn + row * h, dHr = dH + row * h
            let dxr = dxa + row * g, dhr = dha + row * g, rec = dhRec + sample * h
            for j in 0 ..< h {
                let r = ar[j], z = ar[h + j], nn = ar[2 * h + j]
                let dh = dHr[j] + rec[j]
                let dn = dh * (1 - z), dz = dh * (hp[j] - nn)
                let dan = dn * (1 - nn * nn)
                let dar = dan * han[row * h + j] * r * (1 - r), daz = dz * z * (1 - z)
                dxr[j] = dar; dxr[h + j] = daz; dxr[2 * h + j] = dan
                dhr[j] = dar; dhr[h + j] = daz; dhr[2 * h + j] = dan * r
                rec[j] = dh * z  // direct path h_{t−1} → h_t
            }
        }
    }
}
