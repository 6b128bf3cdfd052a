import Core
import LinearAlgebra

/// A deterministic stand-in for an R-rank MPI world without threads: the ranks run one after another, and each
/// collective returns the combination of what every rank passed to the same call *in the previous round*.
/// Running the ranks' code in rounds until no contribution changes reaches the fixed point that a real lockstep
/// run computes (each round fixes at least one more collective, as later inputs depend only on earlier results).
public final class ReplayWorld {
    public let size: Int
    /// contributions[call][rank] for the current and previous round.
    public private(set) var contributions: [[[Double]?]] = []
    private var previous: [[[Double]?]] = []

    public init(size: Int) { self.size = size }

    public func communicator(rank: Int) -> ReplayCommunicator { ReplayCommunicator(world: self, rank: rank) }

    /// Starts a round; returns false once the last round changed nothing (the fixed point).
    public func nextRound() -> Bool {
        defer { previous = contributions }
        return previous.isEmpty || contributions != previous
    }

    public func record(call: Int, rank: Int, _ values: [Double]) {
        while contributions.count <= call { contributions.append(Array(repeating: nil, count: size)) }
        contributions[call][rank] = values
    }

    /// Every rank's contribution to `call` from the previous round, or nil if some rank had not reached it.
    public func known(call: Int) -> [[Double]]? {
        guard call < previous.count else { return nil }
        let all = previous[call].compactMap { $0 }
        return all.count == size ? all : nil
    }
}

public final class ReplayCommunicator: Communicator {
    public let world: ReplayWorld
    public let rank: Int
    public var size: Int { world.size }
    private var call = 0

    public init(world: ReplayWorld, rank: Int) {
        self.world = world
        self.rank = rank
    }

    public func restart() { call = 0 }

    private func exchange<T: CommunicatorScalar>(_ local: [T]) -> [[T]]? {
        defer { call += 1 }
        world.record(call: call, rank: rank, local.map(Self.toDouble))
        return world.known(call: call)?.map { $0.map(Self.fromDouble) }
    }

    private static func toDouble<T: CommunicatorScalar>(_ x: T) -> Double {
        switch x {
        case let v as Float: return Double(v)
        case let v as Int32: return Double(v)
        case let v as Int: return Double(v)
        default: fatalError("ReplayCommunicator: unsupported type \(T.self)")
        }
    }

    private static func fromDouble<T: CommunicatorScalar>(_ x: Double) -> T {
        switch T.self {
        case is Float.Type: return Float(x) as! T
        case is Int32.Type: return Int32(x) as! T
        case is Int.Type: return Int(x) as! T
        default: fatalError("ReplayCommunicator: unsupported type \(T.self)")
        }
    }

    public func barrier() throws {}

    public func allReduce<T: CommunicatorScalar>(_ buffer: inout [T], op: ReduceOp) throws {
        precondition(op == .sum, "ReplayCommunicator reduces sums only")
        guard let all = exchange(buffer) else { return }
        buffer = all.dropFirst().reduce(all[0]) { acc, next in zip(acc, next).map { $0 + $1 } }
    }

    public func allGather<T: CommunicatorScalar>(_ local: [T]) throws -> [[T]] {
        exchange(local) ?? Array(repeating: local, count: size)
    }

    /// Before the fixed point is known, every rank is assumed to send this rank what this rank sends itself.
    public func allToAll<T: CommunicatorScalar>(_ send: [T], sendCounts: [Int]) throws -> (values: [T], counts: [Int]) {
        checkAllToAllLayout(values: send.count, sendCounts: sendCounts)
        let start = sendCounts[..<rank].reduce(0, +), own = Array(send[start ..< start + sendCounts[rank]])
        let knownCounts = exchange(sendCounts), known = exchange(send)  // two calls in every round
        guard let counts = knownCounts, let all = known else {
            return (Array((0 ..< size).map { _ in own }.joined()), Array(repeating: own.count, count: size))
        }
        var values: [T] = []
        for (theirs, theirCounts) in zip(all, counts) {
            let from = theirCounts[..<rank].reduce(0, +)
            values.append(contentsOf: theirs[from ..< from + theirCounts[rank]])
        }
        return (values, counts.map { $0[rank] })
    }

    public func broadcast<T: CommunicatorScalar>(_ buffer: inout [T], root: Int) throws { fatalError("unused") }
    public func gather<T: CommunicatorScalar>(_ local: [T], root: Int) throws -> [[T]]? { fatalError("unused") }
    public func scatter<T: CommunicatorScalar>(_ chunks: [[T]]?, root: Int) throws -> [T] { fatalError("unused") }
    public func abort(_ message: String, exitCode: Int32) -> Never { fatalError(message) }
}
