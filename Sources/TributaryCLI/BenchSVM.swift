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

    @OptionGroup var job: JobOptions

    func run() throws {
        let directory = SVMBenchmark.dataDirectory
        if let message = SVMBenchmark.missingData(oneVsRest: oneVsRest, directory: directory, command: "bench svm",
                                                  generator: "gen_data.py") {
            print(message)
            throw ExitCode.failure
        }
        job.run { comm in
            if let threads { BLASThreads.set(threads) }
            try SVMBench(oneVsRest: oneVsRest, repeats: repeats, directory: directory).run(communicator: comm)
        }
    }
}
