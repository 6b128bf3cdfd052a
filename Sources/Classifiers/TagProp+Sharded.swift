import Core
import Foundation

/// `TagProp.train` over training images sharded across ranks: the same fit (maths in `TagProp`), with every sum
/// over items i an `OrderedReduction` over fixed blocks of items, so the model is bit-identical for any rank count.
///
/// Rank r holds the items `rows` = `reduction.rows(totalRows: N, rank: r, size: R)`: their leave-one-out lists
/// (global training indices, e.g. from `NearestNeighbours.leaveOneOut(shard:…)`), their predictions x_i (W) and
/// targets; the labels of all N images (N·W bits) are replicated, since any image may be a neighbour. γ, α, β
/// (S + 2W numbers) are replicated and updated identically on every rank. Per round of the fit:
///
///     (α, β):  Newton on every word at once: Σ_i (e_iw x_iw, e_iw, s_iw x²_iw, s_iw x_iw, s_iw)  → 5W reduced,
///              step halving: L_w(α_w + Δα_w, β_w + Δβ_w) = Σ_i log σ(±z_iw)                       → W reduced
///     γ:       ∂L/∂γ_s = Σ_i …                                                                 → S reduced,
///              Armijo trials: L = Σ_{i,w} …                                                      → 1 reduced
///
/// Each word follows exactly the arithmetic of `TagProp.train`'s per-word Newton (words only stop at different
/// iterations), so with a single reduction block (N ≤ `reduction.blockSize`) the model equals `TagProp.train`'s
/// bit for bit; with several blocks the sums are associated by block and agree to rounding.
extension TagProp {
    /// The item blocks of the sharded fit and search: 256 items (`NearestNeighbours.defaultBlockSize`), so ranks
    /// share the work from a few hundred images on. N ≤ 256: the model is `TagProp.train`'s, bit for bit.
    public static var itemBlocks: OrderedReduction { OrderedReduction(blockSize: NearestNeighbours.defaultBlockSize) }

    public static func train(neighbours: [Neighbours], rows: Range<Int>, labels: LabelMatrix, options: Options = Options(),
                             reduction: OrderedReduction = itemBlocks,
                             communicator comm: any Communicator) throws -> TagProp {
        let n = labels.rows, words = labels.columns
        guard n > 0 else { throw ClassifierError.emptyTrainingSet(what: "TagProp.train") }
        guard rows == reduction.rows(totalRows: n, rank: comm.rank, size: comm.size) else {
            throw ClassifierError.shapeMismatch(what: "TagProp.train: items of this rank (the reduction's rows)",
                                                expected: reduction.rows(totalRows: n, rank: comm.rank, size: comm.size).count,
                                                got: rows.count)
        }
        guard options.alternations >= 1, options.gammaIterations >= 0, options.newtonIterations >= 1 else {
            throw ClassifierError.invalidOption(name: "alternations/gammaIterations/newtonIterations",
                                                value: [options.alternations, options.gammaIterations,
                                                        options.newtonIterations].map(String.init).joined(separator: "/"),
                                                requirement: "≥ 1 / ≥ 0 / ≥ 1")
        }
        let kd = neighboursPerMeasure(total: options.neighbours, measures: neighbours.count)
        if !rows.isEmpty {
            _ = try checkedNeighboursPerMeasure(neighbours, items: rows.count, total: options.neighbours, trainingItems: n)
        }
        let slots = neighbours.count * kd
        let targets = LabelMatrix(rows: rows.count, columns: words,
                                  values: Array(labels.values[rows.lowerBound * words ..< rows.upperBound * words]))
        let objective = TagPropObjective(neighbours: rows.isEmpty ? [] : flatten(neighbours, perMeasure: kd), slots: slots,
                                         trainingLabels: labels, targets: targets)
        // Σ over all N items of a per-item-range partial, in block order (collective).
        func total(_ width: Int, _ partial: (Range<Int>) -> [Double]) throws -> [Double] {
            try reduction.sum(totalRows: n, width: width, communicator: comm) { global in
                partial(global.lowerBound - rows.lowerBound ..< global.upperBound - rows.lowerBound)
            }
        }
        func logLikelihood(_ x: [Double], _ alpha: [Double], _ beta: [Double]) throws -> Double {
            try total(1) { [objective.logLikelihood(x: x, alpha: alpha, beta: beta, over: $0)] }[0]
        }

        var gamma = [Double](repeating: 1 / Double(slots), count: slots)
        var alpha = [Double](repeating: 1, count: words), beta = [Double](repeating: 0, count: words)
        var x = objective.predictions(gamma: gamma)
        var history = [try logLikelihood(x, alpha, beta)]
        for _ in 0 ..< options.alternations {
            (alpha, beta) = try fitWords(objective, x: x, alpha: alpha, beta: beta, iterations: options.newtonIterations,
                                         total: total)
            var current = try logLikelihood(x, alpha, beta)
            history.append(current)
            try ascendGamma(&gamma, x: &x, current: &current, iterations: options.gammaIterations,
                            predictions: objective.predictions(gamma:), value: { try logLikelihood($0, alpha, beta) },
                            gradient: { x in try total(slots) { objective.gammaGradient(x: x, alpha: alpha, beta: beta, over: $0) } })
            history.append(current)
        }
        return TagProp(measures: neighbours.count, neighboursPerMeasure: kd, gamma: gamma, alpha: alpha, beta: beta,
                       logLikelihoodHistory: history)
    }

