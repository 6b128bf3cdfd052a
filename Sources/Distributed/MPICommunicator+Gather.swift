import CMPI
import Core

/// The variable-count collectives of `MPICommunicator`: gather, all-gather, all-to-all and scatter.
///
/// Each one first makes every rank know every count (an all-gather of one int64 per rank, or a broadcast of
/// root's counts for scatter), so that every rank takes the same branch: all throw the same error, or all skip
/// an empty transfer, or all enter the same `MPI_Gatherv` / `MPI_Allgatherv` / `MPI_Scatterv` (`allToAll` exchanges
/// one count per pair of ranks by `MPI_Alltoall`, then calls `MPI_Alltoallv`). The received
/// values arrive in one flat buffer in rank order and are split into one array per rank.
extension MPICommunicator {
    public func gather<T: CommunicatorScalar>(_ local: [T], root: Int) throws -> [[T]]? {
        try checkRoot(root)
        let counts = try allCounts(local.count)
        let layout = try MPITransport.countsAndDisplacements(counts, operation: "gather")
        let total = counts.reduce(0, +)
        let isRoot = rank == root
        if total == 0 { return isRoot ? counts.map { _ in [] } : nil }
        let datatype = MPITransport.datatype(T.self)
        var flat = [T](repeating: 0, count: isRoot ? total : 0)
        try MPITransport.withVariableCountBuffers(send: local, receive: &flat, layout: layout) { send, receive, c, d in
            // Distributed: root receives every rank's piece at its displacement, in rank order.
            let n = Int32(local.count), into = isRoot ? receive : nil
            try collective(
                "gather", blocking: { MPI_Gatherv(send, n, datatype, into, c, d, datatype, Int32(root), comm) },
                start: { MPI_Igatherv(send, n, datatype, into, c, d, datatype, Int32(root), comm, &$0) })
        }
        return isRoot ? MPITransport.split(flat, counts: counts) : nil
    }

    public func allGather<T: CommunicatorScalar>(_ local: [T]) throws -> [[T]] {
        let counts = try allCounts(local.count)
        let layout = try MPITransport.countsAndDisplacements(counts, operation: "allGather")
        let total = counts.reduce(0, +)
        if total == 0 { return counts.map { _ in [] } }
        let datatype = MPITransport.datatype(T.self)
        var flat = [T](repeating: 0, count: total)
        try MPITransport.withVariableCountBuffers(send: local, receive: &flat, layout: layout) { send, receive, c, d in
            // Distributed: every rank receives every rank's piece, in rank order.
            let n = Int32(local.count)
            try collective(
                "allGather", blocking: { MPI_Allgatherv(send, n, datatype, receive, c, d, datatype, comm) },
                start: { MPI_Iallgatherv(send, n, datatype, receive, c, d, datatype, comm, &$0) })
        }
        return MPITransport.split(flat, counts: counts)
    }

    public func allToAll<T: CommunicatorScalar>(_ send: [T], sendCounts: [Int]) throws -> (values: [T], counts: [Int]) {
        checkAllToAllLayout(values: send.count, sendCounts: sendCounts)
        // Every rank learns what each rank sends it (MPI_Alltoall of one int64 per pair of ranks).
        var header = sendCounts.map { Int64($0) }
        var incoming = [Int64](repeating: 0, count: size)
        try header.withUnsafeMutableBufferPointer { h in
            try incoming.withUnsafeMutableBufferPointer { i in
                let int64 = tributary_mpi_int64()
                try collective(
                    "allToAll (counts)", blocking: { MPI_Alltoall(h.baseAddress, 1, int64, i.baseAddress, 1, int64, comm) },
                    start: { MPI_Ialltoall(h.baseAddress, 1, int64, i.baseAddress, 1, int64, comm, &$0) })
            }
        }
        let counts = incoming.map { Int($0) }
        var out = try MPITransport.countsAndDisplacements(sendCounts, operation: "allToAll")
        var into = try MPITransport.countsAndDisplacements(counts, operation: "allToAll")
        let total = counts.reduce(0, +)
        // No early return when nothing moves here: every rank must enter MPI_Alltoallv (zero counts are allowed).
        let datatype = MPITransport.datatype(T.self)
        var values = [T](repeating: 0, count: total)
        try send.withUnsafeBufferPointer { s in
            try values.withUnsafeMutableBufferPointer { r in
                // Distributed: piece q of `send` goes to rank q; rank q's piece for this rank lands at into.displacements[q].
                let from = s.baseAddress, to = r.baseAddress
                try collective(
                    "allToAll",
                    blocking: {
                        MPI_Alltoallv(from, &out.counts, &out.displacements, datatype, to, &into.counts, &into.displacements,
                                      datatype, comm)
                    },
                    start: {
                        MPI_Ialltoallv(from, &out.counts, &out.displacements, datatype, to, &into.counts, &into.displacements,
                                       datatype, comm, &$0)
                    })
            }
        }
        return (values, counts)
    }

    public func scatter<T: CommunicatorScalar>(_ chunks: [[T]]?, root: Int) throws -> [T] {
        try checkRoot(root)
        let isRoot = rank == root
        // Root's counts, or a negative code −(got + 1) when root passed the wrong number of chunks, so that
        // every rank throws the same `chunkCount` error instead of the others waiting in MPI_Scatterv.
        var header = [Int64](repeating: 0, count: size)
        if isRoot {
            if let chunks, chunks.count == size {
                for (r, chunk) in chunks.enumerated() { header[r] = Int64(chunk.count) }
            } else {
                header[0] = -Int64((chunks?.count ?? 0) + 1)
            }
        }
        try header.withUnsafeMutableBufferPointer { h in
            let n = Int32(size), int64 = tributary_mpi_int64()
            try collective(
                "scatter (counts)", blocking: { MPI_Bcast(h.baseAddress, n, int64, Int32(root), comm) },
                start: { MPI_Ibcast(h.baseAddress, n, int64, Int32(root), comm, &$0) })
        }
        if header[0] < 0 {
            throw CommunicatorError.chunkCount(expected: size, got: Int(-header[0] - 1))
        }
        let counts = header.map { Int($0) }
        let layout = try MPITransport.countsAndDisplacements(counts, operation: "scatter")
        if counts.reduce(0, +) == 0 { return [] }
        let datatype = MPITransport.datatype(T.self)
        let flat: [T] = isRoot ? (chunks ?? []).flatMap { $0 } : []
        var mine = [T](repeating: 0, count: counts[rank])
        try MPITransport.withVariableCountBuffers(send: flat, receive: &mine, layout: layout) { send, receive, c, d in
            // Distributed: each rank receives chunk[rank] from root.
            let from = isRoot ? send : nil, n = Int32(counts[rank])
            try collective(
                "scatter", blocking: { MPI_Scatterv(from, c, d, datatype, receive, n, datatype, Int32(root), comm) },
                start: { MPI_Iscatterv(from, c, d, datatype, receive, n, datatype, Int32(root), comm, &$0) })
        }
        return mine
    }
}
