import Foundation
import LinearAlgebra
import NeuralNets
import XCTest

/// The W7/W8 benchmark helpers: a tiny smoke run always, the full anchor-sized run only on request:
///
///     TRIBUTARY_BENCH=1 OPENBLAS_NUM_THREADS=1 swift test -c release --filter NeuralNetsBenchmarkTests
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

    func testAnchorSizedRun() throws {
        try XCTSkipUnless(ProcessInfo.processInfo.environment["TRIBUTARY_BENCH"] != nil, "set TRIBUTARY_BENCH=1")
        func median(_ x: [Double]) -> Double { x.sorted()[x.count / 2] }
        let w7 = NeuralNetsBenchmark.bilstm()
        print("W7 bi-LSTM train:     \(w7.trainTokensPerSecond.map { Int($0) }) tokens/s, median \(Int(median(w7.trainTokensPerSecond)))")
        print("W7 bi-LSTM inference: \(w7.inferenceTokensPerSecond.map { Int($0) }) tokens/s, median \(Int(median(w7.inferenceTokensPerSecond)))")
        let w8 = NeuralNetsBenchmark.gru()
        print("W8 GRU fwd+bwd:       \(w8.forwardBackwardSequencesPerSecond.map { Int($0) }) seq/s, median \(Int(median(w8.forwardBackwardSequencesPerSecond)))")
        print("W8 GRU fwd+bwd+Adam:  \(w8.withAdamSequencesPerSecond.map { Int($0) }) seq/s, median \(Int(median(w8.withAdamSequencesPerSecond)))")
        print("BLAS: \(BLASThreads.configuration), threads \(BLASThreads.count)")
    }
}
