import NeuralNets
import Storage
import TestSupport
import XCTest
@testable import Training

/// The named tensors written beside a flat parameter vector (`HDF5File.writeTensorNames`).
final class TensorNamesTests: XCTestCase {
    func testTheNamesOfABiLSTMClassifierRoundTripAndTileTheVector() throws {
        let model = TextClassifier(.init(vocabularySize: 7, embeddingSize: 3, hiddenSize: 2, contextSize: 4,
                                         classCount: 3, paddingIndex: 0))
        let path = try makeTemporaryDirectory("tensors").appendingPathComponent("m.h5").path
        try HDF5File.createAtomic(path: path) { file in
            try file.write([Float](repeating: 0, count: model.layout.count), shape: [model.layout.count], to: "parameters")
            try file.writeTensorNames(model.layout, parameterCount: model.layout.count)
        }
        let file = try HDF5File.open(path: path)
        defer { try? file.close() }
        let views = try XCTUnwrap(try file.readTensorNames(parameterCount: model.layout.count))
        XCTAssertEqual(views, model.layout.views)
        // By hand: classifier.W is the context → class matrix (M 4, C 3), the second-to-last tensor.
        XCTAssertEqual(views[views.count - 2], ParameterView(name: "classifier.W", offset: model.layout.count - 15,
                                                              rows: 4, columns: 3))
    }

    func testAFileWithoutNamesReadsAsNil() throws {
        let path = try makeTemporaryDirectory("tensors").appendingPathComponent("m.h5").path
        try HDF5File.createAtomic(path: path) { try $0.write([1, 2] as [Float], shape: [2], to: "parameters") }
        let file = try HDF5File.open(path: path)
        defer { try? file.close() }
        XCTAssertNil(try file.readTensorNames(parameterCount: 2))
    }

    func testAVectorOfAnotherLengthIsRefused() throws {
        var layout = ParameterLayout()
        _ = layout.register("a", rows: 2, columns: 3)
        let path = try makeTemporaryDirectory("tensors").appendingPathComponent("m.h5").path
        XCTAssertThrowsError(try HDF5File.createAtomic(path: path) { file in
            try file.writeTensorNames(layout, parameterCount: 5)
        }) { error in XCTAssertTrue("\(error)".contains("parameters"), "\(error)") }
    }

    func testStoredNamesThatDoNotTileTheVectorAreRefused() throws {
        let path = try makeTemporaryDirectory("tensors").appendingPathComponent("m.h5").path
        try HDF5File.createAtomic(path: path) { file in
            try file.writeStrings(["a", "b"], to: "parameter_names")
            try file.write([0, 4] as [Int64], shape: [2], to: "parameter_offsets")  // a is 2×3 = 6: b must start at 6
            try file.write([2, 3, 1, 2] as [Int64], shape: [2, 2], to: "parameter_shapes")
        }
        let file = try HDF5File.open(path: path)
        defer { try? file.close() }
        XCTAssertThrowsError(try file.readTensorNames(parameterCount: 8)) { error in
            XCTAssertTrue("\(error)".contains("(b)"), "\(error)")
        }
    }
}
