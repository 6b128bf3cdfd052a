/// The collective operations every distributed algorithm in Tributary is written against.
///
/// Vocabulary (fixed once, as in Horovod): the job has `size` processes numbered `rank` = 0 … size−1;
/// rank 0 is the *root*, the only one that prints and writes artifacts.
///
/// Two implementations exist: `SingleProcessCommunicator` (this module; a world of one rank in which every
/// collective is the identity) and `MPICommunicator` (module `Distributed`, over Open MPI). Algorithm modules
/// take `any Communicator`, so they are unit-testable without `mpirun`, and a run without `mpirun` behaves
/// exactly like a 1-rank MPI run.
///
/// Rules every caller follows:
/// - Every rank issues the same collectives in the same order (never drive collectives from `Dictionary`
///   iteration, whose order differs per process).
/// - `allReduce` checks that every rank passes the same element count and throws
///   `CommunicatorError.countMismatch` otherwise, instead of corrupting memory or hanging.
/// - Averages are explicit: all-reduce a sum, then divide by the *global* count. There is no hidden 1/size.
public protocol Communicator: AnyObject {
    /// This process's index, 0 ..< size.
    var rank: Int { get }
    /// The number of processes in the job.
    var size: Int { get }

    /// Blocks until every rank has reached the barrier.
    func barrier() throws

    /// Element-wise reduction of `buffer` over all ranks; every rank receives the result in place.
    func allReduce<T: CommunicatorScalar>(_ buffer: inout [T], op: ReduceOp) throws

    /// Copies `buffer` from `root` to every rank. Non-root ranks' arrays are resized to root's count.
    func broadcast<T: CommunicatorScalar>(_ buffer: inout [T], root: Int) throws

    /// Root receives every rank's `local` array (counts may differ), in rank order; other ranks get `nil`.
    func gather<T: CommunicatorScalar>(_ local: [T], root: Int) throws -> [[T]]?

    /// Every rank receives every rank's `local` array (counts may differ), in rank order (MPI_Allgatherv).
    func allGather<T: CommunicatorScalar>(_ local: [T]) throws -> [[T]]

    /// Personalised all-to-all with variable counts (MPI_Alltoallv). `send` holds this rank's pieces for ranks
    /// 0, 1, …, size−1 back to back, piece q being `sendCounts[q]` values (`sendCounts.count == size`, the counts
    /// ≥ 0 and summing to `send.count`: a programmer error otherwise). Returns what every rank q sent to this rank,
    /// back to back in rank order, and those counts (`counts[q]` values from rank q).
    func allToAll<T: CommunicatorScalar>(_ send: [T], sendCounts: [Int]) throws -> (values: [T], counts: [Int])

    /// Root passes one chunk per rank (`chunks.count == size`, counts may differ); each rank receives its chunk
    /// (MPI_Scatterv). Non-root ranks pass `nil`.
    func scatter<T: CommunicatorScalar>(_ chunks: [[T]]?, root: Int) throws -> [T]

    /// Ends the whole job from this rank: prints `[rank r] message` to standard error and terminates every rank
    /// (MPI_Abort), so the others do not hang in a collective waiting for this one.
    func abort(_ message: String, exitCode: Int32) -> Never
}

extension Communicator {
    /// True on rank 0, the only rank that prints and writes artifacts.
    public var isRoot: Bool { rank == 0 }

    /// Runs `body`; if it throws, runs `beforeAbort` (close open files: `World.run` passes Storage's
    /// `HDF5Library.closeEverything`), then aborts the whole job with `[rank r] <error>` (see `abort`).
    public func runOrAbort<R>(beforeAbort: () -> Void = {}, _ body: () throws -> R) -> R {
        do {
            return try body()
        } catch {
            let message = "\(error)"  // described before the clean-up, which may invalidate what it names
            beforeAbort()
            abort(message, exitCode: 1)
        }
    }

    /// Reduces one scalar over all ranks.
    public func allReduce<T: CommunicatorScalar>(_ value: T, op: ReduceOp) throws -> T {
        var buffer = [value]
        try allReduce(&buffer, op: op)
        return buffer[0]
    }

    /// Checks `allToAll`'s send layout (a programmer error when wrong: every rank builds it from shared numbers).
    public func checkAllToAllLayout(values: Int, sendCounts: [Int]) {
        precondition(sendCounts.count == size && sendCounts.allSatisfy { $0 >= 0 } && sendCounts.reduce(0, +) == values,
                     "allToAll: sendCounts \(sendCounts) must be \(size) counts ≥ 0 summing to the \(values) values sent")
    }

    /// Broadcasts a UTF-8 string from `root` (used for file names, configs and error text).
    public func broadcast(_ text: String, root: Int) throws -> String {
        var bytes = rank == root ? Array(text.utf8) : []
        try broadcast(&bytes, root: root)
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// The element-wise reduction applied by `allReduce`.
public enum ReduceOp: String, Sendable, CaseIterable {
    case sum, max, min
}

/// The element types that collectives move. `kind` names the wire type, so an MPI implementation can map it
/// to a datatype without runtime casts.
public protocol CommunicatorScalar: Numeric, Comparable, Sendable {
    static var kind: ScalarKind { get }
}

/// Wire types of `CommunicatorScalar` (`Int` travels as 64-bit).
public enum ScalarKind: Sendable {
    case float32, float64, int32, int64, uint8
}

extension Float: CommunicatorScalar { public static var kind: ScalarKind { .float32 } }
extension Double: CommunicatorScalar { public static var kind: ScalarKind { .float64 } }
extension Int32: CommunicatorScalar { public static var kind: ScalarKind { .int32 } }
extension Int64: CommunicatorScalar { public static var kind: ScalarKind { .int64 } }
extension Int: CommunicatorScalar { public static var kind: ScalarKind { .int64 } }
extension UInt8: CommunicatorScalar { public static var kind: ScalarKind { .uint8 } }

/// Errors raised by collectives. Messages state the violated rule, the values, and the fix.
public enum CommunicatorError: Error, CustomStringConvertible, Equatable {
    /// Ranks passed different element counts to the same all-reduce.
    case countMismatch(operation: String, counts: [Int])
    /// `root` (or a chunk count) is outside 0 ..< size.
    case invalidRoot(root: Int, size: Int)
    /// Root passed a number of scatter chunks different from the number of ranks.
    case chunkCount(expected: Int, got: Int)
    /// The underlying transport failed.
    case transport(operation: String, message: String)

    public var description: String {
        switch self {
        case let .countMismatch(operation, counts):
            return "\(operation): ranks passed different element counts \(counts); every rank must reduce a buffer "
                + "of the same shape (check that the data was sharded with the same parameters on every rank)"
        case let .invalidRoot(root, size):
            return "root rank \(root) is outside 0..<\(size)"
        case let .chunkCount(expected, got):
            return "scatter: root passed \(got) chunks for \(expected) ranks; pass exactly one chunk per rank"
        case let .transport(operation, message):
            return "\(operation) failed in the MPI transport: \(message)"
        }
    }
}
