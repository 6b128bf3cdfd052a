import Classifiers
import Core
import Distributed
import LinearAlgebra

/// The `tributary bench rowsvm` workload: the squared-hinge SVM (C = 1, B = 1) on W5 (`SVMBenchmark`'s files)
/// trained by the row-sharded TRON (`RowShardedLinear`, ε = 0.01, LIBLINEAR `-s 2`'s default) against the dual
/// coordinate descent with concepts split over ranks (`LinearSVM`/`OneVsRest`, `svm_loss` squared-hinge,
/// ε = 0.1, LIBLINEAR `-s 1`'s default). Both minimise the same primal; the bench prints seconds, the primal
/// objective (summed over concepts), the relative gap between the two and the test accuracy. Every rank holds
/// the whole training set in memory (`InMemoryRows`); TRON touches only its own `blockSize`-row blocks.
public struct RowShardedSVMBench {
    public var oneVsRest: Bool
    public var repeats: Int
    public var directory: String
    public var blockSize: Int

    public init(oneVsRest: Bool, repeats: Int, directory: String, blockSize: Int) {
        self.oneVsRest = oneVsRest
        self.repeats = repeats
        self.directory = directory
        self.blockSize = blockSize
    }

    public func run(communicator comm: any Communicator) throws {
        let clock = ContinuousClock()
        comm.log0("bench rowsvm: W5 \(oneVsRest ? "ovr93 (4000×4096, 93 concepts)" : "binary (4000×16384)"), squared hinge, "
            + "C = 1, B = 1, \(comm.size) rank(s) × \(BLASThreads.count) BLAS thread(s), blocks of \(blockSize) rows; "
            + BenchTiming.threadEnvironment())
        let (trainX, trainY, testX, testY) = try load()
        var tronSeconds: [Double] = [], model: RowShardedLinear<Float>?
        let options = RowShardedLinear<Float>.Options(loss: .squaredHinge, cost: 1, bias: 1, tolerance: 0.01,
                                                      blockSize: blockSize)
        let counting = CountingCommunicator(comm)  // counts what the ordered sums receive (the last training's)
        for _ in 0 ..< repeats {
            try comm.barrier()  // Distributed: all ranks start timing together
            counting.reset()
            let start = clock.now
            model = try RowShardedLinear<Float>.train([InMemoryRows(trainX)], labels: trainY, options: options,
                                                      communicator: counting)
            tronSeconds.append(start.duration(to: clock.now).inSeconds)
        }
        let tron = model!
        try reportTraffic(counting.log, width: (trainX.columns + 1) * trainY.columns, rows: trainX.rows,
                          seconds: tronSeconds, communicator: comm)
        let tronObjective = tron.statistics.reduce(0) { $0 + $1.objective }
        let tronAccuracy = accuracy(tron.oneVsRest.decisionValues(testX), testY)
        comm.log0("  TRON: seconds \(BenchTiming.summary(tronSeconds, digits: 3)); objective \(BenchTiming.format(tronObjective, 4)), "
            + "max \(tron.statistics.map(\.iterations).max() ?? 0) Newton iterations, \(tron.conjugateGradientSteps) CG steps, "
            + "test accuracy \(BenchTiming.format(100 * tronAccuracy, 2)) %")
        comm.log0(BenchTiming.resultLine(name: "tributary RowShardedLinear<Float> tron", metric: "train_seconds", unit: "s",
                                         values: tronSeconds, params: ["ranks": "\(comm.size)", "objective": "\(tronObjective)",
                                                                       "test_accuracy": "\(tronAccuracy)"]))
        var dualSeconds: [Double] = [], dual: OneVsRest<Float>?
        let dualOptions = LinearSVMOptions(cost: 1, bias: 1, tolerance: 0.1, loss: .squaredHinge)
        for _ in 0 ..< repeats {
            try comm.barrier()
            let start = clock.now
            dual = try OneVsRest<Float>.train(trainX, labels: trainY, options: dualOptions, communicator: comm)
            dualSeconds.append(start.duration(to: clock.now).inSeconds)
        }
        let dualObjective = dual!.statistics.reduce(0) { $0 + $1.primalObjective }
        let dualAccuracy = accuracy(dual!.decisionValues(testX), testY)
        comm.log0("  dual CD (-s 1): seconds \(BenchTiming.summary(dualSeconds, digits: 3)); objective "
            + "\(BenchTiming.format(dualObjective, 4)), test accuracy \(BenchTiming.format(100 * dualAccuracy, 2)) %; "
            + "TRON − dual = \(BenchTiming.format(100 * (tronObjective - dualObjective) / dualObjective, 4)) % of the objective")
        comm.log0(BenchTiming.resultLine(name: "tributary OneVsRest<Float> s1", metric: "train_seconds", unit: "s",
                                         values: dualSeconds, params: ["ranks": "\(comm.size)", "objective": "\(dualObjective)",
                                                                       "test_accuracy": "\(dualAccuracy)"]))
    }

