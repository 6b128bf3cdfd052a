extension OrientationHistogram {
    /// The Swift twin of `describe` (tests): the same binning on SIMD8 lanes (the 8 orientation bins), then
    /// `normalize`. Writes the 128-D descriptors of every patch of `level` (rows of patches outer, columns
    /// inner) to `out`.
    static func describeLanes(_ gradients: Gradients, level: DenseGrid.Level, tables: PatchTables,
                         into out: UnsafeMutablePointer<Float>) {
        let p = tables.patchSize, width = gradients.width
        let bins = orientationBins, cells = DenseGrid.cellsPerSide, padded = cells + 2
        // oneHot[b] = e_b (with e_8 = e_0, so b₀ + 1 needs no wrap-around).
        let oneHot = UnsafeMutablePointer<SIMD8<Float>>.allocate(capacity: bins + 1)
        for b in 0 ... bins {
            var e = SIMD8<Float>(repeating: 0)
            e[b % bins] = 1
            oneHot[b] = e
        }
        let histogram = UnsafeMutablePointer<SIMD8<Float>>.allocate(capacity: padded * padded)
        let row = UnsafeMutablePointer<SIMD8<Float>>.allocate(capacity: padded)
        defer { oneHot.deallocate(); histogram.deallocate(); row.deallocate() }

        gradients.bin.withUnsafeBufferPointer { bin in
        gradients.lower.withUnsafeBufferPointer { mLower in
        gradients.upper.withUnsafeBufferPointer { mUpper in
        tables.cell.withUnsafeBufferPointer { cell in
        tables.lower.withUnsafeBufferPointer { wLower in
        tables.upper.withUnsafeBufferPointer { wUpper in
        tables.segmentStart.withUnsafeBufferPointer { segmentStart in
        tables.segmentCell.withUnsafeBufferPointer { segmentCell in
            let segments = segmentCell.count
            var descriptor = out
            for ky in 0 ..< level.rows {
                let y0 = level.originY(ky)
                for kx in 0 ..< level.columns {
                    let x0 = level.originX(kx)
                    histogram.update(repeating: .zero, count: padded * padded)
                    for j in 0 ..< p {
                        row.update(repeating: .zero, count: padded)
                        let base = (y0 + j) * width + x0
                        for r in 0 ..< segments {
                            // e = m·(1 − r)·e_b₀ + m·r·e_(b₀+1), spread over cells k and k + 1 of this run.
                            var toLower = SIMD8<Float>(repeating: 0), toUpper = SIMD8<Float>(repeating: 0)
                            for i in Int(segmentStart[r]) ..< Int(segmentStart[r + 1]) {
                                let q = base + i
                                let b = Int(bin[q])
                                let e = oneHot[b] * mLower[q] + oneHot[b + 1] * mUpper[q]
                                toLower += wLower[i] * e
                                toUpper += wUpper[i] * e
                            }
                            let k = Int(segmentCell[r])
                            row[k] += toLower
                            row[k + 1] += toUpper
                        }
                        let l = Int(cell[j]) * padded
                        let a = wLower[j], c = wUpper[j]
                        for k in 0 ..< padded {
                            histogram[l + k] += a * row[k]
                            histogram[l + padded + k] += c * row[k]
                        }
                    }
                    // Inner 4×4 cells → d[(l·4 + k)·8 + b].
                    for l in 0 ..< cells {
                        for k in 0 ..< cells {
                            let v = histogram[(l + 1) * padded + k + 1]
                            let d = descriptor + (l * cells + k) * bins
                            for b in 0 ..< bins { d[b] = v[b] }
                        }
                    }
                    normalize(UnsafeMutableBufferPointer(start: descriptor, count: dimension),
                              windowMass: tables.windowMass)
                    descriptor += dimension
                }
            }
        }}}}}}}}
    }
}
