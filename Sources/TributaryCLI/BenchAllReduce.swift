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

    @OptionGroup var job: JobOptions

    func run() throws {
        let totalFailures = job.run { comm -> Int in try AllReduceBench().run(communicator: comm) }
        if totalFailures > 0 { throw ExitCode.failure }
    }
}
