import Core
import Infusion
import LinearAlgebra
import NeuralNets
import TestSupport
import XCTest

/// Finite-difference checks (Double, central differences) of the attention, the penalty and the whole infused
/// head, w.r.t. c_t and the parameters W1, b1. Scalar probe L(Y) = Σ r_i Y_i for layer outputs, so dL/dY = r.
final class InfusionGradientTests: XCTestCase {
    // Tiny shapes: B = 3 instances, M = 4, k = 3 neighbours, C = 3 classes.
    let (b, m, k, classes) = (3, 4, 3, 3)

    func testAttentionGradientWithRespectToContext() {
        let attention = SourceAttention(neighbours: k, contextSize: m)
        let c = randomMatrixD(rows: b, columns: m, seed: 1)
        let z = randomMatrixD(rows: b * k, columns: m, seed: 2)
        let r = randomValues(b * m, seed: 3, scale: 1)
        let (_, cache) = attention.forward(context: c, sources: z)
        let dC = attention.backward(Matrix(rows: b, columns: m, values: r), cache)
        assertGradient(dC.values, at: c.values, label: "attention dc") { cv in
            probe(attention.forward(context: Matrix(rows: b, columns: m, values: cv), sources: z).0.values, r)
        }
    }

    func testPenaltyGradients() {
        let penalty = InfusionPenalty(scale: 0.3)
        let zS = randomMatrixD(rows: b, columns: m, seed: 4), zT = randomMatrixD(rows: b, columns: m, seed: 5)
        let p = penalty.evaluate(fused: zS, target: zT)
        // P = λ Σ (z_s − z_t)² by hand.
        let byHand = 0.3 * zip(zS.values, zT.values).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        XCTAssertEqual(p.penalty, byHand, accuracy: 1e-12)
        assertGradient(p.dFused.values, at: zS.values, label: "penalty dz_s") { v in
            penalty.evaluate(fused: Matrix(rows: b, columns: m, values: v), target: zT).penalty
        }
        assertGradient(p.dTarget.values, at: zT.values, label: "penalty dz_t") { v in
            penalty.evaluate(fused: zS, target: Matrix(rows: b, columns: m, values: v)).penalty
        }
    }

    /// λ = 0: no penalty and no penalty gradient, and the head's loss is the cross-entropy alone.
    func testZeroLambdaRemovesThePenalty() {
        let zS = randomMatrixD(rows: b, columns: m, seed: 6), zT = randomMatrixD(rows: b, columns: m, seed: 7)
        let p = InfusionPenalty(scale: 0).evaluate(fused: zS, target: zT)
        XCTAssertEqual(p.penalty, 0)
        XCTAssertTrue(p.dFused.values.allSatisfy { $0 == 0 } && p.dTarget.values.allSatisfy { $0 == 0 })

        let (head, values) = makeHead(sources: 1, lambda: 0)
        let (c, z, targets) = (randomMatrixD(rows: b, columns: m, seed: 8), randomMatrixD(rows: b * k, columns: m, seed: 9),
                               [0, 2, 1])
        let (loss, cache) = head.forward(context: c, sources: [z], targets: targets, parameters: values)
        XCTAssertEqual(loss.penalty, 0)
        let (ce, _) = SoftmaxCrossEntropy.forward(cache.logits, targets: targets, reduction: .sum)
        XCTAssertEqual(loss.total, ce)
    }

    func testHeadGradientsOneSource() { checkHead(sources: 1) }

    /// Per-source retrieval: two attentions, s = [c, z¹_s, z²_s].
    func testHeadGradientsTwoSources() { checkHead(sources: 2) }

    func checkHead(sources count: Int, file: StaticString = #filePath, line: UInt = #line) {
        // λ large enough that the penalty's share of the gradient is visible to the check.
        let (head, values) = makeHead(sources: count, lambda: 0.25)
        let c = randomMatrixD(rows: b, columns: m, seed: 10)
        let zs = (0 ..< count).map { randomMatrixD(rows: b * k, columns: m, seed: 11 + UInt64($0)) }
        let targets = [1, 0, 2]
        var grads = [Double](repeating: 0, count: values.count)
        let (loss, cache) = head.forward(context: c, sources: zs, targets: targets, parameters: values)
        XCTAssertGreaterThan(loss.penalty, 1e-3, file: file, line: line)
        let dC = head.backward(cache, parameters: values, into: &grads)
        assertGradient(dC.values, at: c.values, label: "head dc (S = \(count))", file: file, line: line) { cv in
            head.forward(context: Matrix(rows: b, columns: m, values: cv), sources: zs, targets: targets,
                         parameters: values).0.total
        }
        assertGradient(grads, at: values, label: "head dW1, db1 (S = \(count))", file: file, line: line) { theta in
            head.forward(context: c, sources: zs, targets: targets, parameters: theta).0.total
        }
    }

    func makeHead(sources: Int, lambda: Double) -> (InfusedClassifier, [Double]) {
        var layout = ParameterLayout()
        let head = InfusedClassifier(.init(contextSize: m, classCount: classes, neighbours: k, sourceCount: sources,
                                           penaltyScale: lambda), layout: &layout)
        var parameters = Parameters<Double>(layout: layout)
        var rng = SeededRandom(seed: 99)
        head.initialize(&parameters.values, rng: &rng)
        return (head, parameters.values)
    }
}

// MARK: - Helpers

let gradientTolerance = 1e-6
let gradientFloor = 1e-4

func randomValues(_ count: Int, seed: UInt64, scale: Double = 0.7) -> [Double] {
    var rng = SeededRandom(seed: seed)
    return (0 ..< count).map { _ in scale * rng.normal() }
}

func randomMatrixD(rows: Int, columns: Int, seed: UInt64) -> Matrix<Double> {
    Matrix(rows: rows, columns: columns, values: randomValues(rows * columns, seed: seed))
}

func probe(_ y: [Double], _ r: [Double]) -> Double { zip(y, r).reduce(0) { $0 + $1.0 * $1.1 } }

func assertGradient(_ analytic: [Double], at point: [Double], label: String,
                    file: StaticString = #filePath, line: UInt = #line, _ f: ([Double]) -> Double) {
    let numeric = numericalGradient(point, step: 1e-5, f)
    let error = maxRelativeError(analytic, numeric, floor: gradientFloor)
    XCTAssertLessThan(error, gradientTolerance, "\(label): max relative error \(error)", file: file, line: line)
    XCTAssertGreaterThan(numeric.map(abs).max() ?? 0, 1e-3, "\(label): gradient is all ~0", file: file, line: line)
}
