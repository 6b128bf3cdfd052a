#if canImport(Glibc)
import Glibc
#endif
import LinearAlgebra

/// Optimizers and gradient clipping on the flat buffers of `Parameters`: every update is one pass over one
/// contiguous array, whatever the model.
///
///     SGD:       θ ← θ − η·s·g
///     Adam:      m ← β₁m + (1−β₁)·s·g      v ← β₂v + (1−β₂)·(s·g)²
///                θ ← θ − η · (m / (1−β₁ᵗ)) / (√(v / (1−β₂ᵗ)) + ε)          (Kingma & Ba, 2015; PyTorch's form)
///     clipping:  ‖g‖ = √(Σ_i g_i²);  g ← g · min(1, maxNorm / ‖g‖)
///
/// s is `gradientScale` (default 1): a data-parallel trainer passes 1 / (global sample count) after the
/// all-reduce, so averaging costs no extra pass over the gradient.
///
/// Step decay (Instance Infusion, Experiments: "decreased to 0.3 times its previous value every 10 epochs"):
///
///     η(epoch) = η₀ · 0.3^⌊epoch / 10⌋            epochs counted from 0
public struct StepDecay: Sendable, Equatable {
    public var initialRate: Double
    public var factor: Double
    public var interval: Int

    public init(initialRate: Double, factor: Double = 0.3, every interval: Int = 10) {
        precondition(interval > 0, "StepDecay: the interval must be positive, got \(interval)")
        self.initialRate = initialRate
        self.factor = factor
        self.interval = interval
    }

    /// η for a 0-based epoch.
    public func learningRate(epoch: Int) -> Double {
        var rate = initialRate
        for _ in 0 ..< max(0, epoch) / interval { rate *= factor }
        return rate
    }
}

/// Plain stochastic gradient descent, θ ← θ − η·s·g.
public struct SGD: Sendable {
    public var learningRate: Double

    public init(learningRate: Double) { self.learningRate = learningRate }

    @_specialize(where S == Float)
    public func step<S: NeuralScalar>(_ parameters: inout Parameters<S>, gradientScale: S = 1) {
        let rate = S(learningRate) * gradientScale
        let n = parameters.values.count
        parameters.values.withUnsafeMutableBufferPointer { theta in
            parameters.grads.withUnsafeBufferPointer { g in
                for i in 0 ..< n { theta[i] -= rate * g[i] }
            }
        }
    }
}

/// Adam with its state in one flat buffer each for m and v (same layout as the parameters) and a step count,
/// so a checkpoint stores exactly `firstMoment`, `secondMoment` and `stepCount`.
public struct Adam<S: NeuralScalar>: Sendable {
    public var learningRate: Double
    public var beta1: Double
    public var beta2: Double
    public var epsilon: Double
    /// m, one scalar per parameter.
    public var firstMoment: [S]
    /// v, one scalar per parameter.
    public var secondMoment: [S]
    /// t, the number of steps taken.
    public var stepCount: Int = 0

