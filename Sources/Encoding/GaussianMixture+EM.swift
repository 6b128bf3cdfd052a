import Core
#if canImport(Glibc)
import Glibc
#endif
import LinearAlgebra

/// Scratch buffers of one EM pass, allocated once per fit and reused for every block (no per-block allocation).
struct EMWorkspace {
    /// [X² | X] of a block (blockRows, 2D).
    var squaresAndRows: [Float]
    /// Qᵀ of a block (M, blockRows).
    var posteriors: [Float]
    /// qᵀ[X² | X] of a block (M, 2D) = [S2 | S1].
    var moments: [Float]

    init(blockRows: Int, dimension: Int, components: Int) {
        squaresAndRows = [Float](repeating: 0, count: blockRows * 2 * dimension)
        posteriors = [Float](repeating: 0, count: blockRows * components)
        moments = [Float](repeating: 0, count: components * 2 * dimension)
    }
}

extension GaussianMixture {
    /// The E-step over all rows: [S0 (M) | S1 (M, D) | S2 (M, D) | Σ_i log p(x_i)], reduced over ranks in
    /// block order (width M + 2MD + 1).
    ///
    /// Threads: the reduction asks for this rank's blocks one at a time, in order; when block b is asked for and
    /// not ready, blocks b ..< b + W of this rank are read and their partials computed at once by `InRankThreads`
    /// (W = `workspaces.count` workers, each block by one worker with its own workspace and the same sequential
    /// code), then handed out in order. A source that `allowsConcurrentReads` (in memory) is read by the worker
    /// that computes the block; any other is read on this thread, in order, before the workers start. A block's
    /// partial does not depend on W or on where it was read, so neither do the sums.
    static func sufficientStatistics(
        _ source: some RowSource, model: GaussianMixture, reduction: OrderedReduction,
        communicator: any Communicator, workspaces: inout [EMWorkspace]
    ) throws -> [Double] {
        let m = model.components, dim = model.dimension, n = source.totalRows
        let kernel = PosteriorKernel(priors: model.priors, means: model.means, variances: model.variances)
        let owned = reduction.blocks(totalRows: n, rank: communicator.rank, size: communicator.size)
        var ready: [Int: [Double]] = [:]  // block index → partial, computed ahead
        return try workspaces.withUnsafeMutableBufferPointer { scratch in
            try reduction.sum(totalRows: n, width: m + 2 * m * dim + 1, communicator: communicator) { range -> [Double] in
                let first = range.lowerBound / reduction.blockSize
                if let partial = ready.removeValue(forKey: first) { return partial }
                let batch = Array(first ..< Swift.min(first + scratch.count, owned.upperBound))
                func read(_ b: Int) throws -> Matrix<Float> {
                    let rows = reduction.rows(ofBlock: b, totalRows: n)
                    let block = try source.rows(rows)
                    guard block.columns == dim, block.rows == rows.count else {
                        throw EncodingError.dimensionMismatch(what: "GMM rows \(rows)", expected: dim, got: block.columns)
                    }
                    return block
                }
                let inOrder = source.allowsConcurrentReads ? [] : try batch.map(read)
                let partials = InRankThreads.map(items: batch.count, threads: scratch.count) { i, worker in
                    Result { () throws -> [Double] in
                        let block = inOrder.isEmpty ? try read(batch[i]) : inOrder[i]
                        return blockStatistics(block, kernel: kernel, workspace: &scratch[worker])
                    }
                }
                let head = try partials[0].get()  // the first failing block in block order is the one reported
                for (i, b) in batch.enumerated().dropFirst() { ready[b] = try partials[i].get() }
                return head
            }
        }
    }

    /// One workspace per E-step worker: min(`threads`, blocks this rank owns), checked against the memory budget.
    static func makeWorkspaces(blockRows: Int, dimension dim: Int, components m: Int, owning blocks: Int,
                           threads: Int = BLASThreads.count) throws -> [EMWorkspace] {
        let w = InRankThreads.workers(items: blocks, threads: threads)
        try MemoryBudget.current.reserve(
            bytes: MemoryBudget.product([w, blockRows, 3 * dim + m, MemoryLayout<Float>.stride]),
            for: "GMM E-step blocks of \(blockRows) rows", purpose: "one block and its workspace per thread (\(w))",
            fix: "run with fewer threads per rank (--threads), a smaller blockSize, or raise --memory")
        return (0 ..< w).map { _ in EMWorkspace(blockRows: blockRows, dimension: dim, components: m) }
    }

