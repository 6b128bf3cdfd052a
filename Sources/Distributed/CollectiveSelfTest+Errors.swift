import Core

/// The argument-error checks of `CollectiveSelfTest`: each must throw the same typed error on every rank,
/// before any data moves, and leave the transport usable (checked by a collective right after).
extension CollectiveSelfTest {
    static func recordErrorChecks(_ comm: any Communicator, into recorder: inout Recorder) {
        let rank = comm.rank
        let size = comm.size
        recorder.check("allReduce count mismatch throws on every rank") {
            guard size > 1 else { return (true, "skipped: needs more than one rank") }
            var buffer = [Float](repeating: 1, count: rank == 0 ? 3 : 4)
            let expected = (0 ..< size).map { $0 == 0 ? 3 : 4 }
            do {
                try comm.allReduce(&buffer, op: .sum)
                return (false, "no error for counts \(expected)")
            } catch CommunicatorError.countMismatch(_, let counts) {
                return (counts == expected, "countMismatch with counts \(counts)")
            }
        }
        recorder.check("allReduce after a count mismatch") {
            var one: [Int] = [1]
            try comm.allReduce(&one, op: .sum)
            return (one == [size], "sum of ones = \(one[0])")
        }
        recorder.check("scatter with size + 1 chunks throws on every rank") {
            let chunks: [[Int32]]? = rank == 0 ? Array(repeating: [1], count: size + 1) : nil
            do {
                _ = try comm.scatter(chunks, root: 0)
                return (false, "no error")
            } catch let error as CommunicatorError {
                let expected = CommunicatorError.chunkCount(expected: size, got: size + 1)
                return (error == expected, "\(error)")
            }
        }
        recorder.check("broadcast from root \(size) throws on every rank") {
            var buffer: [Double] = [1]
            do {
                try comm.broadcast(&buffer, root: size)
                return (false, "no error")
            } catch let error as CommunicatorError {
                return (error == .invalidRoot(root: size, size: size), "\(error)")
            }
        }
    }
}
