import Core
import LinearAlgebra

/// Inference with `TextClassifier`: the forward pass without backward caches, the batch's sequences split into
/// fixed row blocks that the rank's threads share (issue 18, "threads inside one rank").
///
///     K = ⌈B/R⌉ blocks (R = `inferenceBlockRows`); block k = sequences ⌊k·B/K⌋ ..< ⌊(k+1)·B/K⌋ (≤ R each,
///     sizes differing by at most one, so no block has a single row unless B = 1)
///     block k, on one worker:   X_k = E[tokens_k]                  (R·T, D)
///                               H_k = BiLSTM(X_k, L_k)             (R·T, 2H)   no caches
///                               o_k = meanpool(H_k, L_k)           (R, 2H)
///                               c_k = ReLU(o_k·W_c + b_c)          (R, M)
///                               z_k = c_k·W_y + b_y                (R, C)
///     c = [c_0; c_1; …] (B, M)      z = [z_0; z_1; …] (B, C)
///
/// Every sequence's recurrence is independent of the others', so the blocks are independent work items
/// (`InRankThreads`: each worker runs the whole chain for the blocks it claims, OpenBLAS at 1 thread inside).
/// Embedding, both directions, pooling and both layers all run in parallel, not just the two directions.
///
/// **Bits.** The blocks depend on B and R only, never on the thread count, and each block is computed by the
/// same sequential code on whichever worker claims it, so c and z are bit-identical for any number of threads.
/// Why fixed blocks and not B / t rows per thread: a GEMM's result for one row can depend on the number of rows
/// M (OpenBLAS 0.3.21 sends M = 1 to GEMV, which rounds differently; other builds choose kernels by M·N·K), so
/// blocks sized by t would give t-dependent bits. Balanced blocks avoid a one-row tail block (B = 17 is 8 + 9,
/// not 16 + 1), which on that OpenBLAS keeps every row's bits those of the whole-batch pass. With one block
/// (B ≤ R) the block runs on the calling thread and the bi-LSTM's two directions take the threads instead
/// (`BiLSTM.forwardInference`; same bits).
///
/// Against the training forward (`encodeForTraining`, whole-batch GEMMs): the same maths and row order, so the
/// results agree to rounding, and bit for bit wherever OpenBLAS's rows do not depend on M (they do not on the
/// Zen 4 machine of docs/benchmarks.md for M ≥ 2).
///
/// **Memory.** A worker holds one block's buffers, at most R·T·(D + 4H + 3H) scalars (X, one direction's
/// pre-activations and output, H) plus R·(2H + M + C); W ≤ K workers hold W blocks at once, which is no more
/// than the unsplit pass over the whole batch holds.
extension TextClassifier {
    /// R: the most sequences in one inference block. 16 lets 2 threads share W7's batch of 32 evenly (two
    /// blocks of 16), and keeps every recurrent GEMM at ≥ 8 rows for B > 16.
    public static let inferenceBlockRows = 16

    /// The context vectors c (B, M), eq. 5: the sentence embeddings that retrieval indexes.
    @_specialize(where S == Float)
    public func encode<S: NeuralScalar>(_ batch: TextBatch, parameters: [S],
                                        threads: Int = BLASThreads.count) -> Matrix<S> {
        inferencePass(batch, parameters: parameters, threads: threads).context
    }

    /// The class scores z (B, C).
    @_specialize(where S == Float)
    public func logits<S: NeuralScalar>(_ batch: TextBatch, parameters: [S],
                                        threads: Int = BLASThreads.count) -> Matrix<S> {
        inferencePass(batch, parameters: parameters, threads: threads).logits
    }

    /// argmax_c z_{b,c} for every sequence (ties → the lowest class).
    @_specialize(where S == Float)
    public func predict<S: NeuralScalar>(_ batch: TextBatch, parameters: [S],
                                         threads: Int = BLASThreads.count) -> [Int] {
        let z = logits(batch, parameters: parameters, threads: threads)
        return (0 ..< z.rows).map { b in
            var best = 0
            for k in 1 ..< z.columns where z[b, k] > z[b, best] { best = k }
            return best
        }
    }

    /// c (B, M) and z (B, C), the K = ⌈B/R⌉ balanced blocks shared over `threads` workers (see the extension's
    /// documentation).
    @_specialize(where S == Float)
    func inferencePass<S: NeuralScalar>(_ batch: TextBatch, parameters: [S],
                                        threads: Int = BLASThreads.count) -> (context: Matrix<S>, logits: Matrix<S>) {
        precondition(parameters.count == layout.count,
                     "TextClassifier: \(parameters.count) parameters, the layout has \(layout.count)")
        let b = batch.count
        let blocks = Self.inferenceBlocks(b)
        if blocks.count == 1 { return inferenceBlock(batch, rows: 0 ..< b, parameters: parameters, threads: threads) }
        let parts = InRankThreads.map(items: blocks.count, threads: threads) { k, _ in
            inferenceBlock(batch, rows: blocks[k], parameters: parameters, threads: 1)
        }
        return (stackRows(parts.map(\.context)), stackRows(parts.map(\.logits)))
    }

    /// The K = ⌈B/R⌉ blocks of B sequences: ⌊k·B/K⌋ ..< ⌊(k+1)·B/K⌋ for k < K (B and R only, never the threads).
    static func inferenceBlocks(_ b: Int) -> [Range<Int>] {
        let k = max(1, (b + inferenceBlockRows - 1) / inferenceBlockRows)
        return (0 ..< k).map { i in i * b / k ..< (i + 1) * b / k }
    }

    /// Embedding → bi-LSTM (no caches; its two directions on `threads`) → mean → context → classifier for the
    /// sequences `rows` of `batch`.
    @_specialize(where S == Float)
    func inferenceBlock<S: NeuralScalar>(_ batch: TextBatch, rows: Range<Int>, parameters: [S],
                                         threads: Int) -> (context: Matrix<S>, logits: Matrix<S>) {
        let steps = batch.timeSteps
        let lengths = Array(batch.lengths[rows])
        let (x, _) = embedding.forward(Array(batch.tokens[rows.lowerBound * steps ..< rows.upperBound * steps]),
                                       parameters: parameters)
        let h = encoder.forwardInference(x, lengths: lengths, parameters: parameters, threads: threads)
        let (o, _) = pooling.forward(h, lengths: lengths)
        let (cPre, _) = context.forward(o, parameters: parameters)
        let (c, _) = contextActivation.forward(cPre)
        let (z, _) = classifier.forward(c, parameters: parameters)
        return (c, z)
    }
}

/// [A_0; A_1; …] for blocks A_k (N_k, P) with the same P.
func stackRows<S: BLASScalar>(_ blocks: [Matrix<S>]) -> Matrix<S> {
    let p = blocks.first?.columns ?? 0
    precondition(blocks.allSatisfy { $0.columns == p }, "stackRows: blocks of different widths")
    var values = [S]()
    values.reserveCapacity(blocks.reduce(0) { $0 + $1.values.count })
    for block in blocks { values += block.values }
    return Matrix(rows: values.count / max(p, 1), columns: p, values: values)
}
