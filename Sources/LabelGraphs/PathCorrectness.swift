/// Path correctness of decoded paths (Label-graph dataset joining §4.4), counted instead of checked by hand.
///
/// The paper inspects the predicted nondeterministic paths through one augmented node and finds > 90 % of them
/// "conform". Here every decoded path P̂ = v₀ ∘ v₁ ∘ … ∘ v_k of a sample with true label ℓ (dataset d) is checked
/// against the graph alone:
///
///     valid(P̂)          ⇔ v₀ = root  ∧  v_{i+1} ∈ children(v_i) for i < k  ∧  endNodes[v_k]
///                          (a root → label path the graph holds, ending where ⟨eop⟩ is allowed)
///     deterministic(P̂)  ⇔ valid(P̂) ∧ Definition 3.2 holds for P̂ among 𝒫(v_k), every root → v_k path
///                          (`PredictionPaths.classify`; the blue / green frames of Figure 4)
///     correct(P̂)        ⇔ valid(P̂) ∧ v_k = ℓ                                    (ends at the right label)
///
/// The summary counts, separately for deterministic, nondeterministic and invalid paths, how many were decoded
/// and how many are correct; `nondeterministic.correct / nondeterministic.paths` is the share §4.4 is about:
/// of the paths whose middle the ground truth does not fix, how many still reach the sample's label. Samples
/// without a truth count in `paths` only. A greedy decoder that masks to children and stops only at end nodes
/// (Algorithm 2, `PathDecoder.decode`) always yields valid paths; the check is what says so for a given model.
///
/// Cost: `paths(to:)` once per distinct end node (memoised), O(k) per path for the edge walk.
public struct PathCorrectness: Sendable, Equatable {
    public struct Counts: Sendable, Equatable {
        /// Decoded paths of this kind.
        public var paths = 0
        /// Of those with a truth: how many have one.
        public var labelled = 0
        /// Of those: how many end at the truth (always 0 for invalid paths).
        public var correct = 0

        public init(paths: Int = 0, labelled: Int = 0, correct: Int = 0) {
            self.paths = paths
            self.labelled = labelled
            self.correct = correct
        }

        /// correct / labelled, nil when nothing is labelled.
        public var share: Double? { labelled == 0 ? nil : Double(correct) / Double(labelled) }
    }

    public enum Kind: String, Sendable, Equatable {
        case deterministic, nondeterministic, invalid
    }

    public var deterministic = Counts()
    public var nondeterministic = Counts()
    public var invalid = Counts()

    /// The kind of each decoded path, in input order.
    public var kinds: [Kind] = []

    /// Checks `decoded[i]` (node indices, root first) against `truths[i]` (a label node, or nil).
    public init(decoded: [[Int]], truths: [Int?], paths: PredictionPaths) {
        precondition(decoded.count == truths.count, "PathCorrectness: \(decoded.count) paths, \(truths.count) truths")
        var rootPaths: [Int: (all: [[Int]], deterministic: [Bool])] = [:]
        for (path, truth) in zip(decoded, truths) {
            let kind: Kind
            if Self.isValid(path, paths: paths), let end = path.last {
                if rootPaths[end] == nil {
                    let all = (try? paths.paths(to: end)) ?? []
                    rootPaths[end] = (all, paths.classify(all))
                }
                let (all, marks) = rootPaths[end]!
                // A valid path is one of 𝒫(v_k); past `maximumPathsPerLabel` none are listed: count it nondeterministic.
                kind = all.firstIndex(of: path).map { marks[$0] ? .deterministic : .nondeterministic } ?? .nondeterministic
            } else {
                kind = .invalid
            }
            kinds.append(kind)
            let isCorrect = kind != .invalid && truth != nil && path.last == truth
            switch kind {
            case .deterministic: Self.add(&deterministic, labelled: truth != nil, correct: isCorrect)
            case .nondeterministic: Self.add(&nondeterministic, labelled: truth != nil, correct: isCorrect)
            case .invalid: Self.add(&invalid, labelled: truth != nil, correct: false)
            }
        }
    }

    /// valid(P̂): starts at the root, follows edges, ends at a node where ⟨eop⟩ is allowed.
    public static func isValid(_ path: [Int], paths: PredictionPaths) -> Bool {
        let graph = paths.graph
        guard let first = path.first, first == graph.root, let last = path.last, paths.endNodes[last] else { return false }
        return zip(path, path.dropFirst()).allSatisfy { graph.children[$0.0].contains($0.1) }
    }

    /// All kinds together.
    public var total: Counts {
        Counts(paths: deterministic.paths + nondeterministic.paths + invalid.paths,
               labelled: deterministic.labelled + nondeterministic.labelled + invalid.labelled,
               correct: deterministic.correct + nondeterministic.correct)
    }

    /// One line per kind: "nondeterministic paths 96 (4.8 %): 90 of 96 end at the true label (93.75 %)".
    public var summary: String {
        let n = max(1, total.paths)
        return [("deterministic", deterministic), ("nondeterministic", nondeterministic), ("invalid", invalid)].map { name, c in
            let share = c.share.map { String(format: " (%.2f %%)", 100 * $0) } ?? ""
            return "path correctness: \(name) paths \(c.paths) (\(String(format: "%.1f", 100 * Double(c.paths) / Double(n))) %): "
                + "\(c.correct) of \(c.labelled) labelled end at the true label\(share)"
        }.joined(separator: "\n")
    }

    /// `{"deterministic": {"paths": …, "labelled": …, "correct": …}, "nondeterministic": {…}, "invalid": {…}}`.
    public var json: String {
        "{" + [("deterministic", deterministic), ("nondeterministic", nondeterministic), ("invalid", invalid)].map {
            "\"\($0.0)\": {\"paths\": \($0.1.paths), \"labelled\": \($0.1.labelled), \"correct\": \($0.1.correct)}"
        }.joined(separator: ", ") + "}"
    }

    static func add(_ counts: inout Counts, labelled: Bool, correct: Bool) {
        counts.paths += 1
        if labelled { counts.labelled += 1 }
        if correct { counts.correct += 1 }
    }
}
