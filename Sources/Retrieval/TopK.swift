/// Top-k selection and the merge of per-rank top-k lists.
///
/// Both use the total order of `Neighbor.precedes` (score descending, then id ascending), which makes the merge
/// exact: if every rank returns its k best points under that order, the k best of the union of those lists are
/// the k best points of the union of the shards, whatever the ties.
public enum TopK {
    /// The k best neighbours of the concatenation of `lists` (one list per rank, ids global), sorted by
    /// `Neighbor.precedes`. Input lists need not be sorted. If an id occurs more than once (it should not: shards
    /// are disjoint) only its best entry is kept. Returns fewer than k when the lists hold fewer distinct ids.
    public static func merge(_ lists: [[Neighbor]], k: Int) -> [Neighbor] {
        guard k > 0 else { return [] }
        let all = lists.joined().sorted(by: Neighbor.precedes)
        var result: [Neighbor] = []
        result.reserveCapacity(Swift.min(k, all.count))
        var seen = Set<Int>()
        for neighbor in all where seen.insert(neighbor.id).inserted {
            result.append(neighbor)
            if result.count == k { break }
        }
        return result
    }

    /// A sorted top-k list packed as fixed-size arrays (k ids and k scores, padded with id −1 and −∞), the form
    /// that travels through `Communicator.allGather`.
    static func pack(_ lists: [[Neighbor]], k: Int) -> (ids: [Int], scores: [Float]) {
        var ids = [Int](repeating: -1, count: lists.count * k)
        var scores = [Float](repeating: -.infinity, count: lists.count * k)
        for (q, list) in lists.enumerated() {
            for (j, neighbor) in list.prefix(k).enumerated() {
                ids[q * k + j] = neighbor.id
                scores[q * k + j] = neighbor.score
            }
        }
        return (ids, scores)
    }

    /// The inverse of `pack`: the list of query `q` (entries with id −1 are padding).
    static func unpack(ids: [Int], scores: [Float], query q: Int, k: Int) -> [Neighbor] {
        var list: [Neighbor] = []
        for j in 0 ..< k where ids[q * k + j] >= 0 {
            list.append(Neighbor(id: ids[q * k + j], score: scores[q * k + j]))
        }
        return list
    }
}

/// A bounded, sorted selection buffer for one query at a time: `offer` keeps the k best (id, score) pairs seen
/// since the last `reset`. Storage is allocated once by `withSelector` and reused for every query of a batch, so
/// the inner loop never allocates. Insertion is O(k), the common rejection O(1).
struct TopKSelector {
    let k: Int
    private(set) var count = 0
    private let storage: UnsafeMutablePointer<Neighbor>

    /// A selector over caller-owned storage of k neighbours (see `withSelector`).
    init(k: Int, storage: UnsafeMutablePointer<Neighbor>) {
        self.k = k
        self.storage = storage
    }

    /// Runs `body` with a selector of capacity `k` (k ≥ 1) whose storage lives for the call.
    static func withSelector<R>(k: Int, _ body: (inout TopKSelector) throws -> R) rethrows -> R {
        precondition(k >= 1, "TopKSelector: k must be ≥ 1, got \(k)")
        let storage = UnsafeMutablePointer<Neighbor>.allocate(capacity: k)
        defer { storage.deallocate() }
        var selector = TopKSelector(k: k, storage: storage)
        return try body(&selector)
    }

    mutating func reset() { count = 0 }

    /// The score a new entry must reach to be considered: the k-th best score once full, −∞ before.
    @inline(__always)
    var threshold: Float { count == k ? storage[k - 1].score : -.infinity }

    /// Keeps (id, score) if it is among the k best so far.
    @inline(__always)
    mutating func offer(id: Int, score: Float) {
        let candidate = Neighbor(id: id, score: score)
        if count == k {
            guard Neighbor.precedes(candidate, storage[k - 1]) else { return }
            count -= 1
        }
        var i = count
        while i > 0 && Neighbor.precedes(candidate, storage[i - 1]) {
            storage[i] = storage[i - 1]
            i -= 1
        }
        storage[i] = candidate
        count += 1
    }

    /// The selected neighbours, best first.
    func sorted() -> [Neighbor] { Array(UnsafeBufferPointer(start: storage, count: count)) }
}
