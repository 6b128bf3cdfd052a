import Core

/// The data-moving checks of `CollectiveSelfTest`: all-reduce, broadcast, gather, all-gather, all-to-all and scatter.
/// Every value is a formula of (rank, size), so each rank computes what it must receive without communication.
extension CollectiveSelfTest {
    // MARK: - All-reduce

    static func recordAllReduceChecks(_ comm: any Communicator, into recorder: inout Recorder) {
        let last = comm.size - 1
        for op in ReduceOp.allCases {
            allReduce("Float", op, comm, &recorder) { r in [Float(r + 1), Float(r) * 0.5, -Float(r * r), 1024 + Float(r)] }
            allReduce("Double", op, comm, &recorder) { r in [Double(r + 1), 1e12 + Double(r), -Double(r) / 4] }
            allReduce("Int", op, comm, &recorder) { r in [r + 1, (1 << 40) + r, -3 * r] }
            allReduce("Int32", op, comm, &recorder) { r in [Int32(r + 1), -Int32(r), 1_000_000 + Int32(r)] }
            allReduce("Int64", op, comm, &recorder) { r in [Int64(r + 1), (Int64(1) << 50) + Int64(r), -Int64(r)] }
            allReduce("UInt8", op, comm, &recorder) { r -> [UInt8] in [1, r == 0 ? 200 : 0, r == last ? 3 : 1] }
        }
        let n = 100_003
        recorder.check("allReduce sum Float ×\(n)") {
            var buffer = (0 ..< n).map { Float($0 % 13 + comm.rank) }
            try comm.allReduce(&buffer, op: .sum)
            let size = comm.size
            let offset = size * (size - 1) / 2
            let bad = (0 ..< n).filter { buffer[$0] != Float(size * ($0 % 13) + offset) }.count
            return (bad == 0, bad == 0 ? "every element = size·(i mod 13) + Σ rank" : "\(bad) wrong elements")
        }
    }

    /// Checks `allReduce(op)` of `values(rank)` against the element-wise reduction of `values(0 ..< size)`.
    private static func allReduce<T: CommunicatorScalar>(
        _ type: String, _ op: ReduceOp, _ comm: any Communicator, _ recorder: inout Recorder,
        values: (Int) -> [T]
    ) {
        recorder.check("allReduce \(op.rawValue) \(type)") {
            var buffer = values(comm.rank)
            try comm.allReduce(&buffer, op: op)
            var expected = values(0)
            for r in 1 ..< comm.size {
                for (i, v) in values(r).enumerated() {
                    switch op {
                    case .sum: expected[i] += v
                    case .max: expected[i] = Swift.max(expected[i], v)
                    case .min: expected[i] = Swift.min(expected[i], v)
                    }
                }
            }
            return (buffer == expected, buffer == expected ? "\(buffer)" : "got \(buffer), expected \(expected)")
        }
    }

    // MARK: - Broadcast

    static func recordBroadcastChecks(_ comm: any Communicator, into recorder: inout Recorder) {
        let rank = comm.rank
        let last = comm.size - 1
        recorder.check("broadcast Double from rank 0") {
            let sent: [Double] = [3.25, -1, 1e300, Double(comm.size)]
            // Non-roots start shorter (empty) or longer than root's array: both must end up equal to it.
            var buffer: [Double] = rank == 0 ? sent : (rank % 2 == 1 ? [] : Array(repeating: -7, count: 10))
            try comm.broadcast(&buffer, root: 0)
            return (buffer == sent, "\(buffer)")
        }
        recorder.check("broadcast Int32 from rank \(last)") {
            let sent = (0 ..< comm.size + 2).map { Int32(last * 100 + $0) }
            var buffer: [Int32] = rank == last ? sent : [42]
            try comm.broadcast(&buffer, root: last)
            return (buffer == sent, "\(buffer.count) values")
        }
        recorder.check("broadcast empty Float from rank 0") {
            var buffer: [Float] = rank == 0 ? [] : [1, 2, 3]
            try comm.broadcast(&buffer, root: 0)
            return (buffer.isEmpty, "\(buffer.count) values")
        }
        recorder.check("broadcast String from rank \(last)") {
            let sent = "tributary ✓ from rank \(last)"
            let received = try comm.broadcast(rank == last ? sent : "", root: last)
            return (received == sent, received)
        }
    }

    // MARK: - Gather, all-gather, scatter

    static func recordGatherChecks(_ comm: any Communicator, into recorder: inout Recorder) {
        let rank = comm.rank
        let size = comm.size
        let last = size - 1
        recorder.check("gather Int to rank 0") {
            let piece: (Int) -> [Int] = { r in Array(repeating: r * 10, count: r + 1) }
            let got = try comm.gather(piece(rank), root: 0)
            let expected = rank == 0 ? (0 ..< size).map(piece) : nil
            return (got == expected, rank == 0 ? "\(got?.map(\.count) ?? []) values per rank" : "nil off root")
        }
        recorder.check("gather Double to rank \(last) (empty pieces)") {
            let piece: (Int) -> [Double] = { r in r % 2 == 0 ? [] : [Double(r) + 0.5, -Double(r)] }
            let got = try comm.gather(piece(rank), root: last)
            let expected = rank == last ? (0 ..< size).map(piece) : nil
            return (got == expected, rank == last ? "\(got?.map(\.count) ?? []) values per rank" : "nil off root")
        }
        recorder.check("allGather Float (rank r sends r values)") {
            let piece: (Int) -> [Float] = { r in (0 ..< r).map { Float(r * 1000 + $0) } }
            let got = try comm.allGather(piece(rank))
            let expected = (0 ..< size).map(piece)
            return (got == expected, "\(got.map(\.count)) values per rank")
        }
        recorder.check("allGather UInt8 (rank r sends r mod 3 values)") {
            let piece: (Int) -> [UInt8] = { r in Array(repeating: UInt8(truncatingIfNeeded: r), count: r % 3) }
            let got = try comm.allGather(piece(rank))
            return (got == (0 ..< size).map(piece), "\(got.map(\.count)) values per rank")
        }
        recorder.check("allToAll Double (rank q sends rank s (q + s) mod 3 values)") {
            let piece: (Int, Int) -> [Double] = { q, s in (0 ..< (q + s) % 3).map { Double(q * 1000 + s * 10 + $0) + 0.5 } }
            let pieces = (0 ..< size).map { piece(rank, $0) }
            let got = try comm.allToAll(Array(pieces.joined()), sendCounts: pieces.map(\.count))
            let expected = (0 ..< size).map { piece($0, rank) }
            let same = got.values == Array(expected.joined()) && got.counts == expected.map(\.count)
            return (same, "\(got.counts) values from each rank")
        }
        recorder.check("scatter Int64 from rank \(last) (rank r gets r values)") {
            let chunk: (Int) -> [Int64] = { r in (0 ..< r).map { (Int64(r) << 33) + Int64($0) } }
            let got = try comm.scatter(rank == last ? (0 ..< size).map(chunk) : nil, root: last)
            return (got == chunk(rank), "\(got.count) values")
        }
        recorder.check("scatter Float from rank 0") {
            let chunk: (Int) -> [Float] = { r in [Float(r), Float(r) + 0.25] }
            let got = try comm.scatter(rank == 0 ? (0 ..< size).map(chunk) : nil, root: 0)
            return (got == chunk(rank), "\(got)")
        }
    }
}
