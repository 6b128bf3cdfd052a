import Core
import Foundation
import LinearAlgebra

/// The L1 logistic regression of `SparseLogisticRegression` (same F, same FISTA with backtracking, adaptive
/// restart and subgradient stopping test — maths in that type's doc comment) for K concepts with the **rows** of X
/// split over ranks. The smooth part g and its gradient are `RowShardedObjective` with the logistic loss, λ = 0
/// and B = 1 (the unpenalised offset b), so every sum over rows is an `OrderedReduction` and the models are
/// bit-identical for any number of ranks.
///
/// Per iteration, for all concepts at once:
///
///     g(U), ∇g(U)                  one pass (Z = X̂U, then X̂ᵀR)
///     W⁺_k = S_{1/L_k}(U_k − ∇_k g/L_k)   (b not shrunk)
///     g(W⁺)                        one pass; the concepts whose sufficient-decrease test fails double L_k and
///                                  are re-evaluated together (one pass per backtracking round)
///
/// Unlike the single-process solver, z is not carried between iterations (z = X̂U is recomputed): here a pass is
/// cheaper than keeping N·K scores in step on every rank. L starts from C/4·λ_max(X̂ᵀX̂) by the same power
/// iteration (`powerIterations` steps from v = 1, times `lipschitzSafety`), whose products X̂ᵀX̂v are
/// `hessianProduct` with D ≡ ¼.
extension SparseLogisticRegression {
    /// Trains one model per column of `labels` (N, K) on the column blocks `sources` (each N rows), rows
    /// sharded in `OrderedReduction(blockSize:)` blocks; `chunkRows`, `cacheBytes` as in `RowShardedLinear.Options`.
    public static func trainRowSharded(_ sources: [any RowSource<Scalar>], labels: LabelMatrix,
                                       options: Options = Options(), blockSize: Int = 4096, chunkRows: Int = 1024,
                                       cacheBytes: Int = .max,
                                       communicator: any Communicator = SingleProcessCommunicator()) throws
        -> [SparseLogisticRegression] {
        let data = try RowBlocks(sources: sources, reduction: OrderedReduction(blockSize: blockSize),
                                 chunkRows: chunkRows, rank: communicator.rank, size: communicator.size, cacheBytes: cacheBytes)
        try validate(options, rows: data.rowCount, caller: "trainRowSharded")
        let objective = try RowShardedObjective(data: data, labels: labels, loss: .logistic, cost: options.cost,
                                                biasFeature: 1, ridge: 0, communicator: communicator)
        let single = try RowShardedObjective(data: data, labels: LabelMatrix(rows: data.rowCount, columns: 1,
                                                                             values: .init(repeating: true, count: data.rowCount)),
                                             loss: .logistic, cost: options.cost, biasFeature: 1, ridge: 0,
                                             communicator: communicator)
        return try RowShardedProximalGradient(objective: objective, options: options)
            .solve(lipschitz: lipschitzEstimate(single))
    }

    /// C/4·λ_max(X̂ᵀX̂) × `lipschitzSafety`, by power iteration on a one-concept objective.
    static func lipschitzEstimate(_ single: RowShardedObjective<Scalar>) throws -> Double {
        let quarter = single.constantCurvature(Scalar(0.25))
        var v = ConceptWeights<Scalar>(dimensions: single.data.dimensions, concepts: 1)
        for b in v.blocks.indices { v.blocks[b].values = .init(repeating: 1, count: v.blocks[b].values.count) }
        v.bias = [1]
        var lambda = 1.0
        for _ in 0 ..< powerIterations {
            let av = try single.hessianProduct(v, curvature: quarter)  // C/4·X̂ᵀX̂v
            let norm = av.squaredNorms()[0].squareRoot()
            guard norm > 0 else { break }
            lambda = norm
            v = av
            v.scale(by: [1 / norm])
        }
        return Swift.max(lambda * lipschitzSafety, 1e-12)
    }
}

/// The state of the row-sharded FISTA; columns are concepts.
struct RowShardedProximalGradient<Scalar: BLASScalar> {
    let objective: RowShardedObjective<Scalar>
    let options: SparseLogisticRegression<Scalar>.Options

    /// The proximal step of concept c from U with gradient G and step 1/L: returns (‖Δ‖², ∇gᵀΔ) and writes W⁺.
    func step(_ c: Int, u: ConceptWeights<Scalar>, g: ConceptWeights<Scalar>, lipschitz: Double,
              into w: inout ConceptWeights<Scalar>) -> (distance2: Double, linear: Double) {
        let s = 1 / lipschitz
        var distance2 = 0.0, linear = 0.0
        for b in w.blocks.indices {
            for j in 0 ..< w.blocks[b].rows {
                let v = Double(u.blocks[b][j, c]) - s * Double(g.blocks[b][j, c])
                w.blocks[b][j, c] = Scalar(v > s ? v - s : (v < -s ? v + s : 0))
                let dj = Double(w.blocks[b][j, c]) - Double(u.blocks[b][j, c])
                distance2 += dj * dj
                linear += Double(g.blocks[b][j, c]) * dj
            }
        }
        w.bias[c] = Scalar(Double(u.bias[c]) - s * Double(g.bias[c]))
        let db = Double(w.bias[c]) - Double(u.bias[c])
        return (distance2 + db * db, linear + Double(g.bias[c]) * db)
    }