    /// The ordered sums of width W = (D+1)·K in `log` (an all-to-all round or more, then an all-gather of W
    /// values): how many, the bytes each rank received per sum (counted) against B·|σ_r|·4 + W·4 (segmented,
    /// computed) and B·W·4 (the all-gather of every partial, before issue 15), and seconds per such sum (≈ per pass
    /// over X: each gradient and each Hessian-vector product is one).
    func reportTraffic(_ log: [(operation: String, values: Int, bytes: Int)], width: Int, rows: Int, seconds: [Double],
                       communicator comm: any Communicator) throws {
        var sums = 0, bytes = 0, pending = 0
        for call in log {
            if call.operation == "allToAll" { pending += call.bytes; continue }
            if call.values == width { sums += 1; bytes += pending + call.bytes }
            pending = 0
        }
        let perSum = sums == 0 ? 0 : bytes / sums
        let b = OrderedReduction(blockSize: blockSize).blockCount(rows: rows), stride = MemoryLayout<Float>.stride
        let segment = shard(count: width, rank: comm.rank, size: comm.size).count
        let counted = try comm.gather([perSum, b * segment * stride + width * stride], root: 0)  // Distributed: rank order
        comm.log0("  traffic per ordered sum of W = \(width) (B = \(b) blocks): \(sums) sums in the last training, "
            + "\(BenchTiming.format((seconds.last ?? 0) / Double(Swift.max(1, sums)), 4)) s per sum (≈ per pass); "
            + "bytes received per rank, counted / computed (B·|σ_r|·4 + W·4): "
            + (counted ?? []).enumerated().map { "rank \($0.offset) \($0.element[0]) / \($0.element[1])" }.joined(separator: ", ")
            + "; all-gather of every partial (B·W·4): \(b * width * stride)")
    }

    /// (trainX, trainY (N, K), testX, testY (Q, K)); the binary split as K = 1.
    func load() throws -> (Matrix<Float>, LabelMatrix, Matrix<Float>, LabelMatrix) {
        if oneVsRest {
            let d = try SVMBenchmark.loadOneVsRest(directory: directory)
            return (d.trainX, d.trainY, d.testX, d.testY)
        }
        let d = try SVMBenchmark.loadBinary(directory: directory)
        return (d.trainX, LabelMatrix(rows: d.trainY.count, columns: 1, values: d.trainY), d.testX,
                LabelMatrix(rows: d.testY.count, columns: 1, values: d.testY))
    }

    /// Mean over concepts of the test accuracy at f ≥ 0.
    func accuracy(_ f: Matrix<Float>, _ y: LabelMatrix) -> Double {
        let k = y.columns
        var total = 0.0
        for c in 0 ..< k {
            let predicted = (0 ..< f.rows).map { f[$0, c] >= 0 }
            total += Metrics.accuracy(predicted: predicted, truth: y.column(c))
        }
        return total / Double(Swift.max(1, k))
    }
}
