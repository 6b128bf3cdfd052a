import Core
import LinearAlgebra

/// The mutable state of growing one tree (see `DecisionTree`). `samples[start ..< end]` are the in-bag rows of the
/// node being split; splitting partitions that range in place.
struct TreeBuilder {
    let columns: UnsafeBufferPointer<Float>  // (D, N)
    let n: Int, d: Int, classCount: Int
    let labels: [Int]
    let weights: [Double]
    let tried: Int, minLeaf: Int, maxDepth: Int
    var samples: [Int]
    var featureOrder: [Int]
    // Scratch for one feature: the node's non-zero (value, row) pairs.
    var nonZero: [(value: Float, row: Int)] = []

    var feature: [Int] = [], threshold: [Float] = [], left: [Int] = [], right: [Int] = [], value: [Float] = []

    static let constantTolerance: Float = 1e-7
    static let pureImpurity = 1e-7

    init(columns: UnsafeBufferPointer<Float>, rows n: Int, features d: Int, labels: [Int], classCount: Int,
         weights: [Double], configuration: RandomForest.Configuration) {
        self.columns = columns
        self.n = n
        self.d = d
        self.classCount = classCount
        self.labels = labels
        self.weights = weights
        tried = configuration.features(of: d)
        minLeaf = configuration.minSamplesLeaf
        maxDepth = configuration.maxDepth ?? Int.max
        samples = (0 ..< n).filter { weights[$0] > 0 }
        featureOrder = Array(0 ..< d)
        nonZero.reserveCapacity(samples.count)
    }

    mutating func build(random: inout SeededRandom) {
        _ = node(samples.startIndex, samples.endIndex, depth: 0, random: &random)
    }

    /// Class weights of samples[start ..< end].
    func classWeights(_ start: Int, _ end: Int) -> [Double] {
        var counts = [Double](repeating: 0, count: classCount)
        for i in start ..< end { counts[labels[samples[i]]] += weights[samples[i]] }
        return counts
    }

    /// Grows the subtree of samples[start ..< end]; returns its node id.
    mutating func node(_ start: Int, _ end: Int, depth: Int, random: inout SeededRandom) -> Int {
        let counts = classWeights(start, end)
        let total = counts.reduce(0, +)
        let id = feature.count
        feature.append(-1)
        threshold.append(0)
        left.append(-1)
        right.append(-1)
        value += counts.map { Float($0 / total) }
        let rows = end - start
        guard rows >= 2, rows >= 2 * minLeaf, depth < maxDepth,
              DecisionTree.gini(counts) > Self.pureImpurity,
              let split = bestSplit(start, end, counts: counts, random: &random) else { return id }
        // Partition samples[start ..< end]: x_f ≤ θ first.
        var mid = start
        for i in start ..< end where columns[split.feature * n + samples[i]] <= split.threshold {
            samples.swapAt(i, mid)
            mid += 1
        }
        feature[id] = split.feature
        threshold[id] = split.threshold
        let l = node(start, mid, depth: depth + 1, random: &random)
        let r = node(mid, end, depth: depth + 1, random: &random)
        left[id] = l
        right[id] = r
        return id
    }

    /// The best (feature, threshold) over the drawn features, or nil when none has a valid boundary.
    mutating func bestSplit(_ start: Int, _ end: Int, counts: [Double],
                            random: inout SeededRandom) -> (feature: Int, threshold: Float)? {
        var best: (feature: Int, threshold: Float)?
        var bestProxy = -Double.infinity
        var visited = 0, nonConstant = 0, drawn = 0
        var cL = [Double](repeating: 0, count: classCount), cR = cL, zeroCounts = cL
        while drawn < d, visited < tried || nonConstant == 0 {
            let j = drawn + random.bounded(d - drawn)
            featureOrder.swapAt(drawn, j)
            let f = featureOrder[drawn]
            drawn += 1
            visited += 1
            // Gather the node's non-zero values of feature f; zeros are only counted.
            nonZero.removeAll(keepingCapacity: true)
            var lo = Float.infinity, hi = -Float.infinity
            let column = f * n
            for i in start ..< end {
                let row = samples[i]
                let v = columns[column + row]
                if v != 0 { nonZero.append((v, row)) }
                lo = Swift.min(lo, v)
                hi = Swift.max(hi, v)
            }
            if hi <= lo + Self.constantTolerance { continue }
            nonConstant += 1
            nonZero.sort { $0.value < $1.value }
            let negatives = nonZero.partitioningIndex { $0.value > 0 }
            let zeros = (end - start) - nonZero.count
            zeroCounts = counts
            for e in nonZero { zeroCounts[labels[e.row]] -= weights[e.row] }
            let zeroWeight = zeroCounts.reduce(0, +)

            // Sweep left to right: negatives, the zero block (one step), positives.
            for c in 0 ..< classCount { cL[c] = 0; cR[c] = counts[c] }
            var sL = 0.0, sR = counts.reduce(0) { $0 + $1 * $1 }
            var wL = 0.0, wR = counts.reduce(0, +)
            var nL = 0
            let rows = end - start
            let steps = nonZero.count + (zeros > 0 ? 1 : 0)
            func stepValue(_ s: Int) -> Float {
                if s < negatives { return nonZero[s].value }
                if zeros > 0 { return s == negatives ? 0 : nonZero[s - 1].value }
                return nonZero[s].value
            }
            for s in 0 ..< steps - 1 {
                if zeros > 0 && s == negatives {
                    for c in 0 ..< classCount { cL[c] += zeroCounts[c]; cR[c] -= zeroCounts[c] }
                    sL = cL.reduce(0) { $0 + $1 * $1 }
                    sR = cR.reduce(0) { $0 + $1 * $1 }
                    wL += zeroWeight
                    wR -= zeroWeight
                    nL += zeros
                } else {
                    let e = nonZero[zeros > 0 && s > negatives ? s - 1 : s]
                    let y = labels[e.row], w = weights[e.row]
                    sL += 2 * w * cL[y] + w * w
                    sR += -2 * w * cR[y] + w * w
                    cL[y] += w
                    cR[y] -= w
                    wL += w
                    wR -= w
                    nL += 1
                }
                let a = stepValue(s), b = stepValue(s + 1)
                guard b > a + Self.constantTolerance, nL >= minLeaf, rows - nL >= minLeaf else { continue }
                let proxy = sL / wL + sR / wR
                if proxy > bestProxy {
                    bestProxy = proxy
                    var t = a / 2 + b / 2
                    if t == b || !t.isFinite { t = a }
                    best = (f, t)
                }
            }
        }
        return best
    }
}

private extension Array {
    /// The first index whose element satisfies `belongs`, for an array partitioned as [false…, true…].
    func partitioningIndex(where belongs: (Element) -> Bool) -> Int {
        var lo = 0, hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            if belongs(self[mid]) { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}
