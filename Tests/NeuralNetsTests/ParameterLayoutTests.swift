import LinearAlgebra
import NeuralNets
import TestSupport
import XCTest

final class ParameterLayoutTests: XCTestCase {
    func testViewsAreContiguousAndNonOverlapping() {
        var layout = ParameterLayout()
        let a = layout.register("a", rows: 3, columns: 4)
        let b = layout.register("b", rows: 1, columns: 5)
        let c = layout.register("c", rows: 0, columns: 7)
        let d = layout.register("d", rows: 2, columns: 2)
        XCTAssertEqual([a.offset, b.offset, c.offset, d.offset], [0, 12, 17, 17])
        XCTAssertEqual(layout.count, 21)
        XCTAssertEqual(layout.view(named: "b"), b)
        XCTAssertNil(layout.view(named: "missing"))
        assertTiles(layout)
    }

    func testTextClassifierLayoutTilesTheBufferExactly() {
        let model = TextClassifier(.init(vocabularySize: 11, embeddingSize: 3, hiddenSize: 4, contextSize: 5,
                                         classCount: 2))
        assertTiles(model.layout)
        XCTAssertEqual(Set(model.layout.views.map(\.name)).count, model.layout.views.count, "unique names")
        // E 11·3, two LSTM directions of (3 + 4 + 1)·16, context 8·5 + 5, classifier 5·2 + 2.
        XCTAssertEqual(model.layout.count, 33 + 2 * 8 * 16 + 45 + 12)
        XCTAssertEqual(model.layout.view(named: "encoder.bwd.Wh")?.rows, 4)
        XCTAssertEqual(model.layout.view(named: "encoder.bwd.Wh")?.columns, 16)
    }

    func testZeroGradsZerosEverything() {
        let model = TextClassifier(.init(vocabularySize: 6, embeddingSize: 2, hiddenSize: 3, contextSize: 2,
                                         classCount: 2))
        var parameters: Parameters<Double> = model.makeParameters(seed: 1)
        let batch = TextBatch(sequences: [[1, 2, 3], [4]], labels: [0, 1])
        _ = model.loss(batch, parameters: &parameters)
        XCTAssertGreaterThan(parameters.grads.filter { $0 != 0 }.count, model.layout.count / 2)
        parameters.zeroGrads()
        XCTAssertEqual(parameters.grads, [Double](repeating: 0, count: model.layout.count))
        XCTAssertEqual(parameters.grads.count, parameters.values.count)
    }

    func testValueAndSetValueAddressTheView() {
        var layout = ParameterLayout()
        _ = layout.register("first", rows: 1, columns: 2)
        let w = layout.register("w", rows: 2, columns: 3)
        _ = layout.register("last", rows: 1, columns: 1)
        var parameters = Parameters<Float>(layout: layout)
        parameters.setValue(Matrix(rows: 2, columns: 3, values: [1, 2, 3, 4, 5, 6]), for: w)
        XCTAssertEqual(parameters.values, [0, 0, 1, 2, 3, 4, 5, 6, 0])
        XCTAssertEqual(parameters.value(w).values, [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(parameters.gradient(w).values, [0, 0, 0, 0, 0, 0])
    }

    private func assertTiles(_ layout: ParameterLayout, file: StaticString = #filePath, line: UInt = #line) {
        var expected = 0
        for view in layout.views {
            XCTAssertEqual(view.offset, expected, "\(view) must start where the previous view ended", file: file, line: line)
            expected += view.count
        }
        XCTAssertEqual(expected, layout.count, "views must cover the buffer", file: file, line: line)
    }
}
