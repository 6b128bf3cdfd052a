import Core
#if canImport(Glibc)
import Glibc
#endif
import CMPI

/// `Communicator` over Open MPI's world communicator.
///
/// Every collective works on the caller's Swift array directly: an integer `allReduce` is one `MPI_Allreduce` with
/// `MPI_IN_PLACE` on the array's buffer (no copies), a Float/Double one a rank-order reduce-scatter + all-gather
/// into it (`rankOrderAllReduce`), each preceded by one 2-element all-reduce that checks that every
/// rank passed the same count (so a mismatch throws `CommunicatorError.countMismatch` on every rank *before*
/// the data reduction, and MPI stays usable). `broadcast` sends the count first, so non-root arrays are resized.
/// The variable-count collectives (`gather`, `allGather`, `allToAll`, `scatter`) exchange counts first, then call
/// `MPI_Gatherv` / `MPI_Allgatherv` / `MPI_Alltoallv` / `MPI_Scatterv` (see `MPICommunicator+Gather.swift`).
///
/// Errors: the world communicator uses `MPI_ERRORS_RETURN` (set by `MPISession`); a failing call throws
/// `CommunicatorError.transport` with MPI's error string. Arguments that every rank can check locally (root
/// range) throw before any communication, on every rank alike.
///
/// Waiting: each collective is started non-blocking (`MPI_Iallreduce`, `MPI_Ibcast`, `MPI_Ibarrier`,
/// `MPI_Iallgather(v)`, `MPI_Igatherv`, `MPI_Ialltoall(v)`, `MPI_Iscatterv`: the same buffers and arguments; a Float/Double `allReduce`
/// is a rank-order reduce-scatter + all-gather, `MPICommunicator+RankOrderReduce.swift`) and completed by polling
/// `MPI_Test` under `watchdog` (`StallWatchdog`): a waiting rank sleeps between polls instead of spinning, and a
/// collective with no progress for `watchdog.timeout` seconds aborts the job with a message instead of hanging for
/// ever. With the watchdog off (timeout 0) the blocking calls run, as before.
///
/// Large buffers: element-wise operations are cut into chunks of at most `Int32.max` elements (MPI counts are
/// C ints); the v-collectives throw if their total exceeds that limit.
///
/// Threads: call collectives only from the thread that created the `MPISession` (MPI_THREAD_FUNNELED).
///
/// ```swift
/// let session = try MPISession()
/// let comm = try session.worldCommunicator()
/// var gradient: [Float] = …
/// try comm.allReduce(&gradient, op: .sum)   // Distributed: sum over ranks, then divide by the global count
/// session.finalize()
/// ```
public final class MPICommunicator: Communicator {
    public let rank: Int
    public let size: Int
    /// Keeps MPI initialised for as long as this communicator exists.
    public let session: MPISession
    private let world: MPI_Comm

    init(session: MPISession) throws {
        self.session = session
        world = tributary_mpi_comm_world()
        var r: Int32 = 0
        var s: Int32 = 0
        try MPITransport.check(MPI_Comm_rank(world, &r), "MPI_Comm_rank")
        try MPITransport.check(MPI_Comm_size(world, &s), "MPI_Comm_size")
        rank = Int(r)
        size = Int(s)
    }

    var comm: MPI_Comm { world }

    /// How every collective waits (`StallWatchdog`); `World.run` sets it from `--stall-timeout`.
    public var watchdog = StallWatchdog(timeout: StallWatchdog.defaultTimeout)
    /// Runs before a stall aborts the job (`World.run` passes its `beforeExit`: close every HDF5 file).
    public var beforeAbort: () -> Void = {}

    /// Runs one collective: `blocking` when the watchdog is off; otherwise `start` (the non-blocking variant of
    /// the same call, same buffers and arguments), then `MPI_Test` under the watchdog. A stall prints the
    /// watchdog's message, runs `beforeAbort` and aborts the job: no rank is left waiting for ever.
    func collective(_ operation: String, blocking: () -> Int32, start: (inout MPI_Request?) -> Int32) throws {
        guard watchdog.isEnabled else {
            try MPITransport.check(blocking(), operation)
            return
        }
        var request: MPI_Request?
        try MPITransport.check(start(&request), operation)
        let outcome = try watchdog.wait {
            var done: Int32 = 0
            try MPITransport.check(MPI_Test(&request, &done, nil), operation)
            return done != 0
        }
        if case .stalled(let seconds) = outcome {
            fflush(nil)
            FileHandleOutput.standardError.write(
                StallWatchdog.message(rank: rank, seconds: seconds, operation: operation, activity: StallWatchdog.activity)
                    + "\n")
            beforeAbort()
            MPI_Abort(world, 1)
            exit(1)
        }
    }

    public func barrier() throws {
        try collective("barrier", blocking: { MPI_Barrier(world) }, start: { MPI_Ibarrier(world, &$0) })
    }

