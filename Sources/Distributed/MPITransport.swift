import CMPI
import Core

/// Internal glue between Swift collectives and the MPI C API: datatype and operator mapping, error-code
/// checking, and the Int32 count limit.
///
/// MPI counts and displacements are C `int`s. Buffers longer than `Int32.max` elements are cut into chunks
/// (`chunkRanges`) for operations that are element-wise (all-reduce, broadcast); the v-variants (gather,
/// all-gather, scatter), whose displacements are also `int`, throw `CommunicatorError.transport` with the limit
/// instead. Nothing here is public: no MPI type leaves this module.
enum MPITransport {
    /// The largest element count one MPI call can take.
    static let maxCount = Int(Int32.max)

    /// The MPI datatype that carries `T` (Int travels as int64; the sizes are checked once here).
    static func datatype<T: CommunicatorScalar>(_: T.Type) -> MPI_Datatype {
        switch T.kind {
        case .float32: return tributary_mpi_float()
        case .float64: return tributary_mpi_double()
        case .int32: return tributary_mpi_int32()
        case .int64:
            precondition(MemoryLayout<T>.size == 8, "ScalarKind.int64 requires an 8-byte type")
            return tributary_mpi_int64()
        case .uint8: return tributary_mpi_uint8()
        }
    }

    /// The MPI reduction operator for `op`.
    static func reduction(_ op: ReduceOp) -> MPI_Op {
        switch op {
        case .sum: return tributary_mpi_sum()
        case .max: return tributary_mpi_max()
        case .min: return tributary_mpi_min()
        }
    }

    /// Throws `CommunicatorError.transport` with MPI's error text unless `code` is MPI_SUCCESS.
    static func check(_ code: Int32, _ operation: String) throws {
        guard code == tributary_mpi_success() else {
            throw CommunicatorError.transport(operation: operation, message: mpiErrorString(code))
        }
    }

    /// Calls `body(offset, length)` for 0 ..< count cut into consecutive pieces of at most `limit` elements
    /// (no call for count 0). Allocation-free: it sits on the all-reduce hot path.
    static func forEachChunk(count: Int, limit: Int = maxCount, _ body: (Int, Int32) throws -> Void) rethrows {
        precondition(count >= 0 && limit > 0 && limit <= maxCount, "forEachChunk: count \(count), limit \(limit)")
        var offset = 0
        while offset < count {
            let length = Swift.min(limit, count - offset)
            try body(offset, Int32(length))
            offset += length
        }
    }

    /// The pieces `forEachChunk` visits, as ranges (for tests and messages).
    static func chunkRanges(count: Int, limit: Int = maxCount) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        forEachChunk(count: count, limit: limit) { offset, length in ranges.append(offset ..< offset + Int(length)) }
        return ranges
    }

    /// `counts` as MPI `int`s with their exclusive prefix sums (displacements); throws if the total exceeds
    /// `Int32.max`, which the v-collectives cannot address.
    static func countsAndDisplacements(_ counts: [Int], operation: String) throws -> (counts: [Int32], displacements: [Int32]) {
        let total = counts.reduce(0, +)
        guard total <= maxCount else {
            throw CommunicatorError.transport(
                operation: operation,
                message: "\(total) elements in total exceed MPI's Int32 count/displacement limit (\(maxCount)); "
                    + "split the data and call \(operation) once per piece")
        }
        var displacements = [Int32](repeating: 0, count: counts.count)
        var offset = 0
        for (r, c) in counts.enumerated() {
            displacements[r] = Int32(offset)
            offset += c
        }
        return (counts.map { Int32($0) }, displacements)
    }

    /// Runs `body` with the base addresses a v-collective (`MPI_Gatherv`, `MPI_Allgatherv`, `MPI_Scatterv`) takes:
    /// `send`, `receive`, and `layout`'s counts and displacements (one MPI `int` per rank).
    static func withVariableCountBuffers<T>(
        send: [T], receive: inout [T], layout: (counts: [Int32], displacements: [Int32]),
        _ body: (UnsafePointer<T>?, UnsafeMutablePointer<T>?, UnsafePointer<Int32>?, UnsafePointer<Int32>?) throws -> Void
    ) rethrows {
        try send.withUnsafeBufferPointer { s in
            try receive.withUnsafeMutableBufferPointer { r in
                try layout.counts.withUnsafeBufferPointer { c in
                    try layout.displacements.withUnsafeBufferPointer { d in
                        try body(s.baseAddress, r.baseAddress, c.baseAddress, d.baseAddress)
                    }
                }
            }
        }
    }

    /// Splits a flat buffer into consecutive pieces of the given lengths.
    static func split<T>(_ flat: [T], counts: [Int]) -> [[T]] {
        var pieces: [[T]] = []
        pieces.reserveCapacity(counts.count)
        var offset = 0
        for c in counts {
            pieces.append(Array(flat[offset ..< offset + c]))
            offset += c
        }
        return pieces
    }
}
