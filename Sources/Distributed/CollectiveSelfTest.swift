import Core

/// A self-test of every collective of a `Communicator`, with known values that depend on rank and size.
///
/// It is the library half of `tributary selftest` (and of `Tests/smoke/mpi-smoke.sh`): run it under
/// `mpirun -np 1, 2, 3 …` or with `SingleProcessCommunicator`; every rank runs the same checks in the same
/// order, and rank 0 prints the report.
///
/// What is checked (expected values are computed locally from the same rank/size formulas):
/// - `allReduce` sum/max/min for Float, Double, Int, Int32, Int64, UInt8, plus a 100,003-element Float sum
///   checked element by element;
/// - `broadcast` from rank 0 and from the last rank (non-root arrays grow and shrink), of an empty array and of
///   a string;
/// - `gather` (to the first and the last rank), `allGather`, `allToAll` and `scatter` with different counts per
///   rank, empty pieces included;
/// - argument errors that must throw on *every* rank: a count-mismatched `allReduce` (when size > 1; the check
///   runs before the data reduction, and a follow-up all-reduce proves the transport is still usable), a
///   scatter with the wrong number of chunks, a broadcast from a root outside 0 ..< size;
/// - `barrier`;
/// - an `OrderedReduction` (blockSize 256; segment all-to-all + all-gather) of a fixed synthetic dataset
///   (10,007 rows × 5 Floats), whose bits must equal a single-process reference computed on each rank: the bits
///   are the same for any rank count.
///
/// Each check's pass flag is then combined over ranks (all-reduce min), so rank 0's report fails a check that
/// failed on any rank. Valid for size ≤ 253 (UInt8 sums).
///
/// ```swift
/// let report = CollectiveSelfTest.run(communicator: comm)
/// if comm.isRoot { report.lines.forEach { print($0) } }   // includes "ordered-reduction bits: …"
/// ```
public enum CollectiveSelfTest {
    /// The prefix of the line that carries the ordered-reduction bits; `Tests/smoke/mpi-smoke.sh` greps it.
    public static let bitsLinePrefix = "ordered-reduction bits: "

    /// The outcome of one check on this rank (after combining: on every rank).
    public struct Check: Sendable, Equatable {
        public let name: String
        public let passed: Bool
        public let detail: String

        public init(name: String, passed: Bool, detail: String) {
            self.name = name
            self.passed = passed
            self.detail = detail
        }
    }

    /// All checks, in the order they ran, and the ordered-reduction bits.
    public struct Report: Sendable {
        public let checks: [Check]
        /// The 5 Float sums of the synthetic dataset as `bitPattern` hex, comma-separated (e.g. `c5a1b000,…`).
        public let orderedReductionBits: String
        /// The number of ranks the test ran on.
        public let size: Int

        /// True when every check passed on every rank.
        public var passed: Bool { checks.allSatisfy(\.passed) }

        /// `ordered-reduction bits: <hex>`: identical for every rank count.
        public var bitsLine: String { CollectiveSelfTest.bitsLinePrefix + orderedReductionBits }

        /// One line per check (`PASS name: detail`), a summary, and `bitsLine`; rank 0 prints them.
        public var lines: [String] {
            var out = checks.map { "\($0.passed ? "PASS" : "FAIL")  \($0.name): \($0.detail)" }
            let failed = checks.filter { !$0.passed }.count
            out.append("collectives: \(checks.count - failed)/\(checks.count) checks passed on \(size) rank(s)")
            out.append(bitsLine)
            return out
        }
    }

    /// Runs every check on `communicator`. Collective: every rank must call it. Never throws: a collective that
    /// throws unexpectedly is a failed check.
    public static func run(communicator: any Communicator) -> Report {
        var recorder = Recorder()
        recordAllReduceChecks(communicator, into: &recorder)
        recordBroadcastChecks(communicator, into: &recorder)
        recordGatherChecks(communicator, into: &recorder)
        recordErrorChecks(communicator, into: &recorder)
        recorder.check("barrier") {
            try communicator.barrier()
            return (true, "all \(communicator.size) rank(s) arrived")
        }
        let bits = recordOrderedReduction(communicator, into: &recorder)
        return Report(checks: combined(recorder.checks, communicator), orderedReductionBits: bits,
                      size: communicator.size)
    }

    /// Marks a check failed everywhere if it failed on any rank (one all-reduce min of the pass flags).
    static func combined(_ local: [Check], _ communicator: any Communicator) -> [Check] {
        var flags = local.map { Int32($0.passed ? 1 : 0) }
        do {
            try communicator.allReduce(&flags, op: .min)  // Distributed: a check passes only if it passed on every rank
        } catch {
            return local + [Check(name: "combine results over ranks", passed: false, detail: "\(error)")]
        }
        return zip(local, flags).map { check, everywhere in
            if everywhere == 1 || !check.passed { return check }
            return Check(name: check.name, passed: false, detail: check.detail + " here, but failed on another rank")
        }
    }

    /// Collects check outcomes; a throwing body is a failed check carrying the error's text.
    struct Recorder {
        var checks: [Check] = []

        mutating func check(_ name: String, _ body: () throws -> (passed: Bool, detail: String)) {
            do {
                let (passed, detail) = try body()
                checks.append(Check(name: name, passed: passed, detail: detail))
            } catch {
                checks.append(Check(name: name, passed: false, detail: "threw: \(error)"))
            }
        }
    }
}
