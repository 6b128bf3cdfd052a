import Classifiers
import Core
import Distributed
import LinearAlgebra

/// The `tributary bench svm` workload (W5): LIBLINEAR `-s 3` (C = 1, B = 1, ε = 0.1) on the anchors' binary split
/// (training seconds, test accuracy), or with `oneVsRest` the 93-concept run (concepts split over ranks).
public struct SVMBench {
    public var oneVsRest: Bool
    public var repeats: Int
    public var directory: String

    public init(oneVsRest: Bool, repeats: Int, directory: String) {
        self.oneVsRest = oneVsRest
        self.repeats = repeats
        self.directory = directory
    }

    public func run(communicator comm: any Communicator) throws {
        comm.log0("bench svm: W5 \(oneVsRest ? "ovr93 (4000×4096, 93 concepts)" : "binary (4000×16384)"), C = 1, B = 1, "
            + "ε = 0.1, \(comm.size) rank(s) × \(BLASThreads.count) BLAS thread(s); \(BenchTiming.threadEnvironment())")
        if oneVsRest {
            let d = try SVMBenchmark.loadOneVsRest(directory: directory)
            var seconds: [Double] = [], accuracy = 0.0
            for _ in 0 ..< repeats {
                try comm.barrier()  // Distributed: all ranks start timing together
                let r = try SVMBenchmark.runOneVsRest(trainX: d.trainX, trainY: d.trainY, testX: d.testX, testY: d.testY,
                                                      communicator: comm)
                seconds.append(r.seconds)
                accuracy = r.meanTestAccuracy
            }
            comm.log0("  seconds: \(BenchTiming.summary(seconds, digits: 3)); mean test accuracy \(BenchTiming.format(100 * accuracy, 2)) %")
            comm.log0(BenchTiming.resultLine(name: "tributary OneVsRest<Float> ovr93", metric: "train_seconds", unit: "s",
                                             values: seconds, params: ["ranks": "\(comm.size)", "test_accuracy": "\(accuracy)"]))
        } else {
            let d = try SVMBenchmark.loadBinary(directory: directory)
            var seconds: [Double] = [], last: SVMBenchmark.Result?
            for _ in 0 ..< repeats {
                let r = try SVMBenchmark.run(trainX: d.trainX, trainY: d.trainY, testX: d.testX, testY: d.testY)
                seconds.append(r.seconds)
                last = r
            }
            let r = last!
            comm.log0("  seconds: \(BenchTiming.summary(seconds, digits: 3)); test accuracy \(BenchTiming.format(100 * r.testAccuracy, 2)) %, "
                + "\(r.statistics.iterations) iterations, \(r.statistics.supportVectors) SVs")
            comm.log0(BenchTiming.resultLine(name: "tributary LinearSVM<Float> s3", metric: "train_seconds", unit: "s",
                                             values: seconds, params: ["test_accuracy": "\(r.testAccuracy)",
                                                                       "iterations": "\(r.statistics.iterations)"]))
        }
    }
}
