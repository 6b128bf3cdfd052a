import Core
import LinearAlgebra
import NeuralNets

/// Throughput benchmarks mirroring the PyTorch anchors W7 (`bench/anchors/w7_bilstm.py`) and W8
/// (`bench/anchors/w8_gru.py`): same model sizes, same batch shapes, same step counts, Float, so
/// `tributary bench bilstm|gru` can print the ratio to the anchor measured on the same machine.
/// Threads are whatever OpenBLAS is set to (`BLASThreads.set`). Training splits only the GEMMs over them (the
/// element-wise loops are single-threaded); inference splits the batch's sequences into blocks over them
/// (`TextClassifier+Inference.swift`: every stage of the forward pass in parallel, same bits for any count).
public enum NeuralNetsBenchmark {
    /// W7 figures, one value per timed run.
    public struct BiLSTMResult: Sendable {
        /// Embedding → bi-LSTM → mean → Linear → ReLU → Linear → CE: zero grads + forward + backward + Adam.
        public var trainTokensPerSecond: [Double]
        /// Forward only (logits), no caches kept past the call.
        public var inferenceTokensPerSecond: [Double]
        public var parameterCount: Int
    }

    /// W8 figures, one value per timed run.
    public struct GRUResult: Sendable {
        /// zero grads + forward + backward.
        public var forwardBackwardSequencesPerSecond: [Double]
        /// zero grads + forward + backward + Adam step.
        public var withAdamSequencesPerSecond: [Double]
        public var parameterCount: Int
    }

    /// W7: V 30 000, D 300, H 128 per direction, M 50, C 20, B 32, T 200 (all steps real), Adam lr 1e-3,
    /// 8 distinct random batches cycled; 3 warm-up steps, then `repetitions` × `steps` train steps, and
    /// `repetitions` × 2·`steps` inference batches after 3 warm-up batches.
    public static func bilstm(steps: Int = 10, repetitions: Int = 3, batchSize: Int = 32, timeSteps: Int = 200,
                              vocabularySize v: Int = 30_000, seed: UInt64 = 0) -> BiLSTMResult {
        let model = TextClassifier(.init(vocabularySize: v, embeddingSize: 300, hiddenSize: 128,
                                         contextSize: 50, classCount: 20))
        var parameters: Parameters<Float> = model.makeParameters(seed: seed)
        var adam = Adam<Float>(parameterCount: model.layout.count, learningRate: 1e-3)
        var rng = SeededRandom(seed: seed &+ 1)
        let batches = (0 ..< 8).map { _ in
            TextBatch(tokens: (0 ..< batchSize * timeSteps).map { _ in rng.bounded(v) },
                      lengths: [Int](repeating: timeSteps, count: batchSize),
                      labels: (0 ..< batchSize).map { _ in rng.bounded(20) })
        }
        var next = 0
        func trainStep() {
            let batch = batches[next % 8]
            next += 1
            parameters.zeroGrads()
            _ = model.loss(batch, parameters: &parameters)
            adam.step(&parameters, gradientScale: 1 / Float(batchSize))
        }
        for _ in 0 ..< 3 { trainStep() }
        let tokens = Double(steps * batchSize * timeSteps)
        let train = (0 ..< repetitions).map { _ in tokens / measureSeconds { for _ in 0 ..< steps { trainStep() } } }
        let inference = bilstmInference(model, parameters: parameters.values, batches: batches, steps: steps,
                                        repetitions: repetitions, before: {})
        return BiLSTMResult(trainTokensPerSecond: train, inferenceTokensPerSecond: inference,
                            parameterCount: model.layout.count)
    }

    /// W7 inference alone (`BiLSTMBench` under mpirun: every rank runs it on its own batches at once):
    /// 3 warm-up batches, then `repetitions` × 2·`steps` batches; tokens/s of each repetition. `before` runs
    /// ahead of each repetition (a barrier, so ranks time the same interval).
    public static func bilstmInference(steps: Int = 10, repetitions: Int = 3, batchSize: Int = 32, timeSteps: Int = 200,
                                       vocabularySize v: Int = 30_000, seed: UInt64 = 0,
                                       before: () throws -> Void) rethrows -> [Double] {
        let model = TextClassifier(.init(vocabularySize: v, embeddingSize: 300, hiddenSize: 128,
                                         contextSize: 50, classCount: 20))
        let parameters: Parameters<Float> = model.makeParameters(seed: seed)
        var rng = SeededRandom(seed: seed &+ 1)
        let batches = (0 ..< 8).map { _ in
            TextBatch(tokens: (0 ..< batchSize * timeSteps).map { _ in rng.bounded(v) },
                      lengths: [Int](repeating: timeSteps, count: batchSize),
                      labels: (0 ..< batchSize).map { _ in rng.bounded(20) })
        }
        return try bilstmInference(model, parameters: parameters.values, batches: batches, steps: steps,
                                   repetitions: repetitions, before: before)
    }

