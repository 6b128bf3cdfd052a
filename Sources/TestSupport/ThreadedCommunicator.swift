import Core
import Foundation
import LinearAlgebra

/// R ranks simulated in one process: each rank runs on its own thread with a `ThreadedCommunicator`, and every
/// collective is an all-gather through a shared rendezvous, reduced in rank order (so results are identical on
/// every rank, as MPI's are).
///
/// ```swift
/// let results = ThreadedWorld.run(size: 2) { comm in try train(comm) }   // [rank 0's, rank 1's]
/// ```
public enum ThreadedWorld {
    public static func run<R: Sendable>(size: Int, _ body: @escaping @Sendable (ThreadedCommunicator) throws -> R) throws -> [R] {
        let rendezvous = Rendezvous(size: size)
        let results = ResultBox<R>(size: size)
        let threads = (0 ..< size).map { rank in
            Thread {
                let comm = ThreadedCommunicator(rank: rank, size: size, rendezvous: rendezvous)
                results.set(rank, Result { try body(comm) })
            }
        }
        threads.forEach { $0.stackSize = 16 << 20; $0.start() }
        results.waitAll()
        return try results.values.map { try $0!.get() }
    }
}

final class ResultBox<R: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private(set) var values: [Result<R, any Error>?]
    init(size: Int) { values = Array(repeating: nil, count: size) }
    func set(_ rank: Int, _ value: Result<R, any Error>) {
        condition.lock(); values[rank] = value; condition.broadcast(); condition.unlock()
    }
    func waitAll() {
        condition.lock()
        while values.contains(where: { $0 == nil }) { condition.wait() }
        condition.unlock()
    }
}

/// Collects one contribution per rank per round and hands every rank all of them.
final class Rendezvous: @unchecked Sendable {
    private let condition = NSCondition()
    private let size: Int
    private var slots: [Any?]
    private var arrived = 0, generation = 0
    private var published: [Any] = []

    init(size: Int) {
        self.size = size
        slots = Array(repeating: nil, count: size)
    }

    func exchange(rank: Int, _ value: Any) -> [Any] {
        condition.lock()
        defer { condition.unlock() }
        let myGeneration = generation
        slots[rank] = value
        arrived += 1
        if arrived == size {
            published = slots.map { $0! }
            slots = Array(repeating: nil, count: size)
            arrived = 0
            generation += 1
            condition.broadcast()
        } else {
            while generation == myGeneration { condition.wait() }
        }
        return published
    }
}

public final class ThreadedCommunicator: Communicator, @unchecked Sendable {
    public let rank: Int
    public let size: Int
    private let rendezvous: Rendezvous
    /// Elements all-reduced by this rank (to check fusion: one all-reduce per step).
    public private(set) var allReduceCalls = 0
    /// Calls of each collective by this rank ("allReduce", "broadcast", "gather", "allGather", "scatter",
    /// "barrier"), to check which collectives an algorithm uses.
    public private(set) var collectiveCalls: [String: Int] = [:]

    init(rank: Int, size: Int, rendezvous: Rendezvous) {
        self.rank = rank
        self.size = size
        self.rendezvous = rendezvous
    }

    public func barrier() throws {
        collectiveCalls["barrier", default: 0] += 1
        _ = rendezvous.exchange(rank: rank, 0)
    }

    public func allReduce<T: CommunicatorScalar>(_ buffer: inout [T], op: ReduceOp) throws {
        allReduceCalls += 1
        collectiveCalls["allReduce", default: 0] += 1
        let all = rendezvous.exchange(rank: rank, buffer).map { $0 as! [T] }
        let counts = all.map(\.count)
        guard Set(counts).count == 1 else { throw CommunicatorError.countMismatch(operation: "allReduce", counts: counts) }
        var result = all[0]
        for other in all.dropFirst() {
            for i in result.indices {
                switch op {
                case .sum: result[i] += other[i]
                case .max: result[i] = max(result[i], other[i])
                case .min: result[i] = min(result[i], other[i])
                }
            }
        }
        buffer = result
    }

    public func broadcast<T: CommunicatorScalar>(_ buffer: inout [T], root: Int) throws {
        collectiveCalls["broadcast", default: 0] += 1
        buffer = rendezvous.exchange(rank: rank, buffer)[root] as! [T]
    }

    public func gather<T: CommunicatorScalar>(_ local: [T], root: Int) throws -> [[T]]? {
        collectiveCalls["gather", default: 0] += 1
        let all = rendezvous.exchange(rank: rank, local).map { $0 as! [T] }
        return rank == root ? all : nil
    }

    public func allGather<T: CommunicatorScalar>(_ local: [T]) throws -> [[T]] {
        collectiveCalls["allGather", default: 0] += 1
        let all = rendezvous.exchange(rank: rank, local).map { $0 as! [T] }
        return all
    }

    public func allToAll<T: CommunicatorScalar>(_ send: [T], sendCounts: [Int]) throws -> (values: [T], counts: [Int]) {
        collectiveCalls["allToAll", default: 0] += 1
        checkAllToAllLayout(values: send.count, sendCounts: sendCounts)
        let all = rendezvous.exchange(rank: rank, (send, sendCounts)).map { $0 as! ([T], [Int]) }
        var values: [T] = [], counts: [Int] = []
        for (theirs, theirCounts) in all {  // rank q's piece for this rank starts after its pieces for ranks < rank
            let start = theirCounts[..<rank].reduce(0, +)
            values.append(contentsOf: theirs[start ..< start + theirCounts[rank]])
            counts.append(theirCounts[rank])
        }
        return (values, counts)
    }

    public func scatter<T: CommunicatorScalar>(_ chunks: [[T]]?, root: Int) throws -> [T] {
        collectiveCalls["scatter", default: 0] += 1
        let all = rendezvous.exchange(rank: rank, chunks as Any)
        return (all[root] as! [[T]]?)![rank]
    }

    public func abort(_ message: String, exitCode: Int32) -> Never { fatalError("[rank \(rank)] \(message)") }
}