    /// `TagPropObjective.fitWord` for every word at once: one reduction per Newton iteration and per halving.
    static func fitWords(_ objective: TagPropObjective, x: [Double], alpha a0: [Double], beta b0: [Double],
                         iterations: Int,
                         total: (Int, (Range<Int>) -> [Double]) throws -> [Double]) throws -> ([Double], [Double]) {
        let words = objective.words
        var a = a0, b = b0
        var current = try total(words) { objective.wordValues(x: x, alpha: a, beta: b, over: $0) }
        var active = [Bool](repeating: true, count: words)
        for _ in 0 ..< iterations where active.contains(true) {
            let h = try total(5 * words) { objective.wordNewtonSums(x: x, alpha: a, beta: b, over: $0) }
            var da = [Double](repeating: 0, count: words), db = da
            var searching = active, accepted = [Bool](repeating: false, count: words)
            for w in 0 ..< words where active[w] {
                let (ga, gb, haa, hab, hbb) = (h[5 * w], h[5 * w + 1], h[5 * w + 2], h[5 * w + 3], h[5 * w + 4])
                let lambda = TagProp.newtonDamping * Swift.max(1, haa + hbb)
                let det = (haa + lambda) * (hbb + lambda) - hab * hab
                guard det > 0 else {
                    active[w] = false
                    searching[w] = false
                    continue
                }
                da[w] = ((hbb + lambda) * ga - hab * gb) / det
                db[w] = ((haa + lambda) * gb - hab * ga) / det
            }
            for _ in 0 ..< 30 where searching.contains(true) {
                let ta = (0 ..< words).map { a[$0] + da[$0] }, tb = (0 ..< words).map { b[$0] + db[$0] }
                let candidate = try total(words) { objective.wordValues(x: x, alpha: ta, beta: tb, over: $0) }
                for w in 0 ..< words where searching[w] {
                    if candidate[w] >= current[w] {
                        accepted[w] = candidate[w] > current[w]
                        a[w] = ta[w]
                        b[w] = tb[w]
                        current[w] = candidate[w]
                        searching[w] = false
                    } else {
                        da[w] /= 2
                        db[w] /= 2
                    }
                }
            }
            for w in 0 ..< words where active[w] && (!accepted[w] || abs(da[w]) + abs(db[w]) < TagProp.newtonTolerance) {
                active[w] = false
            }
        }
        return (a, b)
    }
}

extension TagPropObjective {
    /// Per word w: Σ_{i ∈ range} log σ(±(α_w x_iw + β_w)) (+ when t_iw), in `fitWord`'s order of operations.
    func wordValues(x: [Double], alpha: [Double], beta: [Double], over range: Range<Int>) -> [Double] {
        guard let targets else { preconditionFailure("TagPropObjective: no targets") }
        var sum = [Double](repeating: 0, count: words)
        for i in range {
            for w in 0 ..< words {
                let z = alpha[w] * x[i * words + w] + beta[w]
                sum[w] += TagProp.logSigmoid(targets[i, w] ? z : -z)
            }
        }
        return sum
    }

    /// Per word w, at offset 5w: Σ_{i ∈ range} of e x, e, s x², s x, s with p = σ(α_w x + β_w), e = t − p,
    /// s = p(1 − p): the gradient and negated Hessian of word w's log-likelihood, as `fitWord` accumulates them.
    func wordNewtonSums(x: [Double], alpha: [Double], beta: [Double], over range: Range<Int>) -> [Double] {
        guard let targets else { preconditionFailure("TagPropObjective: no targets") }
        var h = [Double](repeating: 0, count: 5 * words)
        for i in range {
            for w in 0 ..< words {
                let xi = x[i * words + w]
                let p = TagProp.sigmoid(alpha[w] * xi + beta[w])
                let e = (targets[i, w] ? 1 : 0) - p, s = p * (1 - p)
                h[5 * w] += e * xi
                h[5 * w + 1] += e
                h[5 * w + 2] += s * xi * xi
                h[5 * w + 3] += s * xi
                h[5 * w + 4] += s
            }
        }
        return h
    }
}
