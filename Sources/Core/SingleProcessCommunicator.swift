#if canImport(Glibc)
import Glibc
#endif

/// A world of one rank: every collective is the identity (llm.c's "no-op when multi-GPU is disabled").
///
/// This is the degenerate case of `Communicator`, not a separate code path: an algorithm run with it produces
/// the same result as the same algorithm under `mpirun -np 1`.
public final class SingleProcessCommunicator: Communicator {
    public init() {}

    public var rank: Int { 0 }
    public var size: Int { 1 }

    public func barrier() throws {}

    public func allReduce<T: CommunicatorScalar>(_ buffer: inout [T], op: ReduceOp) throws {}

    public func broadcast<T: CommunicatorScalar>(_ buffer: inout [T], root: Int) throws {
        try checkRoot(root)
    }

    public func gather<T: CommunicatorScalar>(_ local: [T], root: Int) throws -> [[T]]? {
        try checkRoot(root)
        return [local]
    }

    public func allGather<T: CommunicatorScalar>(_ local: [T]) throws -> [[T]] {
        [local]
    }

    public func allToAll<T: CommunicatorScalar>(_ send: [T], sendCounts: [Int]) throws -> (values: [T], counts: [Int]) {
        checkAllToAllLayout(values: send.count, sendCounts: sendCounts)
        return (send, sendCounts)
    }

    public func scatter<T: CommunicatorScalar>(_ chunks: [[T]]?, root: Int) throws -> [T] {
        try checkRoot(root)
        guard let chunks, chunks.count == 1 else {
            throw CommunicatorError.chunkCount(expected: 1, got: chunks?.count ?? 0)
        }
        return chunks[0]
    }

    public func abort(_ message: String, exitCode: Int32) -> Never {
        FileHandleOutput.standardError.write("[rank 0] \(message)\n")
        exit(exitCode)
    }

    private func checkRoot(_ root: Int) throws {
        guard root == 0 else { throw CommunicatorError.invalidRoot(root: root, size: 1) }
    }
}

/// Minimal unbuffered writes to standard error/output without Foundation.
public enum FileHandleOutput {
    case standardOutput, standardError

    public func write(_ text: String) {
        var bytes = Array(text.utf8)
        let fd: Int32 = self == .standardOutput ? 1 : 2
        bytes.withUnsafeMutableBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n <= 0 { break }
                offset += n
            }
        }
    }
}
