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
                for sample in 0 ..< b {
                    let row = sample * steps + t
                    let ar = gates + row * g, hp = hIn + row * h, dHr = pdH + row * h
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
}
