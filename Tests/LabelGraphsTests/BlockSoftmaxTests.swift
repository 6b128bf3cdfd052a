import LabelGraphs
import LinearAlgebra
import TestSupport
import XCTest

final class BlockSoftmaxTests: XCTestCase {
    // Row 0: blocks {0, 1} and {2, 3, 4}, column 5 masked. Row 1: one block {1, 3, 5}.
    let blocks: [BlockSoftmax.Blocks] = [[[0, 1], [2, 3, 4]], [[1, 3, 5]]]

    func testEachBlockSumsToOneAndMaskedColumnsAreZero() {
        let z = randomMatrixD(rows: 2, columns: 6, seed: 3)
        let p = BlockSoftmax.forward(z, blocks: blocks)
        XCTAssertEqual(p[0, 0] + p[0, 1], 1, accuracy: 1e-12)
        XCTAssertEqual(p[0, 2] + p[0, 3] + p[0, 4], 1, accuracy: 1e-12)
        XCTAssertEqual(p[0, 5], 0)
        XCTAssertEqual(p[1, 1] + p[1, 3] + p[1, 5], 1, accuracy: 1e-12)
        XCTAssertEqual([p[1, 0], p[1, 2], p[1, 4]], [0, 0, 0])
        // Within a block it is the ordinary softmax.
        let e0 = exp(z[0, 0]), e1 = exp(z[0, 1])
        XCTAssertEqual(p[0, 0], e0 / (e0 + e1), accuracy: 1e-12)
    }

    func testGroupsDoNotInteract() {
        let z = randomMatrixD(rows: 2, columns: 6, seed: 4)
        var changed = z
        changed[0, 2] += 5; changed[0, 4] -= 3; changed[0, 5] += 100  // another block, and a masked column
        let p = BlockSoftmax.forward(z, blocks: blocks), q = BlockSoftmax.forward(changed, blocks: blocks)
        XCTAssertEqual(p[0, 0], q[0, 0], accuracy: 1e-15)
        XCTAssertEqual(p[0, 1], q[0, 1], accuracy: 1e-15)
        XCTAssertNotEqual(p[0, 2], q[0, 2], "the changed block does move")
        // A plain softmax over the row would not have this property.
        XCTAssertGreaterThan(abs(p[0, 0] - exp(changed[0, 0]) / (0 ..< 6).map { exp(changed[0, $0]) }.reduce(0, +)), 1e-3)
    }

    func testBackwardMatchesFiniteDifferences() {
        let z = randomMatrixD(rows: 2, columns: 6, seed: 5)
        let r = randomMatrixD(rows: 2, columns: 6, seed: 6)  // probe: L = Σ r ⊙ P
        let p = BlockSoftmax.forward(z, blocks: blocks)
        let dZ = BlockSoftmax.backward(r, probabilities: p, blocks: blocks)
        assertGradient(dZ.values, at: z.values, label: "block softmax") { values in
            let q = BlockSoftmax.forward(Matrix(rows: 2, columns: 6, values: values), blocks: blocks)
            return zip(q.values, r.values).map(*).reduce(0, +)
        }
        XCTAssertEqual(dZ[0, 5], 0)
    }

    func testNegativeLogLikelihoodGradient() {
        let z = randomMatrixD(rows: 2, columns: 6, seed: 7)
        let targets = [3, 5], weights = [0.7, -1.3]
        let (loss, dZ) = BlockSoftmax.negativeLogLikelihood(z, blocks: blocks, targets: targets, weights: weights)
        let p = BlockSoftmax.forward(z, blocks: blocks)
        XCTAssertEqual(loss, -0.7 * log(p[0, 3]) + 1.3 * log(p[1, 5]), accuracy: 1e-12)
        assertGradient(dZ.values, at: z.values, label: "block NLL") { values in
            BlockSoftmax.negativeLogLikelihood(Matrix(rows: 2, columns: 6, values: values), blocks: blocks,
                                               targets: targets, weights: weights).loss
        }
        XCTAssertEqual([dZ[0, 0], dZ[0, 1], dZ[0, 5]], [0, 0, 0], "only the target's block gets a gradient")
    }

    func testExtremeLogitsStayFinite() {
        var z = Matrix<Float>(rows: 1, columns: 3)
        z[0, 0] = 1000; z[0, 1] = -1000; z[0, 2] = 0
        let (loss, dZ) = BlockSoftmax.negativeLogLikelihood(z, blocks: [[[0, 1, 2]]], targets: [1], weights: [1])
        XCTAssertEqual(loss, 2000, accuracy: 1e-2)
        XCTAssertTrue(dZ.values.allSatisfy(\.isFinite))
    }
}
