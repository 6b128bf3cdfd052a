@testable import Classifiers
import LinearAlgebra
import TestSupport
import XCTest

final class OneVsRestTests: XCTestCase {
    /// N×D features and K concepts, concept k positive when a random projection of x exceeds a threshold.
    func problem(rows n: Int = 60, dimension d: Int = 6, concepts k: Int = 5) -> (Matrix<Float>, LabelMatrix) {
        let x = randomMatrix(rows: n, columns: d, seed: 21)
        let projections = randomMatrix(rows: d, columns: k, seed: 22)
        let s = BLAS.matmul(x, projections)
        return (x, LabelMatrix(rows: n, columns: k, values: s.values.map { $0 > 0.3 }))
    }

    func testModelsAreIdenticalForOneTwoAndThreeRanks() throws {
        let (x, labels) = problem()
        let reference = try OneVsRest<Float>.train(x, labels: labels)
        for size in [1, 2, 3] {
            let results = try ThreadedWorld.run(size: size) { comm in
                try OneVsRest<Float>.train(x, labels: labels, communicator: comm)
            }
            for (rank, model) in results.enumerated() {
                XCTAssertEqual(bits(model.weights.values), bits(reference.weights.values), "size \(size) rank \(rank): W")
                XCTAssertEqual(bits(model.biases), bits(reference.biases), "size \(size) rank \(rank): b")
                XCTAssertEqual(model.statistics, reference.statistics, "size \(size) rank \(rank): statistics")
            }
        }
    }

    func testMoreRanksThanConceptsStillWorks() throws {
        let (x, labels) = problem(concepts: 2)
        let reference = try OneVsRest<Float>.train(x, labels: labels)
        let results = try ThreadedWorld.run(size: 3) { comm in try OneVsRest<Float>.train(x, labels: labels, communicator: comm) }
        XCTAssertEqual(bits(results[2].weights.values), bits(reference.weights.values))
    }

    func testEachConceptIsTheBinarySVMOfItsColumn() throws {
        let (x, labels) = problem()
        let ovr = try OneVsRest<Float>.train(x, labels: labels)
        for k in 0 ..< labels.columns {
            let single = try LinearSVM<Float>.train(x, labels: labels.column(k))
            XCTAssertEqual(bits(ovr.model(k).weights), bits(single.weights), "concept \(k)")
            XCTAssertEqual(ovr.biases[k], single.bias)
        }
    }

    func testDecisionValuesAreOneGEMMOfAllModels() throws {
        let (x, labels) = problem()
        let ovr = try OneVsRest<Float>.train(x, labels: labels)
        let f = ovr.decisionValues(x)
        for k in 0 ..< labels.columns {
            let column = (0 ..< x.rows).map { f[$0, k] }
            assertClose(column, ovr.model(k).decisionValues(x), rtol: 1e-5, atol: 1e-5, label: "concept \(k)")
        }
    }

    func testLabelRowsMustMatchSamples() {
        let (x, _) = problem()
        XCTAssertThrowsError(try OneVsRest<Float>.train(x, labels: LabelMatrix(rows: 3, columns: 2, values: Array(repeating: true, count: 6))))
    }
}
