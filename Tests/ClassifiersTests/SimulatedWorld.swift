import Core
import Foundation
import LinearAlgebra

/// An in-process world of `size` ranks, each on its own thread, whose collectives really exchange data:
/// every collective is a rendezvous where all ranks deposit their contribution and read everyone's.
/// Used to show that distributed training gives the same result for any number of ranks.
final class ThreadedWorld: @unchecked Sendable {
    let size: Int
    private let condition = NSCondition()
    private var deposits: [Any?]
    private var arrived = 0
    private var generation = 0
    private var completed: [Any] = []

    init(size: Int) {
        self.size = size
        self.deposits = Array(repeating: nil, count: size)
    }

    /// Deposits `value` for `rank` and returns every rank's value, in rank order, once all have arrived.
    func exchange(rank: Int, _ value: Any) -> [Any] {
        condition.lock()
        defer { condition.unlock() }
        let myGeneration = generation
        deposits[rank] = value
        arrived += 1
        if arrived == size {
            completed = deposits.map { $0! }
            deposits = Array(repeating: nil, count: size)
            arrived = 0
            generation += 1
            condition.broadcast()
            return completed
        }
        while generation == myGeneration { condition.wait() }
        return completed
    }

    /// Runs `body` on `size` threads, one per rank, and returns the ranks' results in rank order.
    static func run<R: Sendable>(size: Int, _ body: @escaping @Sendable (any Communicator) throws -> R) throws -> [R] {
        let world = ThreadedWorld(size: size)
        let lock = NSLock()
        let box = ResultBox<R>(count: size)
        let done = DispatchSemaphore(value: 0)
        for r in 0 ..< size {
            let thread = Thread {
                let outcome = Result { try body(RankCommunicator(world: world, rank: r)) }
                lock.lock()
                box.results[r] = outcome
                lock.unlock()
                done.signal()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        for _ in 0 ..< size { done.wait() }
        return try box.results.map { try $0!.get() }
    }
}

/// One rank of a `ThreadedWorld`.
final class RankCommunicator: Communicator {
    let world: ThreadedWorld
    let rank: Int
    var size: Int { world.size }

    init(world: ThreadedWorld, rank: Int) {
        self.world = world
        self.rank = rank
    }

    func barrier() throws { _ = world.exchange(rank: rank, 0) }

    func allReduce<T: CommunicatorScalar>(_ buffer: inout [T], op: ReduceOp) throws {
        let all = world.exchange(rank: rank, buffer).map { $0 as! [T] }
        guard all.allSatisfy({ $0.count == buffer.count }) else {
            throw CommunicatorError.countMismatch(operation: "allReduce", counts: all.map(\.count))
        }
        for i in buffer.indices {
            var v = all[0][i]
            for r in 1 ..< all.count {
                switch op {
                case .sum: v += all[r][i]
                case .max: v = Swift.max(v, all[r][i])
                case .min: v = Swift.min(v, all[r][i])
                }
            }
            buffer[i] = v
        }
    }

    func broadcast<T: CommunicatorScalar>(_ buffer: inout [T], root: Int) throws {
        buffer = world.exchange(rank: rank, buffer)[root] as! [T]
    }

    func gather<T: CommunicatorScalar>(_ local: [T], root: Int) throws -> [[T]]? {
        let all = world.exchange(rank: rank, local).map { $0 as! [T] }
        return rank == root ? all : nil
    }

    func allGather<T: CommunicatorScalar>(_ local: [T]) throws -> [[T]] {
        world.exchange(rank: rank, local).map { $0 as! [T] }
    }

    func scatter<T: CommunicatorScalar>(_ chunks: [[T]]?, root: Int) throws -> [T] {
        let all = world.exchange(rank: rank, chunks as Any)
        return (all[root] as! [[T]]?)![rank]
    }

    func abort(_ message: String, exitCode: Int32) -> Never { fatalError("[rank \(rank)] \(message)") }
}

/// Per-rank results, written under a lock by the rank threads.
final class ResultBox<R>: @unchecked Sendable {
    var results: [Result<R, Error>?]
    init(count: Int) { results = Array(repeating: nil, count: count) }
}
