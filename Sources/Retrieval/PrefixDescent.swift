/// The per-query walk over the sorted label arrays of an `LSHForest`: top-down descent to the longest matching
/// prefix of each tree, then the synchronous bottom-up climb that widens each tree's range of matching slots.
///
/// For tree t with sorted labels S_t[0 ..< n] and query label q:
///
///     p      = lowerBound(S_t, q)                       (binary search)
///     x_t    = max(lcp(S_t[p−1], q), lcp(S_t[p], q))     the deepest node the query reaches (≤ K)
///     R_t(x) = [ lowerBound(S_t, q ∧ mask_x), upperBound(S_t, q ∨ ¬mask_x) )    slots with s_t ≥ x
///
/// where mask_x keeps the top x bits. A directory on the top b bits (`LSHForest.directory`) answers R_t(x) for
/// x ≤ b with two loads and confines the first binary search to one bucket of ≈ N/2^b slots; deeper ranges are
/// nested, R_t(x) ⊆ R_t(x − 1), so the climb widens the previous range by galloping (exponential then binary
/// search) outwards from its ends: O(log |R_t(x − 1) ∖ R_t(x)|) per step.
///
/// All state lives in caller-owned buffers (one set per batch, reused per query): no allocation per query.
struct PrefixDescent {
    /// (L, n) sorted labels and the storage row of each slot, tree-major (nil when n = 0).
    let labels: UnsafePointer<UInt64>?
    let rows: UnsafePointer<UInt32>?
    let n: Int
    let trees: Int
    let maxDepth: Int
    /// (L, 2^b + 1) bucket starts on the top b bits.
    let directory: UnsafePointer<UInt32>
    let directoryBits: Int
    /// Per tree: current range [lo, hi) at depth `depth`, and the deepest match x_t.
    let lo: UnsafeMutablePointer<Int>
    let hi: UnsafeMutablePointer<Int>
    let depth: UnsafeMutablePointer<Int>
    let longest: UnsafeMutablePointer<Int>
    /// The current query's L labels (set by `start`).
    var query: UnsafePointer<UInt64>?

    /// Runs `body` with a descent over `labels` whose per-tree scratch lives for the call.
    static func with<R>(labels: UnsafePointer<UInt64>?, rows: UnsafePointer<UInt32>?, n: Int, trees: Int, maxDepth: Int,
                        directory: UnsafePointer<UInt32>, directoryBits: Int,
                        _ body: (inout PrefixDescent) throws -> R) rethrows -> R {
        let scratch = UnsafeMutablePointer<Int>.allocate(capacity: 4 * trees)
        scratch.initialize(repeating: 0, count: 4 * trees)
        defer { scratch.deallocate() }
        var descent = PrefixDescent(labels: labels, rows: rows, n: n, trees: trees, maxDepth: maxDepth,
                                    directory: directory, directoryBits: directoryBits, lo: scratch,
                                    hi: scratch + trees, depth: scratch + 2 * trees, longest: scratch + 3 * trees,
                                    query: nil)
        return try body(&descent)
    }

    /// The top x bits set.
    @inline(__always)
    static func mask(_ x: Int) -> UInt64 { x == 0 ? 0 : ~(0 as UInt64) << UInt64(64 - x) }

    /// Top-down descent of every tree for the query labels `q` (L values). Returns max_t x_t, or −1 if n = 0.
    @inline(__always)
    mutating func start(_ q: UnsafePointer<UInt64>) -> Int {
        query = q
        guard n > 0 else { return -1 }
        var top = 0
        let width = (1 << directoryBits) + 1
        for t in 0 ..< trees {
            let s = labels! + t * n
            let label = q[t]
            let bucket = directoryBits == 0 ? 0 : Int(label >> UInt64(64 - directoryBits))
            var a = Int(directory[t * width + bucket]), b = Int(directory[t * width + bucket + 1])
            while a < b {
                let m = (a &+ b) >> 1
                if s[m] < label { a = m + 1 } else { b = m }
            }
            var x = 0
            if a > 0 { x = (s[a - 1] ^ label).leadingZeroBitCount }
            if a < n { x = Swift.max(x, (s[a] ^ label).leadingZeroBitCount) }
            x = Swift.min(x, maxDepth)
            longest[t] = x
            lo[t] = a
            hi[t] = a
            depth[t] = maxDepth + 1
            top = Swift.max(top, x)
        }
        return top
    }

