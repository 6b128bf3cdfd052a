import Core
import LinearAlgebra
@testable import NeuralNets
import XCTest

/// `BiLSTM.forwardInference` with its two directions on 1, 2, 3 threads of the rank (`InRankThreads`): the
/// same bits each time, close to the training forward's output, with OpenBLAS's count restored.
final class BiLSTMThreadsTests: XCTestCase {
    func testInferenceIsBitIdenticalOnOneTwoThreeThreadsAndMatchesForward() {
        let before = BLASThreads.count
        defer { BLASThreads.set(before) }
        let d = 7, h = 9, steps = 6, lengths = [6, 2, 4, 1]
        var layout = ParameterLayout()
        let bi = BiLSTM("bi", inputSize: d, hiddenSize: h, layout: &layout)
        var values = [Float](repeating: 0, count: layout.count)
        var rng = SeededRandom(seed: 31)
        bi.initialize(&values, rng: &rng)
        let x = Matrix<Float>(rows: lengths.count * steps, columns: d,
                              values: (0 ..< lengths.count * steps * d).map { _ in Float(rng.normal()) })
        BLASThreads.set(1)
        let (trained, _) = bi.forward(x, lengths: lengths, parameters: values)
        let one = bi.forwardInference(x, lengths: lengths, parameters: values, threads: 1)
        XCTAssertEqual(one.columns, 2 * h)
        for (a, b) in zip(one.values, trained.values) { XCTAssertEqual(a, b, accuracy: 1e-6) }
        for threads in 2 ... 3 {
            BLASThreads.set(2)
            let out = bi.forwardInference(x, lengths: lengths, parameters: values, threads: threads)
            XCTAssertEqual(out.values.map(\.bitPattern), one.values.map(\.bitPattern), "\(threads) threads")
            XCTAssertEqual(BLASThreads.count, 2)
        }
        // The reversed half is not the forward half: a swapped concatenation would fail above.
        XCTAssertNotEqual(Array(trained.values[0 ..< h]), Array(trained.values[h ..< 2 * h]))
    }
}
