import Core
import LabelGraphs
import LinearAlgebra

/// The package splits of the Debian label-graph experiment (Arxiv Original / Augment analog), seeded:
///
///     pretrain = a seeded sample of nPretrain packages with a section and NO debtags
///     pool     = packages with a section, a non-empty description and at least one debtag, whose section is
///                the section of some pretraining package (the encoder is a classifier over those sections and
///                `tributary embed` accepts only documents of its classes; a few packages of rare sections drop)
///     shuffle(pool, seed) → test (first nTest) | validation (next nValidation) | fine (next nFine) | coarse (next nCoarse)
///
/// fine: trained on its debtags (fine multi-labels) only; coarse: on its section only (its tags are never read);
/// validation: picks the decision threshold τ; test: the reported F1. The graph's edge statistics are computed
/// on fine ∪ coarse (`DebtagsGraph.build`), never on validation or test. The pretraining packages train the
/// frozen bi-LSTM encoder on their sections, so no experiment package's text or label is seen by it.
/// Items are indices into the caller's package list; the split depends only on the list order and the seed.
public struct DebtagsJoinSplit: Sendable, Equatable {
    public var test: [Int] = []
    public var validation: [Int] = []
    public var fine: [Int] = []
    public var coarse: [Int] = []
    public var pretrain: [Int] = []

    /// `tagged[i]`: package i has debtags; `usable[i]`: it has a section and a non-empty description;
    /// `sections[i]`: its section.
    public init(tagged: [Bool], usable: [Bool], sections: [String], test nTest: Int, validation nValidation: Int, fine nFine: Int,
                coarse nCoarse: Int, pretrain nPretrain: Int, seed: UInt64) throws {
        precondition(tagged.count == usable.count && sections.count == usable.count,
                     "DebtagsJoinSplit: \(tagged.count) tag flags, \(usable.count) usable flags, \(sections.count) sections")
        var untagged = tagged.indices.filter { !tagged[$0] && usable[$0] }
        var pretrainRNG = SeededRandom(seed: seed, stream: 1)
        pretrainRNG.shuffle(&untagged)
        pretrain = Array(untagged.prefix(nPretrain))
        let known = Set(pretrain.map { sections[$0] })
        var pool = tagged.indices.filter { tagged[$0] && usable[$0] && known.contains(sections[$0]) }
        let needed = nTest + nValidation + nFine + nCoarse
        guard pool.count >= needed, untagged.count >= nPretrain else {
            throw LabelGraphError.invalidConfiguration(message: "the Debian splits need \(needed) tagged and \(nPretrain) untagged packages; "
                + "the archive has \(pool.count) and \(untagged.count). Fix: lower --debian-test/-validation/-fine/-coarse/-pretrain")
        }
        var rng = SeededRandom(seed: seed)
        rng.shuffle(&pool)
        var rest = pool[...]
        func take(_ n: Int) -> [Int] { defer { rest = rest.dropFirst(n) }; return Array(rest.prefix(n)) }
        test = take(nTest)
        validation = take(nValidation)
        fine = take(nFine)
        coarse = take(nCoarse)
    }
}
