import Core

/// Train/test indices into a corpus (each sorted ascending, disjoint).
public struct SplitIndices: Sendable, Equatable {
    public var train: [Int]
    public var test: [Int]

    public init(train: [Int], test: [Int]) {
        self.train = train
        self.test = test
    }
}

/// Seeded, stratified splits: a held-out test fraction, k-fold cross-validation, and training-set fractions
/// (the paper's "reduced training set" experiments, 0.3 … 1.0).
///
/// Every split is a pure function of (labels, parameters, seed): the same on every rank and machine.
/// Stratification works per class c, over the indices I_c of class c in ascending order, shuffled by
/// Fisher–Yates with `SplitMix64.corpusSplit(seed:stream: c)` (Core):
///
///     holdOut(testFraction f):  test gets the first round(f·|I_c|) shuffled indices of each class, clamped to
///                               1 … |I_c| − 1 when |I_c| ≥ 2 (so both sides see every class), 0 when |I_c| = 1
///     kFold(k, fold j):         the shuffled indices of all classes, class after class, are dealt round-robin
///                               to folds 0, 1, …, k−1 continuing across classes; fold j is the test set. Each
///                               sample is in exactly one test fold; fold sizes differ by at most one, and
///                               class counts per fold by at most one.
///     subsample(fraction f):    keeps the first max(1, round(f·|I_c|)) shuffled indices of each class
public enum CorpusSplit {
    public static func holdOut(labels: [Int], testFraction: Double, seed: UInt64) -> SplitIndices {
        precondition(testFraction > 0 && testFraction < 1, "holdOut: testFraction must be in (0, 1), got \(testFraction)")
        var train: [Int] = [], test: [Int] = []
        for (_, members) in shuffledClasses(labels, seed: seed) {
            var take = Int((testFraction * Double(members.count)).rounded())
            take = members.count >= 2 ? min(max(take, 1), members.count - 1) : 0
            test += members.prefix(take)
            train += members.dropFirst(take)
        }
        return SplitIndices(train: train.sorted(), test: test.sorted())
    }

    public static func kFold(labels: [Int], folds k: Int, fold j: Int, seed: UInt64) -> SplitIndices {
        precondition(k >= 2 && j >= 0 && j < k, "kFold: need k ≥ 2 and 0 ≤ fold < k, got fold \(j) of \(k)")
        precondition(labels.count >= k, "kFold: \(labels.count) samples cannot fill \(k) folds")
        var train: [Int] = [], test: [Int] = []
        var position = 0
        for (_, members) in shuffledClasses(labels, seed: seed) {
            for index in members {
                if position % k == j { test.append(index) } else { train.append(index) }
                position += 1
            }
        }
        return SplitIndices(train: train.sorted(), test: test.sorted())
    }

    /// A stratified subset of `indices` (e.g. a training split) keeping `fraction` of each class.
    public static func subsample(_ indices: [Int], labels: [Int], fraction: Double, seed: UInt64) -> [Int] {
        precondition(fraction > 0 && fraction <= 1, "subsample: fraction must be in (0, 1], got \(fraction)")
        guard fraction < 1 else { return indices.sorted() }
        let local = indices.map { labels[$0] }
        var kept: [Int] = []
        for (_, members) in shuffledClasses(local, seed: seed) {
            let take = max(1, Int((fraction * Double(members.count)).rounded()))
            kept += members.prefix(take).map { indices[$0] }
        }
        return kept.sorted()
    }

    /// (class, shuffled member indices) for every class present, in ascending class order.
    static func shuffledClasses(_ labels: [Int], seed: UInt64) -> [(Int, [Int])] {
        var members: [Int: [Int]] = [:]
        for (i, label) in labels.enumerated() { members[label, default: []].append(i) }
        return members.keys.sorted().map { c in
            var random = SplitMix64.corpusSplit(seed: seed, stream: UInt64(c))
            var list = members[c]!
            random.shuffle(&list)
            return (c, list)
        }
    }
}