    public func allReduce<T: CommunicatorScalar>(_ buffer: inout [T], op: ReduceOp) throws {
        let count = buffer.count
        try checkSameCount(count, operation: "allReduce")
        if count == 0 { return }
        let datatype = MPITransport.datatype(T.self)
        let mpiOp = MPITransport.reduction(op)
        // Floating-point data: the rank-order reduce-scatter + all-gather (MPICommunicator+RankOrderReduce.swift),
        // whose result does not depend on MPI's algorithm choice or on the watchdog, and which waits with a back-off.
        if T.kind == .float32 || T.kind == .float64 {
            try buffer.withUnsafeMutableBufferPointer { elements in
                try rankOrderAllReduce(elements.baseAddress!, count: count, op: op, datatype: datatype)
            }
            return
        }
        try buffer.withUnsafeMutableBufferPointer { elements in
            let base = elements.baseAddress!
            try MPITransport.forEachChunk(count: count) { offset, length in
                // Distributed: in place on the caller's buffer; every rank receives the reduced values.
                try collective(
                    "allReduce",
                    blocking: { MPI_Allreduce(tributary_mpi_in_place(), base + offset, length, datatype, mpiOp, world) },
                    start: { MPI_Iallreduce(tributary_mpi_in_place(), base + offset, length, datatype, mpiOp, world, &$0) })
            }
        }
    }

    public func broadcast<T: CommunicatorScalar>(_ buffer: inout [T], root: Int) throws {
        try checkRoot(root)
        var count: [Int64] = [Int64(rank == root ? buffer.count : 0)]
        try count.withUnsafeMutableBufferPointer { c in
            try collective(
                "broadcast (count)", blocking: { MPI_Bcast(c.baseAddress, 1, tributary_mpi_int64(), Int32(root), world) },
                start: { MPI_Ibcast(c.baseAddress, 1, tributary_mpi_int64(), Int32(root), world, &$0) })
        }
        let n = Int(count[0])
        if rank != root, buffer.count != n {
            buffer = [T](repeating: 0, count: n)
        }
        if n == 0 { return }
        let datatype = MPITransport.datatype(T.self)
        try buffer.withUnsafeMutableBufferPointer { elements in
            let base = elements.baseAddress!
            try MPITransport.forEachChunk(count: n) { offset, length in
                try collective(
                    "broadcast", blocking: { MPI_Bcast(base + offset, length, datatype, Int32(root), world) },
                    start: { MPI_Ibcast(base + offset, length, datatype, Int32(root), world, &$0) })
            }
        }
    }

    /// Prints `[rank r] message` to standard error, then `MPI_Abort(MPI_COMM_WORLD, exitCode)`: mpirun kills
    /// every rank and exits with `exitCode`, so no rank is left waiting in a collective.
    public func abort(_ message: String, exitCode: Int32) -> Never {
        fflush(nil)  // what this rank already printed comes out before the job dies
        FileHandleOutput.standardError.write("[rank \(rank)] \(message)\n")
        let code = exitCode == 0 ? 1 : exitCode
        if !session.isFinalized {
            MPI_Abort(world, code)
        }
        exit(code)  // only reached if MPI is gone or MPI_Abort returned
    }

    // MARK: - Argument checks

    /// Throws `invalidRoot` (on every rank alike: the check is local) unless 0 ≤ root < size.
    func checkRoot(_ root: Int) throws {
        guard root >= 0, root < size else { throw CommunicatorError.invalidRoot(root: root, size: size) }
    }

    /// One all-reduce (max) of (count, −count) gives the largest and smallest count over the ranks. If they
    /// differ, every rank learns it at the same time and throws `countMismatch` with all counts (one extra
    /// all-gather, on the error path only), before any data moves.
    func checkSameCount(_ count: Int, operation: String) throws {
        let same = try withUnsafeTemporaryAllocation(of: Int64.self, capacity: 2) { bounds in  // no heap allocation
            bounds[0] = Int64(count)
            bounds[1] = -Int64(count)
            let base = bounds.baseAddress
            try collective(
                "\(operation) (count check)",
                blocking: { MPI_Allreduce(tributary_mpi_in_place(), base, 2, tributary_mpi_int64(), tributary_mpi_max(), world) },
                start: {
                    MPI_Iallreduce(tributary_mpi_in_place(), base, 2, tributary_mpi_int64(), tributary_mpi_max(), world, &$0)
                })
            return bounds[0] == -bounds[1]
        }
        guard same else {
            throw CommunicatorError.countMismatch(operation: operation, counts: try allCounts(count))
        }
    }

    /// Every rank's `count`, in rank order (MPI_Allgather of one int64 per rank).
    func allCounts(_ count: Int) throws -> [Int] {
        let mine: [Int64] = [Int64(count)]
        var all = [Int64](repeating: 0, count: size)
        try mine.withUnsafeBufferPointer { send in
            try all.withUnsafeMutableBufferPointer { receive in
                let int64 = tributary_mpi_int64()
                try collective(
                    "allGather (counts)",
                    blocking: { MPI_Allgather(send.baseAddress, 1, int64, receive.baseAddress, 1, int64, world) },
                    start: { MPI_Iallgather(send.baseAddress, 1, int64, receive.baseAddress, 1, int64, world, &$0) })
            }
        }
        return all.map { Int($0) }
    }
}
