import Core
import LinearAlgebra

/// Rows of a row-sharded matrix, fetched by global id from the ranks that own them: what attention reads
/// (z_i = Z[id_i], paper § 3) without any rank holding all of Z.
///
/// Z (N, D) is split over R ranks into contiguous, ascending ranges: rank r holds rows `owned_r = [a_r, b_r)`
/// (a ShardedForest's `globalIDs`; its stored vectors are those rows). Rank r asks for any set Q_r ⊂ [0, N).
///
/// Protocol of `ShardedForest.fetch` (collective; every rank calls it, with its own request):
///
///  1. Q_r ← sorted unique request; **all-gather** [a_r, b_r] and Q_r (ids only, 8 bytes each);
///  2. every rank checks, identically, that the ranges are ascending and disjoint, that every requested id of
///     every rank lies in one of them and that the largest request fits `MemoryBudget.current` (so all ranks throw
///     together, none hangs);
///  3. for t = 0 … R−1: rank r packs Z[Q_t ∩ owned_r] (ascending) and **gathers to root t**; because the ranges
///     ascend with the rank and Q_t is sorted, rank t's concatenation in rank order is Z[Q_t] in Q_t's order.
///
/// Each rank receives exactly its |Q_r| rows (D floats each): peak memory is the shard, the request ids of all
/// ranks and the rows asked for; values are copied bit for bit, so a gather from a `RowTable` equals a gather from
/// the replicated matrix.
public struct RowTable: Sendable, Equatable {
    /// Sorted, unique global ids.
    public let ids: [Int]
    /// (ids.count, D): row i is Z[ids[i]].
    public let rows: Matrix<Float>

    public init(ids: [Int], rows: Matrix<Float>) {
        precondition(ids.count == rows.rows && zip(ids, ids.dropFirst()).allSatisfy { $0 < $1 },
                     "RowTable: ids must be sorted, unique and match the rows")
        self.ids = ids
        self.rows = rows
    }

    /// The row of `id` in `rows`, or nil when the table does not hold it (binary search).
    public func index(of id: Int) -> Int? {
        var (low, high) = (0, ids.count)
        while low < high {
            let mid = (low + high) / 2
            if ids[mid] < id { low = mid + 1 } else { high = mid }
        }
        return low < ids.count && ids[low] == id ? low : nil
    }
}

extension ShardedForest {
    /// The rows Z[id] for every id in `request` (any order, repeats allowed), from the ranks that hold them; see
    /// `RowTable`'s protocol. Collective. Throws `RetrievalError.invalidParameter` on every rank when any rank
    /// asks for an id no rank holds.
    public func fetch(rows request: [Int], communicator comm: any Communicator) throws -> RowTable {
        let want = Array(Set(request)).sorted()
        let d = forest.dimension
        // Distributed: every rank learns every rank's range and request (ids only).
        let ranges = try comm.allGather([globalIDs.lowerBound, globalIDs.upperBound])
        let requests = try comm.allGather(want)
        for r in 1 ..< ranges.count where ranges[r][0] < ranges[r - 1][1] {
            throw RetrievalError.invalidParameter(name: "shard ranges", value: "\(ranges)",
                                                  rule: "must ascend with the rank and not overlap")
        }
        for (r, ids) in requests.enumerated() {
            if let bad = ids.first(where: { id in !ranges.contains { $0[0] <= id && id < $0[1] } }) {
                throw RetrievalError.invalidParameter(
                    name: "requested row (rank \(r))", value: "\(bad)",
                    rule: "must be a row of the sharded matrix, 0 ..< \(ranges.last?[1] ?? 0)")
            }
        }
        // Every rank checks the largest request (the same numbers everywhere), so all ranks throw together.
        let largest = requests.map(\.count).max() ?? 0
        try MemoryBudget.current.reserve(bytes: MemoryBudget.product([largest, d, MemoryLayout<Float>.size]),
                                         for: "the retrieved source rows", purpose: "\(largest) rows of \(d) floats on one rank",
                                         fix: "run on more ranks, or retrieve for fewer documents at a time")
        var mine: [Float] = []
        for t in 0 ..< comm.size {
            let asked = requests[t]
            let first = Self.lowerBound(asked, globalIDs.lowerBound), end = Self.lowerBound(asked, globalIDs.upperBound)
            var reply = [Float](repeating: 0, count: (end - first) * d)
            for (slot, id) in asked[first ..< end].enumerated() {
                let row = localRow(of: id)
                for j in 0 ..< d { reply[slot * d + j] = forest.vectors[row * d + j] }
            }
            // Distributed: root t receives its rows from their owners, in rank order = ascending ids.
            if let parts = try comm.gather(reply, root: t) { mine = parts.flatMap { $0 } }
        }
        return RowTable(ids: want, rows: Matrix(rows: want.count, columns: d, values: mine))
    }

    /// First index of `sorted` whose value is ≥ `value`.
    static func lowerBound(_ sorted: [Int], _ value: Int) -> Int {
        var (low, high) = (0, sorted.count)
        while low < high {
            let mid = (low + high) / 2
            if sorted[mid] < value { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// The forest's stored row of global id `id` (which this rank holds).
    func localRow(of id: Int) -> Int {
        localRows.map { $0[id - globalIDs.lowerBound] } ?? id - globalIDs.lowerBound
    }
}
