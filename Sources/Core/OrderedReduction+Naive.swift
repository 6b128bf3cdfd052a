/// The naive twin of `OrderedReduction.sum`: the algorithm before the segmented exchange, kept for tests.
///
/// Every rank all-gathers every block partial (B·W values received per rank) and adds them all in block order,
///
///     S_j = ((((0 + p_0j) + p_1j) + p_2j) + … + p_{B−1,j}),
///
/// the same additions in the same order as `sum`, so the two must agree bit for bit for any rank count; the
/// segmented one only moves and holds less (B·W/P + W received instead of B·W).
extension OrderedReduction {
    func naiveSum<T: CommunicatorScalar & FloatingPoint>(
        totalRows: Int, width: Int, communicator: any Communicator,
        partial: (Range<Int>) throws -> [T]
    ) throws -> [T] {
        let owned = blocks(totalRows: totalRows, rank: communicator.rank, size: communicator.size)
        var local: [T] = []
        local.reserveCapacity(owned.count * width)
        for b in owned {
            let p = try partial(rows(ofBlock: b, totalRows: totalRows))
            precondition(p.count == width, "OrderedReduction: partial has \(p.count) values, expected \(width)")
            local.append(contentsOf: p)
        }
        let all = try communicator.allGather(local)
        var total = [T](repeating: 0, count: width)
        for perRank in all {  // rank order == block order, since blocks are sharded contiguously
            precondition(perRank.count % Swift.max(width, 1) == 0, "OrderedReduction: ragged partials")
            var offset = 0
            while offset < perRank.count {
                for j in 0 ..< width { total[j] += perRank[offset + j] }
                offset += width
            }
        }
        return total
    }
}