    /// One block's partial statistics: Qᵀ by the GEMM kernel (fused with its log-sum-exp on `isa`'s level when it
    /// has a fused path), then Qᵀ[X² | X] as one more GEMM.
    static func blockStatistics(_ block: Matrix<Float>, kernel: PosteriorKernel, workspace: inout EMWorkspace,
                                isa: KernelISA = .active) -> [Double] {
        let n = block.rows, m = kernel.components, dim = kernel.dimension, twoD = 2 * dim
        var out = [Double](repeating: 0, count: m + 2 * m * dim + 1)
        block.values.withUnsafeBufferPointer { px in
            workspace.squaresAndRows.withUnsafeMutableBufferPointer { pa in
                workspace.posteriors.withUnsafeMutableBufferPointer { pq in
                    workspace.moments.withUnsafeMutableBufferPointer { pg in
                        let a = pa.baseAddress!, q = pq.baseAddress!, g = pg.baseAddress!
                        PosteriorKernel.fillSquaresAndRows(px.baseAddress!, rows: n, dimension: dim, into: a)
                        out[out.count - 1] = kernel.posteriors(a: a, rows: n, into: q, isa: isa)
                        // [S2 | S1] = Qᵀ·A (M, 2D): Qᵀ is (M, n).
                        Float.gemm(transposeA: false, transposeB: false, m: m, n: twoD, k: n, alpha: 1, a: q, lda: n,
                                   b: a, ldb: twoD, beta: 0, c: g, ldc: twoD)
                        var s0 = [Float](repeating: 0, count: m)
                        s0.withUnsafeMutableBufferPointer { ps in
                            kernel.zerothMoments(q, leadingDimension: n, columns: 0 ..< n, into: ps.baseAddress!)
                        }
                        for k in 0 ..< m {
                            out[k] = Double(s0[k])
                            for d in 0 ..< dim {
                                out[m + k * dim + d] = Double(g[k * twoD + dim + d])          // S1
                                out[m + m * dim + k * dim + d] = Double(g[k * twoD + d])      // S2
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// The M-step from reduced statistics, with the variance floor and the re-seeding of dead components.
    /// Returns the new model and the number of components re-seeded.
    static func maximize(_ stats: [Double], components m: Int, dimension dim: Int,
                         floor: [Double]) -> (GaussianMixture, Int) {
        let total = stats[0 ..< m].reduce(0, +)
        var priors = [Double](repeating: 0, count: m)
        var means = Matrix<Double>(rows: m, columns: dim)
        var variances = Matrix<Double>(rows: m, columns: dim)
        var dead: [Int] = []
        for k in 0 ..< m {
            let s0 = stats[k]
            priors[k] = total > 0 ? s0 / total : 0
            guard priors[k] >= minimumPrior, s0 > 0 else { dead.append(k); continue }
            for d in 0 ..< dim {
                let mu = stats[m + k * dim + d] / s0
                means[k, d] = mu
                variances[k, d] = Swift.max(stats[m + m * dim + k * dim + d] / s0 - mu * mu, floor[d])
            }
        }
        reseed(dead, priors: &priors, means: &means, variances: &variances)
        return (GaussianMixture(priors: priors, means: means, variances: variances), dead.count)
    }

    /// Re-seeds each dead component k (in increasing order) by splitting the live component with the largest
    /// prior along its highest-variance dimension (see the type's "Numerical notes").
    static func reseed(_ dead: [Int], priors: inout [Double], means: inout Matrix<Double>, variances: inout Matrix<Double>) {
        var alive = [Bool](repeating: true, count: priors.count)
        for k in dead { alive[k] = false }
        for k in dead {
            var j = -1
            for c in priors.indices where alive[c] && (j < 0 || priors[c] > priors[j]) { j = c }
            guard j >= 0 else { continue }  // nothing alive: cannot happen with N ≥ M rows
            var top = 0
            for d in 0 ..< means.columns where variances[j, d] > variances[j, top] { top = d }
            let half = 0.5 * variances[j, top].squareRoot()
            for d in 0 ..< means.columns {
                means[k, d] = means[j, d]
                variances[k, d] = variances[j, d]
            }
            means[j, top] -= half
            means[k, top] += half
            priors[j] *= 0.5
            priors[k] = priors[j]
            alive[k] = true
        }
    }

    /// Plain-loop twin of the E-step posteriors in Double: q (n, M) and log p(x_i) (n), per sample and per
    /// component with a log-sum-exp (tests).
    func posteriorsNaive(_ x: Matrix<Double>) -> (posteriors: Matrix<Double>, logLikelihoods: [Double]) {
        let m = components, dim = dimension
        var q = Matrix<Double>(rows: x.rows, columns: m)
        var logP = [Double](repeating: 0, count: x.rows)
        for i in 0 ..< x.rows {
            var l = [Double](repeating: 0, count: m)
            for k in 0 ..< m {
                var s = log(priors[k])
                for d in 0 ..< dim {
                    let diff = x[i, d] - means[k, d]
                    s -= 0.5 * (diff * diff / variances[k, d] + log(variances[k, d]) + log(2 * Double.pi))
                }
                l[k] = s
            }
            let top = l.max()!
            let total = l.reduce(0) { $0 + exp($1 - top) }
            for k in 0 ..< m { q[i, k] = exp(l[k] - top) / total }
            logP[i] = top + log(total)
        }
        return (q, logP)
    }
}
