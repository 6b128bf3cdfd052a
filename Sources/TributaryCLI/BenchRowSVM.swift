import ArgumentParser
import Bench
import Distributed
import Foundation
import LinearAlgebra

/// `tributary bench rowsvm`: the squared-hinge SVM on W5 by the row-sharded TRON (rows split over ranks) and by
/// the dual coordinate descent (concepts split over ranks), seconds, objectives and test accuracy
/// (`RowShardedSVMBench`). Reads the anchors' raw files from $ANCHOR_DATA, as `bench svm`.
struct BenchRowSVM: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rowsvm", abstract: "Squared-hinge SVM on W5: row-sharded TRON vs dual coordinate descent (-s 2 vs -s 1).")

    @Flag(name: .customLong("one-vs-rest"), help: "The 93-concept one-vs-rest run instead of the binary one.")
    var oneVsRest = false

    @Option(help: "Timed trainings of each solver.")
    var repeats = 1

    @Option(help: "Rows per reduction block of TRON (the unit of work a rank owns; part of the model's bits).")
    var blockSize = 1000

    @Option(help: "OpenBLAS threads per rank (default: OPENBLAS_NUM_THREADS, or OpenBLAS's own default).")
    var threads: Int?

    func validate() throws {
        guard repeats > 0 else { throw ValidationError("--repeats must be positive, got \(repeats)") }
        guard blockSize > 0 else { throw ValidationError("--block-size must be positive, got \(blockSize)") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
    }

    @OptionGroup var job: JobOptions

    func run() throws {
        let directory = SVMBenchmark.dataDirectory
        if let message = SVMBenchmark.missingData(oneVsRest: oneVsRest, directory: directory, command: "bench rowsvm",
                                                  generator: "gen_data.py svm") {
            print(message)
            throw ExitCode.failure
        }
        job.run { comm in
            if let threads { BLASThreads.set(threads) }
            try RowShardedSVMBench(oneVsRest: oneVsRest, repeats: repeats, directory: directory, blockSize: blockSize)
                .run(communicator: comm)
        }
    }
}
