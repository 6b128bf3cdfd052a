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
        // Scratch: dA (B, T, 4H), written in full (padded rows explicitly), then the recurrent dh and dc flowing
        // into step t, (B, H) each, zero. dX is written by a β = 0 GEMM: no zero fill either.
        let scratch = UnsafeMutablePointer<S>.allocate(capacity: n * g + 2 * b * h)
        defer { scratch.deallocate() }
        (scratch + n * g).initialize(repeating: 0, count: 2 * b * h)
        let (dA, dhRec, dcRec) = (scratch, scratch + n * g, scratch + n * g + b * h)
        let (gates, tanhC, hIn, cIn) = (cache.gates, cache.tanhCell, cache.hiddenIn, cache.cellIn)
        var dX = Matrix<S>(rows: n, columns: d, values: [S](unsafeUninitializedCapacity: n * d) { _, count in count = n * d })
        withBaseAddresses(parameters, x.values, dH.values) { p, px, pdH in
        withMutableBaseAddresses(&grads, &dX.values) { pg, pdX in
            let wx = p + inputWeight.offset, wh = p + recurrentWeight.offset
            for s in stride(from: steps - 1, through: 0, by: -1) {
                let t = reversed ? steps - 1 - s : s
                // dh (recurrent) into step t = dA_{next}·W_hᵀ; zero at the last processed step.
                if let tn = next(t, steps) {
                    gemm(dA + tn * g, lda: steps * g, wh, ldb: g, transposeB: true, dhRec, ldc: h,
                         m: b, n: h, k: g, beta: 0)
                }
                if S.self == Float.self {  // the same loop in C, on the KernelISA.active level (same bits)
                    func f(_ p: UnsafeMutablePointer<S>) -> UnsafeMutablePointer<Float> {
                        UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self)
                    }
                    let fdH: UnsafePointer<Float> = UnsafeRawPointer(pdH).assumingMemoryBound(to: Float.self)
                    let fGates: UnsafeMutablePointer<Float> = f(gates) + t * g
                    let fTanhC: UnsafeMutablePointer<Float> = f(tanhC) + t * h
                    let fCIn: UnsafeMutablePointer<Float> = f(cIn) + t * h
                    let fdA: UnsafeMutablePointer<Float> = f(dA) + t * g
                    let (fdhRec, fdcRec) = (f(dhRec), f(dcRec))
                    lengths.withUnsafeBufferPointer { pl in
                        WideKernels.lstmBackwardRows(
                            rows: b, h: h, step: t, lengths: pl.baseAddress!, gates: fGates, gatesLD: steps * g,
                            tanhCell: fTanhC, cellIn: fCIn, dH: fdH.advanced(by: t * h), stateLD: steps * h,
                            dhRec: fdhRec, dcRec: fdcRec, da: fdA, daLD: steps * g)
                    }
                } else {
                    gateGradientsLoop(step: t, lengths: lengths, steps: steps, gates: gates, tanhCell: tanhC, cellIn: cIn,
                                      dH: pdH, dhRec: dhRec, dcRec: dcRec, dA: dA)
                }
            }
            // Weight gradients and dX: one GEMM each over all B·T rows (padded rows of dA are 0).
            gemm(px, lda: d, transposeA: true, dA, ldb: g, pg + inputWeight.offset, ldc: g, m: d, n: g, k: n, beta: 1)
            gemm(hIn, lda: h, transposeA: true, dA, ldb: g, pg + recurrentWeight.offset, ldc: g, m: h, n: g, k: n, beta: 1)
            accumulateColumnSums(dA, rows: n, n: g, into: pg + bias.offset)
            gemm(dA, lda: g, wx, ldb: g, transposeB: true, pdX, ldc: d, m: n, n: d, k: g, beta: 0)
        } }
        return dX
    }

    /// The gate gradients of step t over its B rows (rows b·T + t), in Swift: the Double path, and the twin of the
    /// Float path's `WideKernels.lstmBackwardRows` (see the type's documentation for the formulas). Padded rows
    /// (t ≥ L_b) get da = 0 and a zero dc flowing on.
    func gateGradientsLoop<S: NeuralScalar>(
        step t: Int, lengths: [Int], steps: Int, gates: UnsafePointer<S>, tanhCell tanhC: UnsafePointer<S>,
        cellIn cIn: UnsafePointer<S>, dH pdH: UnsafePointer<S>, dhRec: UnsafePointer<S>,
        dcRec: UnsafeMutablePointer<S>, dA: UnsafeMutablePointer<S>
    ) {
        let (h, g) = (hiddenSize, 4 * hiddenSize)
        for sample in 0 ..< lengths.count {
            let row = sample * steps + t
            let dcr = dcRec + sample * h
            if t >= lengths[sample] {  // padded: no gradient in, none out
                dcr.update(repeating: 0, count: h)
                (dA + row * g).update(repeating: 0, count: g)
                continue
            }
            let ar = gates + row * g, dar = dA + row * g, tcr = tanhC + row * h, cPrev = cIn + row * h
            let dhr = dhRec + sample * h, dHr = pdH + row * h
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
}
