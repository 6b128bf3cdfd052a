/// A `Communicator` that forwards every collective to `base` and counts, per collective, the calls and the bytes
/// this rank's receive buffers take in (`allGather`: every rank's piece, its own included, as MPI_Allgatherv
/// delivers; `allToAll`: the pieces sent to this rank, its own included). `bench rowsvm` wraps the job's
/// communicator in one to count the traffic of `OrderedReduction.sum` on real MPI; `SegmentedReductionTests` wraps
/// threaded ranks to check the counts by hand.
public final class CountingCommunicator: Communicator {
    public let base: any Communicator
    /// Calls per collective ("allGather", "allToAll", "allReduce", "broadcast", "gather", "scatter", "barrier").
    public private(set) var calls: [String: Int] = [:]
    /// Bytes received per collective (all-gather and all-to-all only).
    public private(set) var receivedBytes: [String: Int] = [:]
    /// Every all-gather and all-to-all in call order: (collective, values received, bytes received).
    public private(set) var log: [(operation: String, values: Int, bytes: Int)] = []

    public init(_ base: any Communicator) { self.base = base }

    public var rank: Int { base.rank }
    public var size: Int { base.size }

    /// Forgets what was counted so far.
    public func reset() {
        calls = [:]
        receivedBytes = [:]
        log = []
    }

    public func barrier() throws {
        calls["barrier", default: 0] += 1
        try base.barrier()
    }

    public func allReduce<T: CommunicatorScalar>(_ buffer: inout [T], op: ReduceOp) throws {
        calls["allReduce", default: 0] += 1
        try base.allReduce(&buffer, op: op)
    }

    public func broadcast<T: CommunicatorScalar>(_ buffer: inout [T], root: Int) throws {
        calls["broadcast", default: 0] += 1
        try base.broadcast(&buffer, root: root)
    }

    public func gather<T: CommunicatorScalar>(_ local: [T], root: Int) throws -> [[T]]? {
        calls["gather", default: 0] += 1
        return try base.gather(local, root: root)
    }

    public func allGather<T: CommunicatorScalar>(_ local: [T]) throws -> [[T]] {
        calls["allGather", default: 0] += 1
        let all = try base.allGather(local)
        let values = all.reduce(0) { $0 + $1.count }
        receivedBytes["allGather", default: 0] += values * MemoryLayout<T>.stride
        log.append(("allGather", values, values * MemoryLayout<T>.stride))
        return all
    }

    public func allToAll<T: CommunicatorScalar>(_ send: [T], sendCounts: [Int]) throws -> (values: [T], counts: [Int]) {
        calls["allToAll", default: 0] += 1
        let received = try base.allToAll(send, sendCounts: sendCounts)
        receivedBytes["allToAll", default: 0] += received.values.count * MemoryLayout<T>.stride
        log.append(("allToAll", received.values.count, received.values.count * MemoryLayout<T>.stride))
        return received
    }

    public func scatter<T: CommunicatorScalar>(_ chunks: [[T]]?, root: Int) throws -> [T] {
        calls["scatter", default: 0] += 1
        return try base.scatter(chunks, root: root)
    }

    public func abort(_ message: String, exitCode: Int32) -> Never { base.abort(message, exitCode: exitCode) }

    /// Values received per collective (all-gather and all-to-all), summed over `log`.
    public var receivedValues: [String: Int] {
        log.reduce(into: [:]) { $0[$1.operation, default: 0] += $1.values }
    }
}
