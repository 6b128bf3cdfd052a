import ArgumentParser
import Bench
import Distributed
import LinearAlgebra

/// `tributary bench allreduce`: float32 sum all-reduce latency and bandwidth through `Communicator.allReduce`,
/// measured like the W9 anchor (`../shared/bench/anchors/w9_allreduce.c`, run it with the same `mpirun -np`).
///
/// Per size n ∈ {1e3, 1e5, 1e7} elements: 2 warm-up calls, then 3 timed runs of 5000 / 500 / 20 back-to-back
/// calls, each run started after a barrier; a run's time is the max over ranks; latency = run time / calls;
/// GB/s = 4n bytes / latency (algorithm bandwidth). This is the API users call: every call includes the
/// count-consistency check (one 2-element all-reduce) before the one in-place `MPI_Allreduce` on the array.
///
/// Check: every rank starts from n copies of rank+1, so after warm-up 1 every element is S = size(size+1)/2 and
/// after warm-up 2 it is size·S (exact in Float); failures are counted over all elements and ranks.
/// The anchor reduces a constant send buffer into a separate receive buffer; `allReduce` works in place, so each
/// timed run refills the buffer (untimed) and the values grow ×size per call, reaching +inf in the long runs:
/// the float adds cost the same for any finite or infinite value (no denormals, no NaN).
struct BenchAllReduce: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "allreduce",
        abstract: "Float32 sum all-reduce latency (µs) and GB/s over the ranks, like the W9 anchor.")

    /// (elements, calls per timed run), as in the anchor.
    static let cases: [(elements: Int, calls: Int)] = [(1_000, 5_000), (100_000, 500), (10_000_000, 20)]
    static let warmUps = 2
    static let runs = 3

    func run() throws {
        let totalFailures = World.run { comm -> Int in
            let size = comm.size
            comm.log0("bench allreduce: float32 sum, in place, \(size) rank(s); \(BenchTiming.threadEnvironment())")
            comm.log0("  " + Self.row("elements", "calls/run", "latency µs (median, min..max)", "GB/s median", "check failures"))
            var results: [String] = []
            var totalFailures = 0
            for (n, calls) in Self.cases {
                var buffer = [Float](repeating: Float(comm.rank + 1), count: n)
                let expected = Float(size * (size + 1) / 2)
                var failures = 0
                for warmUp in 0 ..< Self.warmUps {
                    try comm.allReduce(&buffer, op: .sum)
                    let want = warmUp == 0 ? expected : expected * Float(size)
                    failures += buffer.reduce(0) { $0 + ($1 == want ? 0 : 1) }
                }
                failures = try comm.allReduce(failures, op: .sum)  // Distributed: failures on any rank count
                var latencies: [Double] = []
                for _ in 0 ..< Self.runs {
                    buffer.withUnsafeMutableBufferPointer { $0.update(repeating: Float(comm.rank + 1)) }
                    try comm.barrier()  // Distributed: every rank starts the run together
                    let start = BenchTiming.now()
                    for _ in 0 ..< calls {
                        try comm.allReduce(&buffer, op: .sum)
                    }
                    let elapsed = try comm.allReduce(BenchTiming.now() - start, op: .max)  // Distributed: slowest rank
                    latencies.append(elapsed / Double(calls))
                }
                let microseconds = latencies.map { $0 * 1e6 }
                let rates = latencies.map { 4.0 * Double(n) / $0 / 1e9 }
                comm.log0("  " + Self.row(
                    "\(n)", "\(calls)",
                    "\(BenchTiming.format(BenchTiming.median(microseconds), 2)) "
                        + "(\(BenchTiming.format(microseconds.min() ?? .nan, 2))..\(BenchTiming.format(microseconds.max() ?? .nan, 2)))",
                    BenchTiming.format(BenchTiming.median(rates), 3), "\(failures)"))
                let params = ["ranks": "\(size)", "elements": "\(n)", "bytes": "\(4 * n)", "dtype": "float32",
                              "op": "sum", "iters_per_run": "\(calls)", "check_failures": "\(failures)"]
                results.append(BenchTiming.resultLine(
                    name: "tributary allReduce n=\(n)", metric: "latency", unit: "us", values: microseconds, params: params))
                results.append(BenchTiming.resultLine(
                    name: "tributary allReduce n=\(n)", metric: "bandwidth", unit: "GB/s", values: rates, params: params))
                totalFailures += failures
                if failures > 0 {
                    comm.log0("  FAIL: \(failures) element(s) differ from the expected sum at n = \(n)")
                }
            }
            results.forEach { comm.log0($0) }
            return totalFailures
        }
        if totalFailures > 0 { throw ExitCode.failure }
    }

    /// One fixed-width table row.
    static func row(_ columns: String...) -> String {
        let widths = [10, 10, 34, 12, 14]
        return zip(columns, widths).map { text, width in
            text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
        }.joined(separator: " ")
    }
}