    /// ‖W_k‖₁ (offset excluded).
    func l1(_ w: ConceptWeights<Scalar>) -> [Double] {
        var out = [Double](repeating: 0, count: w.concepts)
        for m in w.blocks { for j in 0 ..< m.rows { for c in 0 ..< w.concepts { out[c] += abs(Double(m[j, c])) } } }
        return out
    }

    /// The largest violation of the L1 optimality conditions of each concept (gradient G at W).
    func violations(_ w: ConceptWeights<Scalar>, _ g: ConceptWeights<Scalar>) -> [Double] {
        var worst = g.bias.map { abs(Double($0)) }
        for (m, gm) in zip(w.blocks, g.blocks) {
            for j in 0 ..< m.rows {
                for c in 0 ..< w.concepts {
                    let gj = Double(gm[j, c]), wj = m[j, c]
                    worst[c] = Swift.max(worst[c], wj > 0 ? abs(gj + 1) : (wj < 0 ? abs(gj - 1) : Swift.max(0, abs(gj) - 1)))
                }
            }
        }
        return worst
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func solve(lipschitz start: Double) throws -> [SparseLogisticRegression<Scalar>] {
        let k = objective.concepts, dims = objective.data.dimensions
        var lipschitz = [Double](repeating: start, count: k)
        var w = ConceptWeights<Scalar>(dimensions: dims, concepts: k), u = w
        let first = try objective.evaluate(w)
        var objectiveValue = first.values
        var worst = violations(w, first.gradient)
        var t = [Double](repeating: 1, count: k), iterations = [Int](repeating: 0, count: k)
        var active = worst.map { $0 > options.tolerance }
        var iteration = 0
        while iteration < options.maxIterations && active.contains(true) {
            iteration += 1
            let (gu, gradient, _) = try objective.evaluate(u)
            var wNew = w
            var quadratic = [(distance2: Double, linear: Double)](repeating: (0, 0), count: k)
            for c in 0 ..< k where active[c] { quadratic[c] = step(c, u: u, g: gradient, lipschitz: lipschitz[c], into: &wNew) }
            var gNew = try objective.values(wNew)
            var tries = 0
            while tries < ProximalGradientSolver<Scalar>.maxBacktracking {  // backtracking, failing concepts together
                var failing = [Bool](repeating: false, count: k)
                for c in 0 ..< k where active[c] {
                    let slack = 64 * Double(Scalar.ulpOfOne) * Swift.max(1, abs(gu[c]))
                    failing[c] = gNew[c] > gu[c] + quadratic[c].linear + lipschitz[c] / 2 * quadratic[c].distance2 + slack
                }
                guard failing.contains(true) else { break }
                tries += 1
                for c in 0 ..< k where failing[c] {
                    lipschitz[c] *= 2
                    quadratic[c] = step(c, u: u, g: gradient, lipschitz: lipschitz[c], into: &wNew)
                }
                let retried = try objective.values(wNew)
                for c in 0 ..< k where failing[c] { gNew[c] = retried[c] }
            }
            let norms = l1(wNew)
            var restart = [Bool](repeating: false, count: k), accept = restart
            var beta = [Double](repeating: 0, count: k)
            for c in 0 ..< k where active[c] {
                iterations[c] += 1
                let value = gNew[c] + norms[c]
                if value > objectiveValue[c] && t[c] > 1 {  // adaptive restart: drop the momentum, retry from W
                    t[c] = 1
                    restart[c] = true
                    continue
                }
                let tNew = (1 + (1 + 4 * t[c] * t[c]).squareRoot()) / 2
                beta[c] = (t[c] - 1) / tNew
                t[c] = tNew
                objectiveValue[c] = value
                accept[c] = true
            }
            u.copyColumns(from: w, where: restart)
            // U ← W⁺ + β(W⁺ − W) for the accepted concepts, then W ← W⁺.
            var momentum = wNew
            momentum.add(w, scaledBy: (0 ..< k).map { accept[$0] ? -1 : 0 })
            var extrapolated = wNew
            extrapolated.add(momentum, scaledBy: beta)
            u.copyColumns(from: extrapolated, where: accept)
            w.copyColumns(from: wNew, where: accept)
            if iteration % SparseLogisticRegression<Scalar>.checkInterval == 0 {
                let v = violations(w, try objective.evaluate(w).gradient)
                for c in 0 ..< k where active[c] {
                    worst[c] = v[c]
                    if v[c] <= options.tolerance { active[c] = false }
                }
            }
        }
        let final = try objective.evaluate(w)
        let last = violations(w, final.gradient), norms = l1(w)
        return (0 ..< k).map { c in
            let weights = w.column(c).weights, d = weights.count
            let nonZeros = weights.reduce(0) { $0 + ($1 != 0 ? 1 : 0) }
            let stats = SparseLogisticRegression<Scalar>.Statistics(
                iterations: iterations[c], converged: !active[c], objective: final.values[c] + norms[c],
                optimalityViolation: active[c] ? last[c] : worst[c], nonZeros: nonZeros,
                sparsity: d == 0 ? 0 : Double(d - nonZeros) / Double(d))
            return SparseLogisticRegression(weights: weights, bias: w.bias[c], statistics: stats)
        }
    }
}