    public init(parameterCount: Int, learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999,
                epsilon: Double = 1e-8) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        firstMoment = [S](repeating: 0, count: parameterCount)
        secondMoment = [S](repeating: 0, count: parameterCount)
    }

    @_specialize(where S == Float)
    public mutating func step(_ parameters: inout Parameters<S>, gradientScale: S = 1) {
        let n = parameters.values.count
        precondition(firstMoment.count == n, "Adam: state for \(firstMoment.count) parameters, model has \(n)")
        stepCount += 1
        let t = Double(stepCount)
        // 1 − β is formed in Double: Float(1 − 0.999) is exact to 1e-7 relative, 1 − Float(0.999) only to 5e-5.
        let (b1, b2, oneMinusB1, oneMinusB2) = (S(beta1), S(beta2), S(1 - beta1), S(1 - beta2))
        let correction1 = 1 - pow(beta1, t), correction2 = 1 - pow(beta2, t)
        // θ −= η/(1−β₁ᵗ) · m / (√v / √(1−β₂ᵗ) + ε)
        let stepSize = S(learningRate / correction1), invSqrtCorrection2 = S(1 / correction2.squareRoot())
        let eps = S(epsilon)
        withMutableBaseAddresses(&parameters.values, &firstMoment, &secondMoment) { theta, m, v in
        parameters.grads.withUnsafeBufferPointer { gradBuffer in
            let grad = gradBuffer.baseAddress!
            var start = 0
            if S.self == Float.self, n >= 8 {  // 8 lanes at a time; the scalar loop below finishes the tail
                start = n - n % 8
                adamFloatLanes(theta: theta, grad: grad, m: m, v: v, count: start,
                               constants: [gradientScale, b1, b2, oneMinusB1, oneMinusB2, stepSize, invSqrtCorrection2, eps])
            }
            for i in start ..< n {
                let g = gradientScale * grad[i]
                m[i] = b1 * m[i] + oneMinusB1 * g
                v[i] = b2 * v[i] + oneMinusB2 * g * g
                theta[i] -= stepSize * m[i] / (v[i].squareRoot() * invSqrtCorrection2 + eps)
            }
        } }
    }
}

/// The Adam update of `Adam.step` on SIMD8<Float> lanes (the scalar loop does not vectorise: its four buffers
/// may alias as far as the compiler knows). `constants` = [s, β₁, β₂, 1−β₁, 1−β₂, step size, 1/√(1−β₂ᵗ), ε].
private func adamFloatLanes<S: NeuralScalar>(
    theta: UnsafeMutablePointer<S>, grad: UnsafePointer<S>, m: UnsafeMutablePointer<S>, v: UnsafeMutablePointer<S>,
    count: Int, constants: [S]
) {
    let c = constants.map { Float($0) }
    let lanes = c.map { SIMD8<Float>(repeating: $0) }
    let (scale, b1, b2, oneMinusB1, oneMinusB2) = (lanes[0], lanes[1], lanes[2], lanes[3], lanes[4])
    let (stepSize, invC2, eps) = (lanes[5], lanes[6], lanes[7])
    let (pt, pg) = (UnsafeMutableRawPointer(theta), UnsafeRawPointer(grad))
    let (pm, pv) = (UnsafeMutableRawPointer(m), UnsafeMutableRawPointer(v))
    for i in stride(from: 0, to: count, by: 8) {
        let offset = i * MemoryLayout<Float>.stride
        let g = scale * pg.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
        let mi = b1 * pm.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self) + oneMinusB1 * g
        let vi = b2 * pv.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self) + oneMinusB2 * g * g
        let ti = pt.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self) - stepSize * mi / (vi.squareRoot() * invC2 + eps)
        pm.storeBytes(of: mi, toByteOffset: offset, as: SIMD8<Float>.self)
        pv.storeBytes(of: vi, toByteOffset: offset, as: SIMD8<Float>.self)
        pt.storeBytes(of: ti, toByteOffset: offset, as: SIMD8<Float>.self)
    }
}

/// Clipping by global norm (one norm over the whole flat gradient buffer, as `clip_grad_norm_`).
public enum GradientClipping {
    /// ‖g‖₂ over all of `grads`, accumulated in Double.
    public static func globalNorm<S: BLASScalar>(_ grads: [S]) -> Double {
        var sum = 0.0
        for g in grads { sum += Double(g) * Double(g) }
        return sum.squareRoot()
    }

    /// Scales `grads` by min(1, maxNorm / ‖g‖); returns ‖g‖ before clipping.
    @discardableResult
    public static func clipByGlobalNorm<S: BLASScalar>(_ grads: inout [S], maxNorm: Double) -> Double {
        precondition(maxNorm > 0, "clipByGlobalNorm: maxNorm must be positive, got \(maxNorm)")
        let norm = globalNorm(grads)
        if norm > maxNorm { BLAS.scal(S(maxNorm / norm), &grads) }
        return norm
    }
}
