import ArgumentParser
import Bench
import Classifiers
import Distributed
import Foundation
import LinearAlgebra

/// `tributary bench svm`: workload W5 of `../shared/bench/ANCHORS.md` — LIBLINEAR `-s 3` (C = 1, B = 1,
/// ε = 0.1) on the 4000×16384 binary split (training seconds and test accuracy), or with `--one-vs-rest` the
/// 93-concept run on 4000×4096 (concepts split over ranks; seconds for all trainings plus the test scores, and
/// the mean per-concept test accuracy). Reads the anchors' raw files from $ANCHOR_DATA (`SVMBenchmark`).
struct BenchSVM: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "svm", abstract: "Linear SVM training time and test accuracy on W5 (LIBLINEAR -s 3 anchor).")

    @Flag(name: .customLong("one-vs-rest"), help: "The 93-concept one-vs-rest run instead of the binary one.")
    var oneVsRest = false

    @Option(help: "Timed trainings.")
    var repeats = 3

    @Option(help: "OpenBLAS threads per rank (default: OPENBLAS_NUM_THREADS, or OpenBLAS's own default).")
    var threads: Int?

    func validate() throws {
        guard repeats > 0 else { throw ValidationError("--repeats must be positive, got \(repeats)") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
    }

    func run() throws {
        let directory = SVMBenchmark.dataDirectory
        let needed = oneVsRest ? ["svm4k_X.f32", "svm4k_Y.i32"] : ["svm16k_X.f32", "svm16k_y.i32"]
        if let missing = needed.first(where: { !FileManager.default.fileExists(atPath: directory + "/" + $0) }) {
            print("bench svm: \(directory)/\(missing) is missing. Generate the anchor data first:\n"
                + "  ANCHOR_DATA=\(directory) python3 ../shared/bench/anchors/gen_data.py\n"
                + "(or set $ANCHOR_DATA to the folder that holds it)")
            throw ExitCode.failure
        }
        World.run { comm in
            if let threads { BLASThreads.set(threads) }
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
}
