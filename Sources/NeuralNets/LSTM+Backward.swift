import LinearAlgebra

extension LSTM {
    /// Backpropagation through time. dH (B·T, H) is the gradient of the loss w.r.t. every output h_t (rows of
    /// padded steps are ignored). Accumulates dW_x, dW_h, db into `grads` and returns dX (B·T, D), whose padded
    /// rows are 0. See the type's documentation for the equations.
    @_specialize(where S == Float)
    public func backward<S: NeuralScalar>(
        _ dH: Matrix<S>, _ cache: Cache<S>, parameters: [S], into grads: inout [S]
    ) -> Matrix<S> {
        let x = cache.input, lengths = cache.lengths
        let (b, d, h, g) = (lengths.count, inputSize, hiddenSize, 4 * hiddenSize)
        let n = x.rows, steps = n / b
        precondition(dH.rows == n && dH.columns == h, "LSTM.backward: dH is \(dH.rows)×\(dH.columns), expected \(n)×\(h)")
        // dA and dX are written in full (padded rows of dA explicitly, dX by a β = 0 GEMM): no zero fill.
        var dA = [S](unsafeUninitializedCapacity: n * g) { _, count in count = n * g }  // (B, T, 4H)
        var dHidden = [S](repeating: 0, count: b * h)   // recurrent dh flowing into step t, (B, H)
        var dCell = [S](repeating: 0, count: b * h)     // recurrent dc flowing into step t, (B, H)
        var dX = Matrix<S>(rows: n, columns: d, values: [S](unsafeUninitializedCapacity: n * d) { _, count in count = n * d })
        parameters.withUnsafeBufferPointer { p in
        grads.withUnsafeMutableBufferPointer { pg in
        x.values.withUnsafeBufferPointer { px in
        dH.values.withUnsafeBufferPointer { pdH in
        cache.gates.withUnsafeBufferPointer { pa in
        cache.tanhCell.withUnsafeBufferPointer { ptc in
        cache.hiddenIn.withUnsafeBufferPointer { phi in
        cache.cellIn.withUnsafeBufferPointer { pci in
        dA.withUnsafeMutableBufferPointer { pdA in
        dHidden.withUnsafeMutableBufferPointer { pdh in
        dCell.withUnsafeMutableBufferPointer { pdc in
        dX.values.withUnsafeMutableBufferPointer { pdX in
            let (gates, tanhC, cIn, dAp, dhRec, dcRec) = (pa.baseAddress!, ptc.baseAddress!, pci.baseAddress!,
                                                          pdA.baseAddress!, pdh.baseAddress!, pdc.baseAddress!)
            let wx = p.baseAddress! + inputWeight.offset, wh = p.baseAddress! + recurrentWeight.offset
            for s in stride(from: steps - 1, through: 0, by: -1) {
                let t = reversed ? steps - 1 - s : s
                // dh (recurrent) into step t = dA_{next}·W_hᵀ; zero at the last processed step.
                if let tn = next(t, steps) {
                    gemm(dAp + tn * g, lda: steps * g, wh, ldb: g, transposeB: true, dhRec, ldc: h,
                         m: b, n: h, k: g, beta: 0)
                }
                for sample in 0 ..< b {
                    let row = sample * steps + t
                    let dcr = dcRec + sample * h
                    if t >= lengths[sample] {  // padded: no gradient in, none out
                        dcr.update(repeating: 0, count: h)
                        (dAp + row * g).update(repeating: 0, count: g)
                        continue
                    }
                    let ar = gates + row * g, dar = dAp + row * g, tcr = tanhC + row * h, cPrev = cIn + row * h
                    let dhr = dhRec + sample * h, dHr = pdH.baseAddress! + row * h
                    for j in 0 ..< h {
                        let i = ar[j], f = ar[h + j], gg = ar[2 * h + j], o = ar[3 * h + j], tcj = tcr[j]
                        let dh = dHr[j] + dhr[j]
                        let dc = dcr[j] + dh * o * (1 - tcj * tcj)
                        dar[j] = dc * gg * i * (1 - i)
                        dar[h + j] = dc * cPrev[j] * f * (1 - f)
                        dar[2 * h + j] = dc * i * (1 - gg * gg)
                        dar[3 * h + j] = dh * tcj * o * (1 - o)
                        dcr[j] = dc * f
                    }
                }
            }
            // Weight gradients and dX: one GEMM each over all B·T rows (padded rows of dA are 0).
            gemm(px.baseAddress!, lda: d, transposeA: true, dAp, ldb: g, pg.baseAddress! + inputWeight.offset,
                 ldc: g, m: d, n: g, k: n, beta: 1)
            gemm(phi.baseAddress!, lda: h, transposeA: true, dAp, ldb: g, pg.baseAddress! + recurrentWeight.offset,
                 ldc: g, m: h, n: g, k: n, beta: 1)
            accumulateColumnSums(dAp, rows: n, n: g, into: pg.baseAddress! + bias.offset)
            gemm(dAp, lda: g, wx, ldb: g, transposeB: true, pdX.baseAddress!, ldc: d, m: n, n: d, k: g, beta: 0)
        } } } } } } } } } } } }
        return dX
    }
}