    static func bilstmInference(_ model: TextClassifier, parameters: [Float], batches: [TextBatch], steps: Int,
                                repetitions: Int, before: () throws -> Void) rethrows -> [Double] {
        for i in 0 ..< 3 { _ = model.logits(batches[i], parameters: parameters) }
        let tokens = Double(2 * steps * batches[0].tokens.count)
        return try (0 ..< repetitions).map { _ in
            try before()
            return tokens / measureSeconds {
                for i in 0 ..< 2 * steps { _ = model.logits(batches[i % batches.count], parameters: parameters) }
            }
        }
    }

    /// W8: Embedding(50, 64) → GRU(64 → 256), h0 = 0 → Linear(256, 50) → softmax CE (mean) at each of 6 steps,
    /// B 64, teacher forcing (inputs [BOS, y1 … y5], targets [y1 … y6], BOS = 0), 16 batches cycled; 20 warm-up
    /// steps, then `repetitions` × `steps` steps, without and with an Adam (lr 1e-3) step.
    public static func gru(steps: Int = 300, repetitions: Int = 3, batchSize: Int = 64, seed: UInt64 = 0) -> GRUResult {
        let (v, e, h, l) = (50, 64, 256, 6)
        var layout = ParameterLayout()
        let embedding = Embedding("embedding", vocabularySize: v, embeddingSize: e, layout: &layout)
        let gru = GRU("decoder", inputSize: e, hiddenSize: h, layout: &layout)
        let output = Linear("output", inputSize: h, outputSize: v, layout: &layout)
        var parameters = Parameters<Float>(layout: layout)
        var rng = SeededRandom(seed: seed)
        embedding.initialize(&parameters.values, rng: &rng)
        gru.initialize(&parameters.values, rng: &rng)
        output.initialize(&parameters.values, rng: &rng)
        var adam = Adam<Float>(parameterCount: layout.count, learningRate: 1e-3)
        let batches: [(inputs: [Int], targets: [Int])] = (0 ..< 16).map { _ in
            let y = (0 ..< batchSize * l).map { _ in 1 + rng.bounded(v - 1) }
            let inputs = (0 ..< batchSize * l).map { i in i % l == 0 ? 0 : y[i - 1] }
            return (inputs, y)
        }
        let h0 = Matrix<Float>(rows: batchSize, columns: h)
        var next = 0
        func step(update: Bool) {
            let batch = batches[next % 16]
            next += 1
            parameters.zeroGrads()
            let values = parameters.values
            let (x, xCache) = embedding.forward(batch.inputs, parameters: values)
            let (states, gruCache) = gru.forward(x, initialState: h0, parameters: values)
            let (z, outCache) = output.forward(states, parameters: values)
            let (_, lossCache) = SoftmaxCrossEntropy.forward(z, targets: batch.targets, reduction: .mean)
            let dZ = SoftmaxCrossEntropy.backward(1, lossCache)
            let dStates = output.backward(dZ, outCache, parameters: values, into: &parameters.grads)
            let (dX, _) = gru.backward(dStates, gruCache, parameters: values, into: &parameters.grads)
            embedding.backward(dX, xCache, into: &parameters.grads)
            if update { adam.step(&parameters) }
        }
        func run(update: Bool) -> [Double] {
            for _ in 0 ..< 20 { step(update: update) }
            return (0 ..< repetitions).map { _ in
                Double(steps * batchSize) / measureSeconds { for _ in 0 ..< steps { step(update: update) } }
            }
        }
        let plain = run(update: false)
        let withAdam = run(update: true)
        return GRUResult(forwardBackwardSequencesPerSecond: plain, withAdamSequencesPerSecond: withAdam,
                         parameterCount: layout.count)
    }
}
