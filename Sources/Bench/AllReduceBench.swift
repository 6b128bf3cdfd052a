import Core
import Distributed

/// The `tributary bench allreduce` workload (W9): float32 sum all-reduce in place over the ranks, latency (µs)
/// and GB/s per size, each result checked against the exact sum; returns the number of wrong elements.
public struct AllReduceBench {
    public init() {}

    public func run(communicator comm: any Communicator) throws -> Int {
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

    /// (elements, calls per timed run), as in the anchor.
    static let cases: [(elements: Int, calls: Int)] = [(1_000, 5_000), (100_000, 500), (10_000_000, 20)]
    static let warmUps = 2
    static let runs = 3

    /// One fixed-width table row.
    static func row(_ columns: String...) -> String {
        let widths = [10, 10, 34, 12, 14]
        return zip(columns, widths).map { text, width in
            text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
        }.joined(separator: " ")
    }
}
