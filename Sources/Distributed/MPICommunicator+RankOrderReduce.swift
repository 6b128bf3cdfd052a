import CMPI
import Core

/// The all-reduce of floating-point data in rank order: a reduce-scatter by `MPI_(I)alltoallv` then an
/// `MPI_(I)allgatherv`, both waited for under the watchdog like every other collective (a waiting rank sleeps
/// between polls; a stall aborts the job naming the collective).
///
/// For a buffer of L elements on P ranks, rank r owns the slice s_r = `shard(L, r, P)`. Each rank sends slice
/// s_q of its buffer x^(q) to rank q; rank r then combines the P copies of its slice **in rank order**,
///
///     y_j = ((x^(0)_j ⊕ x^(1)_j) ⊕ x^(2)_j) ⊕ … ⊕ x^(P−1)_j,    j ∈ s_r,    ⊕ ∈ {+, max, min}
///
/// and every rank gathers all slices of y into its buffer. Every element is combined in the same order whatever
/// the slice and whoever owns it, so the result is the same on every rank, does not depend on which algorithm
/// MPI picks, and a sum equals the sequential left fold over ranks (for P = 1 the buffer is unchanged). Traffic
/// per rank ≈ 2·L·(P−1)/P elements, as a ring all-reduce; extra memory: P copies of one slice plus the slice.
///
/// Why not `MPI_Allreduce`: its blocking form cannot be waited for with a back-off (the waiting rank spins a
/// core at 100 % inside it) and Open MPI's non-blocking form (libnbc) adds in another order than the blocking one
/// at some rank counts, so results would depend on the watchdog setting.
extension MPICommunicator {
    func rankOrderAllReduce<T: CommunicatorScalar>(_ base: UnsafeMutablePointer<T>, count: Int, op: ReduceOp,
                                                   datatype: MPI_Datatype) throws {
        try MPITransport.forEachChunk(count: count, limit: MPITransport.maxCount / Swift.max(1, size)) { offset, length in
            let l = Int(length)
            let slices = (0 ..< size).map { shard(count: l, rank: $0, size: size) }
            let mine = slices[rank]
            var counts = slices.map { Int32($0.count) }, starts = slices.map { Int32($0.lowerBound) }
            var mineCounts = [Int32](repeating: Int32(mine.count), count: size)
            var mineStarts = (0 ..< size).map { Int32($0 * mine.count) }
            var copies = [T](repeating: 0, count: size * mine.count)  // copy q of my slice at q·|s_r|
            let chunk = base + offset
            try copies.withUnsafeMutableBufferPointer { received in
                let r = received.baseAddress
                try collective(
                    "allReduce (reduce-scatter)",
                    blocking: { MPI_Alltoallv(chunk, &counts, &starts, datatype, r, &mineCounts, &mineStarts, datatype, comm) },
                    start: { MPI_Ialltoallv(chunk, &counts, &starts, datatype, r, &mineCounts, &mineStarts, datatype, comm, &$0) })
            }
            var slice = Array(copies.prefix(mine.count))
            for q in 1 ..< Swift.max(1, size) {
                let copy = q * mine.count
                switch op {
                case .sum: for j in slice.indices { slice[j] = slice[j] + copies[copy + j] }
                case .max: for j in slice.indices where copies[copy + j] > slice[j] { slice[j] = copies[copy + j] }
                case .min: for j in slice.indices where copies[copy + j] < slice[j] { slice[j] = copies[copy + j] }
                }
            }
            try slice.withUnsafeMutableBufferPointer { own in
                let s = own.baseAddress, n = Int32(mine.count)
                try collective(
                    "allReduce (all-gather)",
                    blocking: { MPI_Allgatherv(s, n, datatype, chunk, &counts, &starts, datatype, comm) },
                    start: { MPI_Iallgatherv(s, n, datatype, chunk, &counts, &starts, datatype, comm, &$0) })
            }
        }
    }
}
