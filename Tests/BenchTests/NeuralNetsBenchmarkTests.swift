import Bench
import LinearAlgebra
import NeuralNets
import XCTest

/// The W7/W8 benchmark helpers on tiny shapes. Speed is measured by `tributary bench bilstm|gru`, not here.
final class NeuralNetsBenchmarkTests: XCTestCase {
    func testHelpersRunOnTinyShapes() {
        let w7 = NeuralNetsBenchmark.bilstm(steps: 1, repetitions: 1, batchSize: 2, timeSteps: 4, vocabularySize: 50)
        XCTAssertEqual(w7.trainTokensPerSecond.count, 1)
        XCTAssertGreaterThan(w7.inferenceTokensPerSecond[0], 0)
        // Embedding 50·300 + 2·(300 + 128 + 1)·512 + 256·50 + 50 + 50·20 + 20 (PyTorch's LSTM has 2·512 more: two biases).
        XCTAssertEqual(w7.parameterCount, 15_000 + 2 * 429 * 512 + 12_850 + 1_020)
        let w8 = NeuralNetsBenchmark.gru(steps: 2, repetitions: 1, batchSize: 4)
        XCTAssertGreaterThan(w8.withAdamSequencesPerSecond[0], 0)
    }
}
