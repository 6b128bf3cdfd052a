import LinearAlgebra

/// Steihaug's truncated conjugate gradients for the TRON sub-problem, per concept:
///
///     minimise  q(s) = gᵀs + ½ sᵀHs   subject to ‖s‖ ≤ Δ
///
///     s = 0, r = −g, d = r
///     repeat while ‖r‖ > ξ‖g‖ (ξ = 0.1):
///         α = rᵀr / dᵀHd;  s ← s + αd
///         if ‖s‖ > Δ:  s ← s − αd;  s ← s + τd with τ ≥ 0 solving ‖s + τd‖ = Δ;  r ← r − τHd;  stop
///         r ← r − αHd;  β = r_newᵀr_new / rᵀr;  d ← r + βd
///
/// τ = (Δ² − sᵀs)/(sᵀd + ρ) if sᵀd ≥ 0, else (ρ − sᵀd)/dᵀd, with ρ = √((sᵀd)² + dᵀd(Δ² − sᵀs)) (no cancellation).
/// Returns s and the residual r = −g − Hs (TRON's predicted reduction is −½(gᵀs − sᵀr)). All concepts share one
/// Hessian-vector product (one pass over X) per CG step; a concept that has stopped keeps d = 0.
/// `maxSteps` caps the steps per call, a guard against a stalled residual in Float.
extension TrustRegionNewton {
    static var xi: Double { 0.1 }
    static var maxSteps: Int { 1000 }

    func conjugateGradient(_ g: ConceptWeights<Scalar>, curvature: RowShardedObjective<Scalar>.Curvature,
                           delta: [Double], active: [Bool]) throws
        -> (step: ConceptWeights<Scalar>, residual: ConceptWeights<Scalar>, steps: Int) {
        let k = g.concepts
        var s = g, r = g
        s.scale(by: [Double](repeating: 0, count: k))
        r.scale(by: active.map { $0 ? -1 : 0 })
        var d = r
        var rTr = r.dots(r)
        let gnorm = g.squaredNorms().map { $0.squareRoot() }
        var running = (0 ..< k).map { active[$0] && rTr[$0].squareRoot() > Self.xi * gnorm[$0] }
        var steps = 0
        while running.contains(true) && steps < Self.maxSteps {
            steps += 1
            d.scale(by: running.map { $0 ? 1 : 0 })
            let hd = try objective.hessianProduct(d, curvature: curvature)
            let dHd = d.dots(hd)
            let alpha = (0 ..< k).map { running[$0] && dHd[$0] > 0 ? rTr[$0] / dHd[$0] : 0 }
            let previous = s
            s.add(d, scaledBy: alpha)
            let sts = s.squaredNorms()
            var beyond = [Bool](repeating: false, count: k)
            for c in 0 ..< k where running[c] && sts[c] > delta[c] * delta[c] { beyond[c] = true }
            if beyond.contains(true) {  // back to the previous s, then to the boundary along d
                s.copyColumns(from: previous, where: beyond)
                let std = s.dots(d), sts0 = s.squaredNorms(), dd = d.squaredNorms()
                var tau = [Double](repeating: 0, count: k)
                for c in 0 ..< k where beyond[c] {
                    let room = Swift.max(delta[c] * delta[c] - sts0[c], 0)
                    let rad = (std[c] * std[c] + dd[c] * room).squareRoot()
                    tau[c] = std[c] >= 0 ? room / (std[c] + rad) : (rad - std[c]) / dd[c]
                }
                s.add(d, scaledBy: tau)
                r.add(hd, scaledBy: tau.map { -$0 })
            }
            r.add(hd, scaledBy: (0 ..< k).map { beyond[$0] ? 0 : -alpha[$0] })
            let rNew = r.dots(r)
            var beta = [Double](repeating: 0, count: k)
            for c in 0 ..< k where running[c] {
                if beyond[c] || rNew[c].squareRoot() <= Self.xi * gnorm[c] || dHd[c] <= 0 {
                    running[c] = false
                } else {
                    beta[c] = rNew[c] / rTr[c]
                }
            }
            rTr = rNew
            d.scale(by: beta)
            d.add(r, scaledBy: running.map { $0 ? 1 : 0 })
        }
        return (s, r, steps)
    }
}
