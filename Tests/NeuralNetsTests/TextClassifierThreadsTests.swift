import Core
import LinearAlgebra
@testable import NeuralNets
import XCTest

/// `TextClassifier`'s inference with the batch split into fixed blocks of `inferenceBlockRows` sequences over
/// 1, 2, 3 threads (`TextClassifier+Inference.swift`): the same bits for every thread count, the values of the
/// unsplit pass and of the training forward, rows in batch order, OpenBLAS's thread count restored.
final class TextClassifierThreadsTests: XCTestCase {
    let model = TextClassifier(.init(vocabularySize: 40, embeddingSize: 7, hiddenSize: 9, contextSize: 5,
                                     classCount: 4))

    /// B sequences of T = 6 with lengths 1 … 6 drawn from `seed` (padding token 0 after each sequence's end).
    func batch(_ b: Int, seed: UInt64) -> TextBatch {
        var rng = SeededRandom(seed: seed)
        let sequences = (0 ..< b).map { _ in (0 ..< 1 + rng.bounded(6)).map { _ in 1 + rng.bounded(39) } }
        return TextBatch(sequences: sequences, labels: (0 ..< b).map { _ in rng.bounded(4) }, timeSteps: 6)
    }

    /// The blocks: ⌈B/16⌉ balanced ranges that cover 0 ..< B in order, never a one-row block for B > 1.
    func testBlocksAreBalancedAndCoverTheBatch() {
        XCTAssertEqual(TextClassifier.inferenceBlockRows, 16, "the cases below are sized for blocks of 16")
        XCTAssertEqual(TextClassifier.inferenceBlocks(1), [0 ..< 1])
        XCTAssertEqual(TextClassifier.inferenceBlocks(16), [0 ..< 16])
        XCTAssertEqual(TextClassifier.inferenceBlocks(17), [0 ..< 8, 8 ..< 17])
        XCTAssertEqual(TextClassifier.inferenceBlocks(32), [0 ..< 16, 16 ..< 32])
        XCTAssertEqual(TextClassifier.inferenceBlocks(37), [0 ..< 12, 12 ..< 24, 24 ..< 37])
        for b in 1 ... 100 {
            let blocks = TextClassifier.inferenceBlocks(b)
            XCTAssertEqual(blocks.first?.lowerBound, 0)
            XCTAssertEqual(blocks.last?.upperBound, b)
            for (x, y) in zip(blocks, blocks.dropFirst()) { XCTAssertEqual(x.upperBound, y.lowerBound) }
            XCTAssertTrue(blocks.allSatisfy { $0.count <= 16 && (b == 1 || $0.count >= 2) }, "B = \(b): \(blocks)")
        }
    }

    /// 37 sequences = blocks of 12, 12, 13 and 17 = 8, 9, at 1, 2, 3 threads.
    func testBlocksOverThreadsGiveTheSameBitsAsOneThreadAndTheUnsplitValues() {
        let before = BLASThreads.count
        defer { BLASThreads.set(before) }
        var parameters: Parameters<Float> = model.makeParameters(seed: 71)
        // Nudge the context bias up so ReLU passes most units: c then carries the encoder's values.
        for i in model.context.bias.offset ..< model.context.bias.offset + 5 { parameters.values[i] += 1 }
        let theta = parameters.values
        for (b, seed) in [(37, UInt64(72)), (17, UInt64(73))] {
            let data = batch(b, seed: seed)
            BLASThreads.set(1)
            let one = model.inferencePass(data, parameters: theta, threads: 1)
            XCTAssertEqual(one.context.rows, b)
            XCTAssertEqual(one.logits.rows, b)
            // The unsplit pass (one block of all B rows) and the training forward: same values, rows in order.
            let whole = model.inferenceBlock(data, rows: 0 ..< b, parameters: theta, threads: 1)
            let (trained, _) = model.encodeForTraining(data, parameters: theta)
            assertClose(one.context, whole.context, "B \(b): blocks vs one block, c")
            assertClose(one.logits, whole.logits, "B \(b): blocks vs one block, z")
            assertClose(one.context, trained, "B \(b): blocks vs the training forward, c")
            for threads in 2 ... 3 {
                BLASThreads.set(2)
                let out = model.inferencePass(data, parameters: theta, threads: threads)
                XCTAssertEqual(out.context.values.map(\.bitPattern), one.context.values.map(\.bitPattern),
                               "B \(b), \(threads) threads: c")
                XCTAssertEqual(out.logits.values.map(\.bitPattern), one.logits.values.map(\.bitPattern),
                               "B \(b), \(threads) threads: z")
                XCTAssertEqual(model.predict(data, parameters: theta, threads: threads),
                               model.predict(data, parameters: theta, threads: 1))
                XCTAssertEqual(BLASThreads.count, 2, "OpenBLAS's count is restored after the workers")
            }
            // Each block is the model applied to its own sequences: the last block alone gives its rows.
            let lastStart = TextClassifier.inferenceBlocks(b).last!.lowerBound
            let tail = TextBatch(tokens: Array(data.tokens[lastStart * 6 ..< b * 6]),
                                 lengths: Array(data.lengths[lastStart...]), labels: Array(data.labels[lastStart...]))
            let alone = model.inferencePass(tail, parameters: theta, threads: 1)
            XCTAssertEqual(alone.logits.values.map(\.bitPattern),
                           Array(one.logits.values[(lastStart * 4)...]).map(\.bitPattern), "B \(b): the last block")
        }
    }

    /// B ≤ R is one block on the calling thread, whose bi-LSTM directions take the threads: same bits.
    func testOneBlockUsesTheDirectionsAndKeepsTheBits() {
        let before = BLASThreads.count
        defer { BLASThreads.set(before) }
        let parameters: Parameters<Float> = model.makeParameters(seed: 74)
        let data = batch(5, seed: 75)
        BLASThreads.set(1)
        let one = model.logits(data, parameters: parameters.values, threads: 1)
        BLASThreads.set(2)
        let two = model.logits(data, parameters: parameters.values, threads: 2)
        XCTAssertEqual(two.values.map(\.bitPattern), one.values.map(\.bitPattern))
        // Not a constant output: different sequences get different scores.
        XCTAssertNotEqual(Array(one.values[0 ..< 4]), Array(one.values[4 ..< 8]))
    }

    func assertClose(_ a: Matrix<Float>, _ b: Matrix<Float>, _ label: String,
                     file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.rows, b.rows, label, file: file, line: line)
        XCTAssertEqual(a.columns, b.columns, label, file: file, line: line)
        let worst = zip(a.values, b.values).map { abs($0 - $1) }.max() ?? 0
        XCTAssertLessThanOrEqual(worst, 1e-5, "\(label): max |Δ| \(worst)", file: file, line: line)
        XCTAssertGreaterThan(a.values.map(abs).max() ?? 0, 1e-3, "\(label): not all zero", file: file, line: line)
    }
}
