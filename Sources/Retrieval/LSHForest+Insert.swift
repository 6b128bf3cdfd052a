import LinearAlgebra

extension LSHForest {
    /// Adds the rows of `x` (n, D) with ids `ids` (default count ..< count + n, all ≥ 0).
    ///
    /// Equivalent to building the forest from all rows at once, whatever the batching: the storage order is
    /// (tree 0's label, insertion index) and every tree is sorted by (label, storage row), and both orders are
    /// maintained by merging — the new points are radix-sorted (stable) and merged with the existing arrays, old
    /// points first on ties in tree 0. O(L·(N + n)) per call plus the hashing GEMM: batch small adds.
    public mutating func add(_ x: Matrix<Float>, ids newIDs: [Int]? = nil) throws {
        guard x.columns == dimension else {
            throw RetrievalError.dimensionMismatch(what: "LSHForest.add vectors", expected: dimension, got: x.columns)
        }
        if let newIDs, newIDs.count != x.rows {
            throw RetrievalError.countMismatch(what: "LSHForest.add ids", expected: x.rows, got: newIDs.count)
        }
        if let newIDs, let bad = newIDs.firstIndex(where: { $0 < 0 }) {
            throw RetrievalError.invalidParameter(name: "ids[\(bad)]", value: "\(newIDs[bad])",
                                                  rule: "ids must be ≥ 0")
        }
        let n = x.rows, old = count, total = old + n, l = parameters.trees, d = dimension
        guard total < Int(UInt32.max) else {
            throw RetrievalError.invalidParameter(name: "count", value: "\(total)",
                                                  rule: "must be < 2³² − 1 per forest")
        }
        guard n > 0 else { return }
        let newLabels = try hashing.labels(x)  // (n, L)
        let addedIDs = newIDs ?? Array(old ..< total)

        // Tree 0 fixes the storage order: new points sorted by (label, index), merged after equal old labels.
        var keys = (0 ..< n).map { newLabels[$0 * l] }
        var order = (0 ..< n).map { UInt32($0) }
        Self.radixSort(&keys, &order, bits: parameters.maxDepth)
        var oldToNew = [UInt32](repeating: 0, count: old)
        var newToPos = [UInt32](repeating: 0, count: n)
        var mergedLabels = [UInt64](repeating: 0, count: l * total)
        var mergedRows = [UInt32](repeating: 0, count: l * total)
        var i = 0, j = 0
        for out in 0 ..< total {
            if j == n || (i < old && labels[i] <= keys[j]) {
                mergedLabels[out] = labels[i]
                oldToNew[i] = UInt32(out)
                i += 1
            } else {
                mergedLabels[out] = keys[j]
                newToPos[Int(order[j])] = UInt32(out)
                j += 1
            }
            mergedRows[out] = UInt32(out)
        }
        // Storage follows tree 0.
        var newVectors = [Float](repeating: 0, count: total * d)
        var newIDsStored = [Int](repeating: 0, count: total)
        var newScales = [Float](repeating: 0, count: total)
        let addedScales = SimilarityKernels.inverseNorms(x.values, rows: n, dimension: d)
        for r in 0 ..< old {
            let p = Int(oldToNew[r])
            newVectors.replaceSubrange(p * d ..< (p + 1) * d, with: vectors[r * d ..< (r + 1) * d])
            (newIDsStored[p], newScales[p]) = (ids[r], inverseNorms[r])
        }
        for r in 0 ..< n {
            let p = Int(newToPos[r])
            newVectors.replaceSubrange(p * d ..< (p + 1) * d, with: x.values[r * d ..< (r + 1) * d])
            (newIDsStored[p], newScales[p]) = (addedIDs[r], addedScales[r])
        }
        // Trees 1 ..< L: new points in storage order, stably sorted by label → (label, row); merge by (label, row).
        for t in 1 ..< l {
            for s in 0 ..< n {
                let r = Int(order[s])  // order[s] is the s-th new point in storage order
                keys[s] = newLabels[r * l + t]
            }
            var positions = order.map { newToPos[Int($0)] }
            Self.radixSort(&keys, &positions, bits: parameters.maxDepth)
            i = 0
            j = 0
            let base = t * old
            for out in t * total ..< (t + 1) * total {
                let takeOld: Bool
                if j == n { takeOld = true } else if i == old { takeOld = false } else {
                    let (a, b) = (labels[base + i], keys[j])
                    takeOld = a < b || (a == b && oldToNew[Int(rows[base + i])] < positions[j])
                }
                if takeOld {
                    mergedLabels[out] = labels[base + i]
                    mergedRows[out] = oldToNew[Int(rows[base + i])]
                    i += 1
                } else {
                    mergedLabels[out] = keys[j]
                    mergedRows[out] = positions[j]
                    j += 1
                }
            }
        }
        labels = mergedLabels
        rows = mergedRows
        vectors = newVectors
        ids = newIDsStored
        inverseNorms = newScales
        count = total
        rebuildDirectory()
    }

    /// Stable LSD radix sort of `keys` (labels using their top `bits` bits) carrying `payload`, 8 bits per pass.
    static func radixSort(_ keys: inout [UInt64], _ payload: inout [UInt32], bits: Int) {
        let n = keys.count
        guard n > 1 else { return }
        var k2 = keys, p2 = payload
        var shift = 64 - bits
        while shift < 64 {
            var counts = [Int](repeating: 0, count: 257)
            for key in keys { counts[Int((key >> UInt64(shift)) & 0xFF) + 1] += 1 }
            for b in 0 ..< 256 { counts[b + 1] += counts[b] }
            for s in 0 ..< n {
                let digit = Int((keys[s] >> UInt64(shift)) & 0xFF)
                k2[counts[digit]] = keys[s]
                p2[counts[digit]] = payload[s]
                counts[digit] += 1
            }
            swap(&keys, &k2)
            swap(&payload, &p2)
            shift += 8
        }
    }

    /// Recomputes `directory` and `directoryBits` from `labels`.
    mutating func rebuildDirectory() {
        let n = count, l = parameters.trees
        var bits = 0
        while (1 << (bits + 5)) <= n { bits += 1 }  // b = ⌊log₂ N⌋ − 4
        bits = Swift.min(bits, parameters.maxDepth, 16)
        let width = (1 << bits) + 1
        var dir = [UInt32](repeating: 0, count: l * width)
        for t in 0 ..< l {
            for s in 0 ..< n {
                let prefix = bits == 0 ? 0 : Int(labels[t * n + s] >> UInt64(64 - bits))
                dir[t * width + prefix + 1] += 1
            }
            for p in 0 ..< width - 1 { dir[t * width + p + 1] += dir[t * width + p] }
        }
        directory = dir
        directoryBits = bits
    }
}
