/// Central finite differences for gradient checks (used in Double, on tiny seeded shapes):
///
///     ∂f/∂θ_i ≈ (f(θ + h·e_i) − f(θ − h·e_i)) / 2h
///
/// The error of the estimate is O(h²); with h = 1e-5 in Double the relative error of a correct analytic
/// gradient is typically below 1e-7, and a wrong one is off by O(1).
public func numericalGradient(_ parameters: [Double], step h: Double = 1e-5, _ f: ([Double]) -> Double) -> [Double] {
    var theta = parameters
    var gradient = [Double](repeating: 0, count: parameters.count)
    for i in parameters.indices {
        let saved = theta[i]
        theta[i] = saved + h
        let plus = f(theta)
        theta[i] = saved - h
        let minus = f(theta)
        theta[i] = saved
        gradient[i] = (plus - minus) / (2 * h)
    }
    return gradient
}

/// max_i |a_i − n_i| / max(|a_i| + |n_i|, floor): the relative error between an analytic and a numerical gradient.
public func maxRelativeError(_ analytic: [Double], _ numeric: [Double], floor: Double = 1e-8) -> Double {
    precondition(analytic.count == numeric.count, "maxRelativeError: lengths differ")
    var worst = 0.0
    for i in analytic.indices {
        let denominator = max(abs(analytic[i]) + abs(numeric[i]), floor)
        worst = max(worst, abs(analytic[i] - numeric[i]) / denominator)
    }
    return worst
}