    /// C_t(x) = |R_t(x)|, widening tree t's range to depth x (x must not increase between calls for a tree).
    @inline(__always)
    func expand(_ t: Int, to x: Int) -> Int {
        guard x <= longest[t] else { return 0 }
        if depth[t] > x && x <= directoryBits {
            let drop = directoryBits - x
            let first = directoryBits == 0 ? 0 : (Int(query![t] >> UInt64(64 - directoryBits)) >> drop) << drop
            let row = directory + t * ((1 << directoryBits) + 1)
            lo[t] = Int(row[first])
            hi[t] = Int(row[first + (1 << drop)])
            depth[t] = x
        } else if depth[t] > x {
            let s = labels! + t * n
            let m = Self.mask(x)
            let label = query![t]
            let low = label & m, high = label | ~m
            // Lower end: first slot in [0, lo) whose label ≥ low (slots ≥ lo are ≥ low already).
            var bound = lo[t], step = 1, probe = bound - 1
            while probe >= 0 && s[probe] >= low {
                bound = probe
                probe = bound - step
                step <<= 1
            }
            var a = Swift.max(probe + 1, 0), b = bound
            while a < b {
                let mid = (a &+ b) >> 1
                if s[mid] < low { a = mid + 1 } else { b = mid }
            }
            lo[t] = a
            // Upper end: first slot in [hi, n) whose label > high.
            bound = hi[t]
            step = 1
            probe = bound
            var last = bound
            while probe < n && s[probe] <= high {
                last = probe + 1
                probe = last + step - 1
                step <<= 1
            }
            a = last
            b = Swift.min(probe, n)
            while a < b {
                let mid = (a &+ b) >> 1
                if s[mid] <= high { a = mid + 1 } else { b = mid }
            }
            hi[t] = a
            depth[t] = x
        }
        return hi[t] - lo[t]
    }

    /// The stopping depth for query labels `q`: from this forest's own counts, or from `global` (the query's
    /// (L, K + 1) counts summed over shards) when given. Leaves every tree's range at that depth. Returns −1 when
    /// there is nothing to collect (an empty forest, or an empty union).
    @inline(__always)
    mutating func descend(_ q: UnsafePointer<UInt64>, budget: Int, need: Int, global: UnsafePointer<Int32>?) -> Int {
        let top = start(q)
        guard let g = global else {
            guard top >= 0 else { return -1 }
            return Self.stopDepth(top: top, trees: trees, budget: budget, need: need) { t, x in expand(t, to: x) }
        }
        let width = maxDepth + 1
        var globalTop = -1
        for t in 0 ..< trees {
            var x = maxDepth
            while x >= 0 && g[t * width + x] == 0 { x -= 1 }
            globalTop = Swift.max(globalTop, x)
        }
        guard globalTop >= 0 else { return -1 }
        let depth = Self.stopDepth(top: globalTop, trees: trees, budget: budget, need: need) { t, x in
            Int(g[t * width + x])
        }
        guard top >= 0 else { return -1 }  // this shard is empty
        for t in 0 ..< trees { _ = expand(t, to: depth) }
        return depth
    }

    /// Writes the distinct rows with s_t ≥ `depth` in some tree to `found` (rows already stamped with `mark`
    /// are skipped, and the row whose id is `excluded`) and returns their number. Call after `descend`.
    @inline(__always)
    func gather(depth: Int, stamps: UnsafeMutablePointer<UInt32>, mark: UInt32, ids: UnsafePointer<Int>,
                excluded: Int, into found: UnsafeMutablePointer<UInt32>) -> Int {
        var m = 0
        for t in 0 ..< trees where longest[t] >= depth {
            let slots = rows! + t * n
            for s in lo[t] ..< hi[t] {
                let row = slots[s]
                if stamps[Int(row)] == mark { continue }
                stamps[Int(row)] = mark
                if ids[Int(row)] == excluded { continue }
                found[m] = row
                m += 1
            }
        }
        return m
    }

    /// The stopping depth of the synchronous climb, from the counts alone (see `LSHForest`): starting at `top`,
    /// decrease x until Σ_t C_t(x) ≥ budget and max_t C_t(x) ≥ need, or x = 0. `count(t, x)` is called for
    /// x = top, top − 1, … in that order for every tree.
    @inline(__always)
    static func stopDepth(top: Int, trees: Int, budget: Int, need: Int, count: (Int, Int) -> Int) -> Int {
        var x = top
        while true {
            var total = 0, widest = 0
            for t in 0 ..< trees {
                let c = count(t, x)
                total += c
                widest = Swift.max(widest, c)
            }
            if (total >= budget && widest >= need) || x == 0 { return x }
            x -= 1
        }
    }
}
