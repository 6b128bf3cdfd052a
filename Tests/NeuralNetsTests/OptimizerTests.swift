import Core
import LinearAlgebra
import NeuralNets
import TestSupport
import XCTest

final class OptimizerTests: XCTestCase {
    func oneParameter(_ value: Float, grad: Float) -> Parameters<Float> {
        var layout = ParameterLayout()
        _ = layout.register("theta", rows: 1, columns: 1)
        var p = Parameters<Float>(layout: layout)
        p.values = [value]
        p.grads = [grad]
        return p
    }

    /// The paper's schedule: 0.3× every 10 epochs.
    func testStepDecaySchedule() {
        let decay = StepDecay(initialRate: 0.01)
        let rates = [0, 9, 10, 19, 20, 29, 30].map { decay.learningRate(epoch: $0) }
        let expected = [0.01, 0.01, 0.003, 0.003, 0.0009, 0.0009, 0.00027]
        for (rate, want) in zip(rates, expected) { XCTAssertEqual(rate, want, accuracy: 1e-15) }
    }

    func testSGDStep() {
        var p = oneParameter(1, grad: 0.5)
        SGD(learningRate: 0.1).step(&p)
        XCTAssertEqual(p.values[0], 0.95, accuracy: 1e-7)
        SGD(learningRate: 0.1).step(&p, gradientScale: 2)
        XCTAssertEqual(p.values[0], 0.85, accuracy: 1e-7)
    }

    /// Two Adam steps on θ = 1 with g = 0.5 then g = −1, lr 0.1, by hand (PyTorch's update):
    ///   t=1: m = 0.05,   v = 0.00025,    m̂ = 0.5,     v̂ = 0.25     → θ = 1 − 0.1·0.5/(0.5 + 1e-8) = 0.900000002
    ///   t=2: m = −0.055, v = 0.00124975, m̂ = −0.289474, v̂ = 0.625188 → θ = 0.936610354
    func testAdamAgainstHandComputedSteps() {
        var p = oneParameter(1, grad: 0.5)
        var adam = Adam<Float>(parameterCount: 1, learningRate: 0.1)
        adam.step(&p)
        XCTAssertEqual(p.values[0], 0.900000002, accuracy: 1e-6)
        XCTAssertEqual(adam.firstMoment[0], 0.05, accuracy: 1e-7)
        XCTAssertEqual(adam.secondMoment[0], 0.00025, accuracy: 1e-8)
        p.grads = [-1]
        adam.step(&p)
        XCTAssertEqual(p.values[0], 0.9366103542, accuracy: 1e-6)
        XCTAssertEqual(adam.stepCount, 2)
    }

    func testAdamGradientScaleEqualsScaledGradient() {
        var scaled = oneParameter(1, grad: 4)
        var plain = oneParameter(1, grad: 1)
        var a = Adam<Float>(parameterCount: 1, learningRate: 0.01), b = a
        for _ in 0 ..< 3 {
            a.step(&scaled, gradientScale: 0.25)
            b.step(&plain)
        }
        XCTAssertEqual(scaled.values, plain.values)
    }

    func testClippingScalesToTheMaxNorm() {
        var grads: [Float] = [3, 4, 0]
        let norm = GradientClipping.clipByGlobalNorm(&grads, maxNorm: 1)
        XCTAssertEqual(norm, 5, accuracy: 1e-6)
        assertClose(grads, [0.6, 0.8, 0], rtol: 1e-6, atol: 1e-7, label: "clipped")
        XCTAssertEqual(GradientClipping.globalNorm(grads), 1, accuracy: 1e-6)
        var small: [Float] = [0.3, -0.4]
        XCTAssertEqual(GradientClipping.clipByGlobalNorm(&small, maxNorm: 1), 0.5, accuracy: 1e-6)
        XCTAssertEqual(small, [0.3, -0.4], "below the max norm: unchanged")
    }
}

final class AdamLanesTests: XCTestCase {
    /// The 8-lane Float path and the scalar tail agree with Double Adam on 29 parameters (3 lane groups + 5).
    func testFloatLanesMatchDoubleAdam() {
        var layout = ParameterLayout()
        _ = layout.register("w", rows: 1, columns: 29)
        var pf = Parameters<Float>(layout: layout), pd = Parameters<Double>(layout: layout)
        var rng = SeededRandom(seed: 60)
        pd.values = (0 ..< 29).map { _ in rng.normal() }
        pf.values = pd.values.map(Float.init)
        var af = Adam<Float>(parameterCount: 29, learningRate: 0.01), ad = Adam<Double>(parameterCount: 29, learningRate: 0.01)
        for _ in 0 ..< 5 {
            pd.grads = (0 ..< 29).map { _ in rng.normal() }
            pf.grads = pd.grads.map(Float.init)
            af.step(&pf, gradientScale: 0.5)
            ad.step(&pd, gradientScale: 0.5)
        }
        assertClose(pf.values, pd.values.map(Float.init), rtol: 1e-5, atol: 1e-6, label: "Float lanes vs Double")
        assertClose(af.secondMoment, ad.secondMoment.map(Float.init), rtol: 1e-5, atol: 1e-9, label: "v")
    }
}

final class ActivationTests: XCTestCase {
    func testFloatTanhAndSigmoidAreAccurate() {
        var worstTanh: Double = 0, worstSigmoid: Double = 0
        for k in -4000 ... 4000 {
            let a = Double(k) / 100
            worstTanh = max(worstTanh, abs(Double(Float.tanh(Float(a))) - Foundation.tanh(Double(Float(a)))))
            worstSigmoid = max(worstSigmoid, abs(Double(sigmoid(Float(a))) - 1 / (1 + exp(-Double(Float(a))))))
        }
        XCTAssertLessThan(worstTanh, 3e-7)
        XCTAssertLessThan(worstSigmoid, 1e-7)
        XCTAssertEqual(Float.tanh(Float(100)), 1)
        XCTAssertEqual(Float.tanh(Float(-100)), -1)
        XCTAssertEqual(sigmoid(Float(-200)), 0)
    }
}
